package io.samsa.replication;

import io.samsa.log.AppendOrigin;
import io.samsa.log.Log;
import io.samsa.log.LogAppendResult;
import io.samsa.log.LogConfig;
import io.samsa.log.LogSliceRead;
import io.samsa.log.TopicPartition;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.UUID;

/**
 * A partition replica on this broker, with the state replication is built on: leadership and leader epoch, ISR, log
 * end offset and high watermark. Consumers read only below the high watermark, read_committed consumers only below the
 * last stable offset (the high watermark or the first offset of the oldest open transaction, whichever is smaller).
 * With one node the ISR is this broker alone, so the high watermark follows the log end offset on every append; with
 * followers it will be the smallest log end offset in the ISR (DESIGN decision 5), and nothing above this class
 * changes.
 *
 * <p>Leadership follows the metadata image: {@link #becomeLeader} and {@link #becomeFollower} are called by the
 * metadata publisher, in image order. Only the leader appends; clients that reach a follower are told
 * NOT_LEADER_OR_FOLLOWER, and a client whose leader epoch differs from this replica's is told FENCED_LEADER_EPOCH
 * (older) or UNKNOWN_LEADER_EPOCH (newer) first, as Kafka's {@code Partition.getLocalLog} orders the checks.
 *
 * <p>Thread-safe: leadership changes and appends take this object's lock, so no append starts once
 * {@link #becomeFollower} has returned; reads run without it against the log's concurrent read path and the volatile
 * fields.
 */
public final class Partition {

    /** No leader known (Kafka's NO_LEADER). */
    public static final int NO_LEADER = -1;

    private final TopicPartition topicPartition;
    private final UUID topicId;
    private final int localBrokerId;
    private final Log log;
    /** Called, outside any lock, each time the high watermark or the last stable offset moves, or leadership ends. */
    private final Runnable readableOffsetsListener;
    private volatile int leaderId = NO_LEADER;
    private volatile int leaderEpoch;
    private volatile List<Integer> isr = List.of();
    private volatile int minInsyncReplicas;
    private volatile long highWatermark;

    Partition(TopicPartition topicPartition, UUID topicId, int localBrokerId, Log log,
            Runnable readableOffsetsListener) {
        this.topicPartition = topicPartition;
        this.topicId = topicId;
        this.localBrokerId = localBrokerId;
        this.log = log;
        this.readableOffsetsListener = readableOffsetsListener;
        this.highWatermark = log.logEndOffset();
    }

    /**
     * Takes leadership at {@code epoch} with the given ISR. A new epoch is recorded in the log's leader-epoch cache at
     * the log end offset before anything is appended in it, so OffsetForLeaderEpoch answers for it at once.
     */
    void becomeLeader(int epoch, List<Integer> isr, int minInsyncReplicas) {
        boolean advanced;
        synchronized (this) {
            this.leaderId = localBrokerId;
            this.leaderEpoch = epoch;
            this.isr = List.copyOf(isr);
            this.minInsyncReplicas = minInsyncReplicas;
            log.assignEpochStartOffset(epoch);
            advanced = maybeAdvanceHighWatermark();
        }
        if (advanced) {
            readableOffsetsListener.run();
        }
    }

    /**
     * Follows {@code leader} (or no one, for {@link #NO_LEADER}) at {@code epoch}: appends are refused from now on.
     * Fetches waiting on this partition are woken, so that they answer NOT_LEADER_OR_FOLLOWER at once instead of at
     * the end of their wait.
     */
    void becomeFollower(int leader, int epoch, List<Integer> isr) {
        synchronized (this) {
            this.leaderId = leader;
            this.leaderEpoch = epoch;
            this.isr = List.copyOf(isr);
        }
        readableOffsetsListener.run();
    }

    synchronized void updateConfig(LogConfig config, int minInsyncReplicas) {
        log.updateConfig(config);
        this.minInsyncReplicas = minInsyncReplicas;
    }

    /**
     * Appends a produce request's batches as leader.
     *
     * @param requiredAcks -1 (all), 0 or 1; for -1 the ISR must have at least min.insync.replicas members
     */
    public LogAppendResult appendAsLeader(ByteBuffer records, short requiredAcks) {
        return appendAsLeader(records, requiredAcks, AppendOrigin.CLIENT, () -> { });
    }

    /**
     * Appends as leader for {@code origin}, after {@code check} has run under the partition's lock: appends to one
     * partition are serialized, so what the check saw still holds when the batches are written (a transactional
     * produce checks that its transaction is still open, and the coordinator's abort marker waits for that write).
     *
     * @param check throws to refuse the append
     */
    public LogAppendResult appendAsLeader(ByteBuffer records, short requiredAcks, AppendOrigin origin,
            Runnable check) {
        LogAppendResult result;
        boolean moved;
        synchronized (this) {
            if (leaderId != localBrokerId) {
                throw notLeader();
            }
            if (requiredAcks == -1 && isr.size() < minInsyncReplicas) {
                throw new ReplicationException(ReplicationException.Kind.NOT_ENOUGH_REPLICAS,
                        "The ISR of " + topicPartition + " has " + isr.size()
                                + " member(s), below min.insync.replicas=" + minInsyncReplicas);
            }
            check.run();
            long stableBefore = lastStableOffset();
            result = log.appendAsLeader(records, leaderEpoch, origin);
            moved = maybeAdvanceHighWatermark() || lastStableOffset() != stableBefore;
        }
        // Waiting fetches are woken outside the lock, so the next append does not wait for their responses.
        if (moved) {
            readableOffsetsListener.run();
        }
        return result;
    }

    /**
     * The high watermark is the smallest log end offset in the ISR; alone in it, it is ours.
     *
     * @return true when it moved
     */
    private boolean maybeAdvanceHighWatermark() {
        if (isr.size() == 1 && isr.get(0) == localBrokerId) {
            long leo = log.logEndOffset();
            if (leo != highWatermark) {
                highWatermark = leo;
                return true;
            }
        }
        return false;
    }

    /**
     * Checks that this replica leads the partition at the epoch the client believes in (-1 = it does not say): Kafka's
     * {@code getLocalLog(currentLeaderEpoch, requireLeader = true)}, the epoch first.
     *
     * @throws ReplicationException FENCED_LEADER_EPOCH or UNKNOWN_LEADER_EPOCH as {@link #checkLeaderEpoch}, then
     *     NOT_LEADER_OR_FOLLOWER when this replica does not lead
     */
    public void checkLeader(int clientEpoch) {
        checkLeaderEpoch(clientEpoch);
        if (leaderId != localBrokerId) {
            throw notLeader();
        }
    }

    private ReplicationException notLeader() {
        return new ReplicationException(ReplicationException.Kind.NOT_LEADER_OR_FOLLOWER, "Broker " + localBrokerId
                + " is not the leader of " + topicPartition + " (the leader is " + leaderId + " at epoch "
                + leaderEpoch + ")");
    }

    /**
     * Checks the leader epoch a client believes in (-1 = it does not say).
     *
     * @throws ReplicationException FENCED_LEADER_EPOCH when the client's epoch is older, UNKNOWN_LEADER_EPOCH when newer
     */
    public void checkLeaderEpoch(int clientEpoch) {
        int epoch = leaderEpoch;
        if (clientEpoch == -1 || clientEpoch == epoch) {
            return;
        }
        if (clientEpoch < epoch) {
            throw new ReplicationException(ReplicationException.Kind.FENCED_LEADER_EPOCH,
                    "The leader epoch " + clientEpoch + " of " + topicPartition + " is older than " + epoch);
        }
        throw new ReplicationException(ReplicationException.Kind.UNKNOWN_LEADER_EPOCH,
                "The leader epoch " + clientEpoch + " of " + topicPartition + " is newer than " + epoch);
    }

    /**
     * Reads batches for a consumer, as a slice of a segment file that the caller releases: below the high
     * watermark, or with {@code readCommitted} below the last stable offset together with the aborted transactions
     * overlapping what was read.
     *
     * @throws io.samsa.log.StorageException STORAGE_ERROR when the log's data directory is offline
     */
    public LogSliceRead read(long offset, int maxBytes, boolean minOneBatch, boolean readCommitted) {
        // A partition in a failed data directory is offline, as in Kafka: KAFKA_STORAGE_ERROR, not stale bytes.
        log.logDir().checkOnline();
        long upper = readCommitted ? lastStableOffset() : highWatermark;
        return log.readSlice(offset, maxBytes, upper, minOneBatch, readCommitted);
    }

    public TopicPartition topicPartition() {
        return topicPartition;
    }

    public UUID topicId() {
        return topicId;
    }

    public int leaderEpoch() {
        return leaderEpoch;
    }

    /** The leader this replica knows of, {@link #NO_LEADER} when none. */
    public int leaderId() {
        return leaderId;
    }

    /** Whether this replica leads the partition: only then does it take appends and answer consumers. */
    public boolean isLeader() {
        return leaderId == localBrokerId;
    }

    public long highWatermark() {
        return highWatermark;
    }

    /** The last stable offset: read_committed consumers read below it (Kafka's LSO). */
    public long lastStableOffset() {
        return Math.min(log.firstUnstableOffset(), highWatermark);
    }

    public Log log() {
        return log;
    }
}
