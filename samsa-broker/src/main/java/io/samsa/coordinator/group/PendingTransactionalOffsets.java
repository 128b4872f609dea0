package io.samsa.coordinator.group;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Offsets committed inside a transaction (TxnOffsetCommit) that wait for the transaction's marker: a commit marker
 * makes them the group's committed offsets, an abort drops them. Kept per producer id, since the markers name the
 * producer, as Kafka's pending transactional offset commits.
 *
 * <p>Not thread-safe: guarded by the group coordinator's lock.
 */
final class PendingTransactionalOffsets {

    /** An offset waiting for its transaction, with the coordinator's sequence number of the write that holds it. */
    record Pending(CommittedOffset offset, long writeSequence) {}

    private final Map<Long, Map<OffsetKey, Pending>> byProducer = new HashMap<>();

    void add(long producerId, OffsetKey key, CommittedOffset offset, long writeSequence) {
        byProducer.computeIfAbsent(producerId, id -> new HashMap<>()).put(key, new Pending(offset, writeSequence));
    }

    /**
     * Removes the offsets of {@code producerId}'s transaction for the groups that {@code inPartition} accepts (those
     * whose offsets live in the {@code __consumer_offsets} partition the marker was written to).
     *
     * @return the offsets removed
     */
    Map<OffsetKey, Pending> end(long producerId, Predicate<String> inPartition) {
        Map<OffsetKey, Pending> pending = byProducer.get(producerId);
        Map<OffsetKey, Pending> ended = new HashMap<>();
        if (pending == null) {
            return ended;
        }
        for (Iterator<Map.Entry<OffsetKey, Pending>> it = pending.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<OffsetKey, Pending> e = it.next();
            if (inPartition.test(e.getKey().group())) {
                ended.put(e.getKey(), e.getValue());
                it.remove();
            }
        }
        if (pending.isEmpty()) {
            byProducer.remove(producerId);
        }
        return ended;
    }

    /** Whether an open transaction has committed an offset for this partition of the group. */
    boolean isPending(OffsetKey key) {
        for (Map<OffsetKey, Pending> pending : byProducer.values()) {
            if (pending.containsKey(key)) {
                return true;
            }
        }
        return false;
    }
}
