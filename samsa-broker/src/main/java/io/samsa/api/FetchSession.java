package io.samsa.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import org.apache.kafka.common.Uuid;

/**
 * One incremental fetch session (KIP-227): the partitions a client fetches, with what it last asked for each and what
 * it was last told, so that a request names only what changed and a response carries only what changed.
 *
 * <p>Partitions keep the order they were added in, except that one that returned records moves to the end, so a
 * response's byte limit rotates over them (Kafka's fairness rule).
 *
 * <p>Thread-safe: every access to the partitions and the epoch holds this object's lock; no I/O under it.
 */
final class FetchSession {

    /** A partition of a session: by topic id when the session uses ids (Fetch v13+), else by name. */
    record Key(Uuid topicId, String topic, int partition) {

        static Key of(boolean usesTopicIds, Uuid topicId, String topic, int partition) {
            return usesTopicIds ? new Key(topicId, null, partition) : new Key(Uuid.ZERO_UUID, topic, partition);
        }
    }

    /** What the client last asked for a partition and what it was last answered (Kafka's CachedPartition). */
    static final class CachedPartition {
        final Key key;
        final String topic;
        int maxBytes;
        long fetchOffset;
        int leaderEpoch;
        long highWatermark = -1;
        long logStartOffset = -1;

        CachedPartition(Key key, String topic, long fetchOffset, int maxBytes, int leaderEpoch) {
            this.key = key;
            this.topic = topic;
            this.fetchOffset = fetchOffset;
            this.maxBytes = maxBytes;
            this.leaderEpoch = leaderEpoch;
        }

        /**
         * Kafka's rule for an incremental response: a partition is sent when it has records, an error, or a high
         * watermark or log start offset the client has not been told; what is sent is remembered (an error resets
         * the high watermark, so the partition is sent again once it recovers).
         */
        boolean mustRespond(int recordBytes, short errorCode, long newHighWatermark, long newLogStartOffset) {
            boolean respond = recordBytes > 0 || errorCode != 0;
            if (highWatermark != newHighWatermark) {
                respond = true;
                highWatermark = newHighWatermark;
            }
            if (logStartOffset != newLogStartOffset) {
                respond = true;
                logStartOffset = newLogStartOffset;
            }
            if (errorCode != 0) {
                highWatermark = -1;
            }
            return respond;
        }
    }

    final int id;
    final boolean privileged;
    final boolean usesTopicIds;
    final long creationMs;
    /** Touched by the cache only, under its lock. */
    long lastUsedMs;
    /** The partition count the cache last saw (-1: not in the cache); the cache's own bookkeeping. */
    int cachedSize = -1;
    private int epoch;
    private final LinkedHashMap<Key, CachedPartition> partitions;

    FetchSession(int id, boolean privileged, boolean usesTopicIds, long nowMs, List<CachedPartition> partitions) {
        this.id = id;
        this.privileged = privileged;
        this.usesTopicIds = usesTopicIds;
        this.creationMs = nowMs;
        this.lastUsedMs = nowMs;
        this.epoch = nextEpoch(0);
        this.partitions = new LinkedHashMap<>();
        for (CachedPartition p : partitions) {
            this.partitions.put(p.key, p);
        }
    }

    /** Kafka's FetchMetadata.nextEpoch: 1 after the initial 0, wrapping from Integer.MAX_VALUE to 1. */
    static int nextEpoch(int epoch) {
        if (epoch < 0) {
            return -1;
        }
        return epoch == Integer.MAX_VALUE ? 1 : epoch + 1;
    }

    synchronized int epoch() {
        return epoch;
    }

    synchronized int size() {
        return partitions.size();
    }

    /**
     * Applies an incremental request if {@code requestEpoch} is the one expected: adds or updates the partitions it
     * names, removes the forgotten ones, and moves to the next epoch.
     *
     * @return the partitions to fetch, in session order, or null when the epoch is not the expected one
     */
    synchronized List<CachedPartition> update(int requestEpoch, List<CachedPartition> named, List<Key> forgotten) {
        if (requestEpoch != epoch) {
            return null;
        }
        for (CachedPartition p : named) {
            CachedPartition cached = partitions.get(p.key);
            if (cached == null) {
                partitions.put(p.key, p);
            } else {
                cached.fetchOffset = p.fetchOffset;
                cached.maxBytes = p.maxBytes;
                cached.leaderEpoch = p.leaderEpoch;
            }
        }
        for (Key key : forgotten) {
            partitions.remove(key);
        }
        epoch = nextEpoch(epoch);
        return new ArrayList<>(partitions.values());
    }

    /**
     * The response side of an incremental fetch, under the session's lock: whether the request's epoch is still the
     * session's last one (a duplicate request moves it on), then {@code filter} for each partition answered.
     *
     * @return false when the session moved on (the request is answered INVALID_FETCH_SESSION_EPOCH)
     */
    synchronized boolean respond(int requestEpoch, Runnable filter) {
        if (epoch != nextEpoch(requestEpoch)) {
            return false;
        }
        filter.run();
        return true;
    }

    /** A partition answered with records goes to the end of the order. Call within {@link #respond}. */
    void moveToEnd(Key key) {
        CachedPartition p = partitions.remove(key);
        if (p != null) {
            partitions.put(key, p);
        }
    }

    /** The cached partition, or null when the request that named it was followed by one forgetting it. */
    CachedPartition partition(Key key) {
        return partitions.get(key);
    }
}
