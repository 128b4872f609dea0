package io.samsa.replication;

import io.samsa.log.LogConfig;
import io.samsa.log.LogManager;
import io.samsa.log.LogSliceRead;
import io.samsa.log.StorageException;
import io.samsa.log.TopicPartition;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The partitions this broker hosts, as leader or follower, and the fetch path with its long-poll.
 *
 * <p>Which partitions it hosts and which of them it leads follow the metadata image: the metadata publisher calls
 * {@link #becomeLeader} and {@link #becomeFollower} for each partition whose replicas include this broker, in image
 * order. A request for a partition the metadata knows but this broker does not host is NOT_LEADER_OR_FOLLOWER, for one
 * the metadata does not know UNKNOWN_TOPIC_OR_PARTITION (Kafka's ReplicaManager.getPartitionOrError).
 *
 * <p>Thread-safe. Partitions are added and removed by the metadata publisher; produce and fetch handlers look them up
 * concurrently.
 */
public final class ReplicaManager {

    private final int brokerId;
    private final LogManager logManager;
    private final ScheduledExecutorService scheduler;
    /** Whether the published metadata has a partition, hosted here or not. */
    private final Predicate<TopicPartition> inMetadata;
    private final Map<TopicPartition, Partition> partitions = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Set<DelayedFetch>> waitingFetches = new ConcurrentHashMap<>();

    /**
     * @param inMetadata whether the published metadata has a partition: tells a partition led elsewhere
     *     (NOT_LEADER_OR_FOLLOWER) from one that does not exist (UNKNOWN_TOPIC_OR_PARTITION)
     */
    public ReplicaManager(int brokerId, LogManager logManager, ScheduledExecutorService scheduler,
            Predicate<TopicPartition> inMetadata) {
        this.brokerId = brokerId;
        this.logManager = logManager;
        this.scheduler = scheduler;
        this.inMetadata = inMetadata;
    }

    public int brokerId() {
        return brokerId;
    }

    /** Hosts the partition as leader at {@code leaderEpoch}, opening or creating its log. */
    public Partition becomeLeader(TopicPartition tp, UUID topicId, int leaderEpoch, List<Integer> isr,
            LogConfig config, int minInsyncReplicas) {
        Partition partition = host(tp, topicId, config, minInsyncReplicas);
        partition.becomeLeader(leaderEpoch, isr, minInsyncReplicas);
        return partition;
    }

    /**
     * Hosts the partition as a follower of {@code leader} (or of no one: {@link Partition#NO_LEADER}) at
     * {@code leaderEpoch}, opening or creating its log; from now on it refuses appends and consumer reads.
     */
    public Partition becomeFollower(TopicPartition tp, UUID topicId, int leader, int leaderEpoch, List<Integer> isr,
            LogConfig config, int minInsyncReplicas) {
        Partition partition = host(tp, topicId, config, minInsyncReplicas);
        partition.becomeFollower(leader, leaderEpoch, isr);
        return partition;
    }

    private Partition host(TopicPartition tp, UUID topicId, LogConfig config, int minInsyncReplicas) {
        Partition partition = partitions.computeIfAbsent(tp, k -> new Partition(k, topicId, brokerId,
                logManager.getOrCreate(k, config), () -> onReadableOffsetsMoved(k)));
        partition.updateConfig(config, minInsyncReplicas);
        return partition;
    }

    /** Stops hosting the partition and deletes its log. */
    public void removePartition(TopicPartition tp) {
        Partition removed = partitions.remove(tp);
        if (removed != null) {
            logManager.delete(tp);
            onReadableOffsetsMoved(tp);
        }
    }

    public Partition partition(TopicPartition tp) {
        return partitions.get(tp);
    }

    /**
     * The partition a request names, or null: any topic name and index a client sends are looked up safely (a
     * negative index or a null name is simply not hosted).
     */
    public Partition partition(String topic, int index) {
        return topic == null || index < 0 ? null : partitions.get(new TopicPartition(topic, index));
    }

    /**
     * @throws ReplicationException when this broker does not host what a request names: NOT_LEADER_OR_FOLLOWER when the
     *     metadata has the partition, else UNKNOWN_TOPIC_OR_PARTITION
     */
    public Partition partitionOrThrow(String topic, int index) {
        if (topic == null || index < 0) {
            throw notHosted(null);
        }
        return partitionOrThrow(new TopicPartition(topic, index));
    }

    /**
     * The partition a request names, which this broker must lead at the client's leader epoch (-1: the client does
     * not say).
     *
     * @throws ReplicationException as {@link #partitionOrThrow(String, int)}, then as {@link Partition#checkLeader}
     */
    public Partition leaderOrThrow(String topic, int index, int clientLeaderEpoch) {
        Partition partition = partitionOrThrow(topic, index);
        partition.checkLeader(clientLeaderEpoch);
        return partition;
    }

    private ReplicationException notHosted(TopicPartition tp) {
        if (tp != null && inMetadata.test(tp)) {
            return new ReplicationException(ReplicationException.Kind.NOT_LEADER_OR_FOLLOWER,
                    "Broker " + brokerId + " does not host " + tp + "; another broker leads it.");
        }
        return new ReplicationException(ReplicationException.Kind.UNKNOWN_TOPIC_OR_PARTITION,
                "This server does not host this topic-partition.");
    }

    /**
     * Fetches waiting for data, counted once per partition each waits on (Kafka's purgatory size for Fetch), for
     * metrics.
     */
    public int waitingFetchCount() {
        int count = 0;
        for (Set<DelayedFetch> waiting : waitingFetches.values()) {
            count += waiting.size();
        }
        return count;
    }

    /** @throws ReplicationException as {@link #partitionOrThrow(String, int)} */
    public Partition partitionOrThrow(TopicPartition tp) {
        Partition partition = partitions.get(tp);
        if (partition == null) {
            throw notHosted(tp);
        }
        return partition;
    }

    public Collection<Partition> partitions() {
        return partitions.values();
    }

    /**
     * Reads committed data for a consumer (below the high watermark, or for read_committed below the last stable
     * offset), waiting up to {@code maxWaitMs} for {@code minBytes}. A waiting fetch is woken when the high
     * watermark or the last stable offset of one of its partitions moves, and then reads that partition only.
     *
     * @return the results in request order; their records are slices of segment files that the caller must release
     */
    public CompletableFuture<List<FetchResult>> fetch(FetchParams params, List<FetchPartition> requested) {
        List<FetchResult> first = read(params, requested);
        if (params.maxWaitMs() <= 0 || requested.isEmpty() || isSatisfied(first, params.minBytes())) {
            return CompletableFuture.completedFuture(first);
        }
        DelayedFetch[] holder = new DelayedFetch[1];
        DelayedFetch delayed = new DelayedFetch(params, requested, first,
                (p, maxBytes, minOneBatch) -> readPartition(p, maxBytes, minOneBatch, params.readCommitted()),
                () -> unwatch(requested, holder[0]));
        holder[0] = delayed;
        for (FetchPartition p : requested) {
            waitingFetches.computeIfAbsent(p.topicPartition(), k -> ConcurrentHashMap.newKeySet()).add(delayed);
        }
        delayed.setTimeout(scheduler.schedule(delayed::expire, params.maxWaitMs(), TimeUnit.MILLISECONDS));
        // A move between the first read and the registration above would otherwise go unnoticed.
        for (FetchResult r : first) {
            Partition partition = partitions.get(r.request().topicPartition());
            if (partition == null || partition.highWatermark() != r.highWatermark()
                    || partition.lastStableOffset() != r.lastStableOffset()) {
                delayed.onMoved(r.request().topicPartition());
            }
        }
        return delayed.future();
    }

    private void unwatch(List<FetchPartition> requested, DelayedFetch delayed) {
        for (FetchPartition p : requested) {
            Set<DelayedFetch> set = waitingFetches.get(p.topicPartition());
            if (set != null) {
                set.remove(delayed);
            }
        }
    }

    private void onReadableOffsetsMoved(TopicPartition tp) {
        Set<DelayedFetch> waiting = waitingFetches.get(tp);
        if (waiting != null && !waiting.isEmpty()) {
            for (DelayedFetch fetch : List.copyOf(waiting)) {
                fetch.onMoved(tp);
            }
        }
    }

    static boolean isSatisfied(List<FetchResult> results, int minBytes) {
        long bytes = 0;
        for (FetchResult r : results) {
            if (r.error() != null) {
                return true;
            }
            bytes += r.records().size();
        }
        return bytes >= minBytes;
    }

    /** Reads every partition in request order, within the response's byte limit (Kafka's readFromLog). */
    private List<FetchResult> read(FetchParams params, List<FetchPartition> requested) {
        List<FetchResult> results = new ArrayList<>(requested.size());
        int remaining = params.maxBytes();
        boolean minOneBatch = true;
        for (FetchPartition p : requested) {
            int limit = Math.max(0, Math.min(p.maxBytes(), remaining));
            FetchResult result = readPartition(p, limit, minOneBatch, params.readCommitted());
            int size = result.records().size();
            if (size > 0) {
                minOneBatch = false;
                remaining -= size;
            }
            results.add(result);
        }
        return results;
    }

    private FetchResult readPartition(FetchPartition p, int maxBytes, boolean minOneBatch, boolean readCommitted) {
        try {
            Partition partition = partitionOrThrow(p.topicPartition());
            // Consumers read from the leader only: a follower's high watermark is not known yet.
            partition.checkLeader(p.currentLeaderEpoch());
            long hw = partition.highWatermark();
            long lso = partition.lastStableOffset();
            LogSliceRead read = partition.read(p.fetchOffset(), maxBytes, minOneBatch, readCommitted);
            return new FetchResult(p, null, hw, lso, read.logStartOffset(), read.slice(),
                    read.abortedTransactions());
        } catch (ReplicationException | StorageException e) {
            return FetchResult.failed(p, e);
        }
    }
}
