package io.samsa.log.internal;

import io.samsa.log.ProducerStateEntry;
import io.samsa.log.RecordBatchView;
import java.util.ArrayList;
import java.util.List;

/**
 * What the log remembers of one idempotent producer: its epoch and its last {@value #BATCHES_TO_RETAIN} batches, the
 * window in which a retried batch is recognised as a duplicate (the Java producer keeps at most 5 batches in
 * flight per partition), and its open transaction if it has one.
 *
 * <p>Immutable; thread-safe.
 *
 * @param producerId the producer id
 * @param epoch its current epoch, or -1 for a producer that has no batch in the log
 * @param batches the last batches of the current epoch, oldest first, at most {@value #BATCHES_TO_RETAIN}
 * @param coordinatorEpoch the coordinator epoch of its last transaction marker, -1 before any
 * @param currentTxnStartOffset the offset of the first record of its open transaction, -1 when none is open
 */
public record ProducerState(
        long producerId, short epoch, List<Batch> batches, int coordinatorEpoch, long currentTxnStartOffset) {

    public static final int BATCHES_TO_RETAIN = 5;

    /** The sequence and offset range of one appended batch, and its max timestamp. */
    public record Batch(int firstSeq, int lastSeq, long firstOffset, long lastOffset, long timestamp) {}

    public ProducerState {
        batches = List.copyOf(batches);
    }

    /** The state of a producer id the log has never seen. */
    public static ProducerState unknown(long producerId) {
        return new ProducerState(producerId, (short) -1, List.of(), -1, -1L);
    }

    public boolean isUnknown() {
        return epoch == -1 && batches.isEmpty();
    }

    /** The last appended sequence, or -1 when no batch of this epoch is known. */
    public int lastSeq() {
        return batches.isEmpty() ? RecordBatchView.NO_SEQUENCE : batches.get(batches.size() - 1).lastSeq();
    }

    public long lastOffset() {
        return batches.isEmpty() ? -1 : batches.get(batches.size() - 1).lastOffset();
    }

    public long lastTimestamp() {
        return batches.isEmpty() ? RecordBatchView.NO_TIMESTAMP : batches.get(batches.size() - 1).timestamp();
    }

    /** The retained batch of the same epoch with exactly this sequence range, or null. */
    public Batch findDuplicate(short batchEpoch, int firstSeq, int lastSeq) {
        if (batchEpoch != epoch) {
            return null;
        }
        for (Batch b : batches) {
            if (b.firstSeq() == firstSeq && b.lastSeq() == lastSeq) {
                return b;
            }
        }
        return null;
    }

    /** This state after appending {@code batch} in {@code batchEpoch}; a new epoch forgets the old batches. */
    public ProducerState withBatch(short batchEpoch, Batch batch) {
        List<Batch> next = new ArrayList<>(batchEpoch == epoch ? batches : List.of());
        next.add(batch);
        while (next.size() > BATCHES_TO_RETAIN) {
            next.remove(0);
        }
        return new ProducerState(producerId, batchEpoch, next, coordinatorEpoch, currentTxnStartOffset);
    }

    public boolean hasOpenTransaction() {
        return currentTxnStartOffset >= 0;
    }

    /** This state with a transaction open from {@code firstOffset}. */
    public ProducerState withTransactionStartedAt(long firstOffset) {
        return new ProducerState(producerId, epoch, batches, coordinatorEpoch, firstOffset);
    }

    /**
     * This state after a transaction marker written at {@code markerEpoch}: no transaction is open any more, and a
     * marker of a newer epoch (the coordinator bumped it to fence the previous producer) forgets the old batches, so
     * the new epoch starts at sequence 0.
     */
    public ProducerState afterMarker(short markerEpoch, int markerCoordinatorEpoch) {
        return new ProducerState(producerId, markerEpoch, markerEpoch == epoch ? batches : List.of(),
                markerCoordinatorEpoch, -1L);
    }

    public ProducerStateEntry toEntry() {
        return new ProducerStateEntry(
                producerId, epoch, lastSeq(), lastTimestamp(), coordinatorEpoch, currentTxnStartOffset);
    }
}
