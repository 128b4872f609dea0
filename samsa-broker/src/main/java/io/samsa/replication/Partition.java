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
 * A partition replica on this broker, with the state replication is built on: leader epoch, ISR, log end offset and
 * high watermark. Consumers read only below the high watermark, read_committed consumers only below the last stable
 * offset (the high watermark or the first offset of the oldest open transaction, whichever is smaller). With one node the ISR is this broker alone, so the
 * high watermark follows the log end offset on every append; with followers it will be the smallest log end offset in
 * the ISR (DESIGN decision 5), and nothing above this class changes.
 *
 * <p>Thread-safe: leadership changes and appends take this object's lock; reads run without it against the log's
 * concurrent read path and the volatile high watermark.
 */
public final class Partition {

    private final TopicPartition topicPartition;
    private final UUID topicId;
    private final int localBrokerId;
    private final Log log;
    /** Called, outside any lock, each time the high watermark or the last stable offset moves. */
    private final Runnable readableOffsetsListener;
    private volatile int leaderEpoch;
    private volatile List<Integer> isr;
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

    /** Takes leadership at {@code epoch} with the given ISR; the log records where the epoch starts. */
    void becomeLeader(int epoch, List<Integer> isr, int minInsyncReplicas) {
        boolean advanced;
        synchronized (this) {
            this.leaderEpoch = epoch;
            this.isr = List.copyOf(isr);
            this.minInsyncReplicas = minInsyncReplicas;
            advanced = maybeAdvanceHighWatermark();
        }
        if (advanced) {
            readableOffsetsListener.run();
        }
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
