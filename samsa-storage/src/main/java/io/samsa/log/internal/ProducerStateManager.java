package io.samsa.log.internal;

import io.samsa.log.AppendOrigin;
import io.samsa.log.ProducerStateEntry;
import io.samsa.log.RecordBatchView;
import io.samsa.log.StorageException;
import io.samsa.log.TransactionMarker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Idempotent-producer and transaction state of one partition, with Kafka's rules for a leader append: a batch whose
 * (epoch, first sequence, last sequence) matches one of the producer's last five batches is a duplicate; an older
 * epoch is fenced (INVALID_PRODUCER_EPOCH); a newer epoch of a known producer must start at sequence 0; within an
 * epoch the first sequence must follow the last one (wrapping to 0 after Integer.MAX_VALUE); an unknown producer may
 * start anywhere. Sequences and duplicates are checked for producers only ({@link AppendOrigin#CLIENT}), not for a
 * coordinator's writes.
 *
 * <p>Transactions: a transactional batch opens a transaction for its producer unless one is open; a
 * non-transactional batch while one is open is INVALID_TXN_STATE; a transaction marker (control batch) closes it,
 * unless its producer epoch is older (INVALID_PRODUCER_EPOCH) or its coordinator epoch older than the last marker's
 * (TRANSACTION_COORDINATOR_FENCED). The first offsets of the open transactions give the partition's first unstable
 * offset.
 *
 * <p>The state is snapshotted to {@code <offset>.snapshot} files (open transactions included) and rebuilt on load by
 * replaying the batches after the latest snapshot. Not implemented yet: producer id expiration
 * (producer.id.expiration.ms).
 *
 * <p>Thread-safety: mutators run under the log's append lock; {@link #activeProducers()} and
 * {@link #firstOpenTransactionOffset()} may be called from any thread (the maps are concurrent and their values
 * immutable).
 */
public final class ProducerStateManager {

    private static final Logger LOG = LoggerFactory.getLogger(ProducerStateManager.class);
    private static final int SNAPSHOTS_TO_KEEP = 3;

    private final Path dir;
    private final Map<Long, ProducerState> producers = new ConcurrentHashMap<>();
    /** First offset of each open transaction → its producer id. */
    private final ConcurrentSkipListMap<Long, Long> openTransactions = new ConcurrentSkipListMap<>();

    /** The outcome of checking a leader append against the producer state. */
    public sealed interface Check {}

    /** Every producer batch in the request was appended before; the offsets are those of the originals. */
    public record Duplicate(long firstOffset, long lastOffset, long timestamp) implements Check {}

    /**
     * The batches may be appended; {@link #commit} the updates after writing them.
     *
     * @param updates the new state of each producer the batches touch
     * @param completed the transactions the batches' markers end, in log order
     */
    public record Accepted(Map<Long, ProducerState> updates, List<CompletedTxn> completed) implements Check {}

    /**
     * A transaction a marker ended.
     *
     * @param producerId its producer
     * @param firstOffset the offset of its first record
     * @param lastOffset the offset of the marker
     * @param aborted true when the marker aborted it
     */
    public record CompletedTxn(long producerId, long firstOffset, long lastOffset, boolean aborted) {}

    public ProducerStateManager(Path dir) {
        this.dir = dir;
    }

    /**
     * Checks the batches of one leader append, as if written from {@code firstOffset} on, without changing state.
     * Control batches must be whole (their marker record is read).
     *
     * @param appendTimeMs the LogAppendTime to record, or -1 to use each batch's max timestamp
     * @throws StorageException INVALID_PRODUCER_EPOCH, OUT_OF_ORDER_SEQUENCE, INVALID_TXN_STATE or
     *     TRANSACTION_COORDINATOR_FENCED
     */
    public Check check(List<RecordBatchView> batches, long firstOffset, long appendTimeMs, AppendOrigin origin) {
        Map<Long, ProducerState> updates = new HashMap<>();
        List<CompletedTxn> completed = new ArrayList<>();
        ProducerState.Batch firstDuplicate = null;
        ProducerState.Batch lastDuplicate = null;
        long offset = firstOffset;
        for (RecordBatchView batch : batches) {
            long batchFirstOffset = offset;
            offset += batch.lastOffsetDelta() + 1L;
            if (!batch.hasProducerId()) {
                continue;
            }
            long producerId = batch.producerId();
            ProducerState committed = producers.getOrDefault(producerId, ProducerState.unknown(producerId));
            if (origin == AppendOrigin.CLIENT) {
                ProducerState.Batch duplicate =
                        committed.findDuplicate(batch.producerEpoch(), batch.baseSequence(), batch.lastSequence());
                if (duplicate != null) {
                    // Kafka answers the whole request with the original's offsets as soon as it meets a duplicate.
                    firstDuplicate = firstDuplicate == null ? duplicate : firstDuplicate;
                    lastDuplicate = duplicate;
                    continue;
                }
            }
            ProducerState current = updates.getOrDefault(producerId, committed);
            checkEpoch(batch, current);
            if (batch.isControl()) {
                ProducerState ended = endTransaction(batch, batchFirstOffset, current, completed);
                updates.put(producerId, ended);
                continue;
            }
            if (origin == AppendOrigin.CLIENT) {
                checkSequence(batch, committed, current);
            }
            long timestamp = appendTimeMs >= 0 ? appendTimeMs : batch.maxTimestamp();
            updates.put(producerId, withDataBatch(current, batch, batchFirstOffset, offset - 1, timestamp));
        }
        if (firstDuplicate != null) {
            return new Duplicate(firstDuplicate.firstOffset(), lastDuplicate.lastOffset(), lastDuplicate.timestamp());
        }
        return new Accepted(updates, completed);
    }

    /** The state after a data batch; opening a transaction, or refusing a plain batch inside an open one. */
    private static ProducerState withDataBatch(ProducerState current, RecordBatchView batch, long firstOffset,
            long lastOffset, long timestamp) {
        if (!batch.isTransactional() && current.hasOpenTransaction()) {
            throw new StorageException(StorageException.Kind.INVALID_TXN_STATE, "Expected a transactional write"
                    + " from producer " + batch.producerId() + " at offset " + firstOffset
                    + ": its transaction is open since offset " + current.currentTxnStartOffset());
        }
        ProducerState next = current.withBatch(batch.producerEpoch(), new ProducerState.Batch(
                batch.baseSequence(), batch.lastSequence(), firstOffset, lastOffset, timestamp));
        return batch.isTransactional() && !next.hasOpenTransaction() ? next.withTransactionStartedAt(firstOffset)
                : next;
    }

    /** The state after a transaction marker at {@code offset}; the transaction it ends goes to {@code completed}. */
    private static ProducerState endTransaction(RecordBatchView marker, long offset, ProducerState current,
            List<CompletedTxn> completed) {
        TransactionMarker end = TransactionMarker.read(marker);
        if (end == null) {
            return current;
        }
        if (current.coordinatorEpoch() > end.coordinatorEpoch()) {
            throw new StorageException(StorageException.Kind.TRANSACTION_COORDINATOR_FENCED, "Transaction marker for"
                    + " producer " + marker.producerId() + " from coordinator epoch " + end.coordinatorEpoch()
                    + ", older than the last one seen, " + current.coordinatorEpoch());
        }
        // A marker of a transaction with no data here (the producer wrote nothing to this partition) ends nothing.
        if (current.hasOpenTransaction()) {
            completed.add(new CompletedTxn(marker.producerId(), current.currentTxnStartOffset(), offset,
                    !end.commit()));
        }
        return current.afterMarker(marker.producerEpoch(), end.coordinatorEpoch());
    }

    private static void checkEpoch(RecordBatchView batch, ProducerState current) {
        if (batch.producerEpoch() < current.epoch()) {
            throw new StorageException(StorageException.Kind.INVALID_PRODUCER_EPOCH, "Producer "
                    + batch.producerId() + " has epoch " + batch.producerEpoch() + " but the current epoch is "
                    + current.epoch());
        }
    }

    private static void checkSequence(RecordBatchView batch, ProducerState committed, ProducerState current) {
        int firstSeq = batch.baseSequence();
        if (batch.producerEpoch() != current.epoch()) {
            if (firstSeq != 0 && current.epoch() != -1) {
                throw outOfOrder(batch, "a new epoch must start at sequence 0");
            }
            return;
        }
        int lastSeq = current.lastSeq();
        // With no known epoch (all its batches removed by retention) any sequence is accepted, as in Kafka.
        if (committed.epoch() != -1 && !follows(lastSeq, firstSeq)) {
            throw outOfOrder(batch, "expected sequence " + RecordBatchView.incrementSequence(lastSeq, 1));
        }
    }

    private static boolean follows(int lastSeq, int nextSeq) {
        return nextSeq == lastSeq + 1L || (nextSeq == 0 && lastSeq == Integer.MAX_VALUE);
    }

    private static StorageException outOfOrder(RecordBatchView batch, String why) {
        return new StorageException(StorageException.Kind.OUT_OF_ORDER_SEQUENCE, "Out of order sequence "
                + batch.baseSequence() + " from producer " + batch.producerId() + " at epoch "
                + batch.producerEpoch() + ": " + why);
    }

    /** Applies the updates of an {@link Accepted} check once its batches are written. */
    public void commit(Accepted accepted) {
        accepted.updates().values().forEach(this::put);
    }

    /**
     * Updates the state from a batch already in the log (recovery), without checks.
     *
     * @param batch the batch; whole when it is a control batch, else its header is enough
     * @return the transaction its marker ended, or null
     */
    public CompletedTxn replay(RecordBatchView batch) {
        if (!batch.hasProducerId()) {
            return null;
        }
        long producerId = batch.producerId();
        ProducerState current = producers.getOrDefault(producerId, ProducerState.unknown(producerId));
        if (batch.isControl()) {
            List<CompletedTxn> completed = new ArrayList<>(1);
            put(endTransaction(batch, batch.baseOffset(), current, completed));
            return completed.isEmpty() ? null : completed.get(0);
        }
        ProducerState next = current.withBatch(batch.producerEpoch(), new ProducerState.Batch(batch.baseSequence(),
                batch.lastSequence(), batch.baseOffset(), batch.lastOffset(), batch.maxTimestamp()));
        put(batch.isTransactional() && !next.hasOpenTransaction()
                ? next.withTransactionStartedAt(batch.baseOffset()) : next);
        return null;
    }

    /** Stores a producer's new state, keeping the index of open transactions in step. */
    private void put(ProducerState next) {
        ProducerState previous = producers.put(next.producerId(), next);
        if (previous != null && previous.hasOpenTransaction()
                && previous.currentTxnStartOffset() != next.currentTxnStartOffset()) {
            openTransactions.remove(previous.currentTxnStartOffset());
        }
        if (next.hasOpenTransaction()) {
            openTransactions.put(next.currentTxnStartOffset(), next.producerId());
        }
    }

    /** The first offset of the oldest open transaction, or -1 when none is open. */
    public long firstOpenTransactionOffset() {
        Map.Entry<Long, Long> first = openTransactions.firstEntry();
        return first == null ? -1 : first.getKey();
    }

    /**
     * Kafka's last stable offset once {@code completed} has ended (its state committed): the first offset of the
     * oldest transaction of another producer still open, else the offset after its marker.
     */
    public long lastStableOffsetAfter(CompletedTxn completed) {
        for (Map.Entry<Long, Long> open : openTransactions.entrySet()) {
            if (open.getValue() != completed.producerId()) {
                return open.getKey();
            }
        }
        return completed.lastOffset() + 1;
    }

    public Collection<ProducerStateEntry> activeProducers() {
        List<ProducerStateEntry> entries = new ArrayList<>();
        for (ProducerState p : producers.values()) {
            entries.add(p.toEntry());
        }
        return entries;
    }

    /**
     * Each known producer's last batch's last offset (Kafka's lastRecordsOfActiveProducers): the log cleaner keeps
     * those batches, emptied if need be, so that a producer's sequence and epoch survive cleaning.
     */
    public Map<Long, Long> lastBatchOffsets() {
        Map<Long, Long> offsets = new HashMap<>();
        for (ProducerState p : producers.values()) {
            if (p.lastOffset() >= 0) {
                offsets.put(p.producerId(), p.lastOffset());
            }
        }
        return offsets;
    }

    /**
     * Forgets producers whose last batch is below the new log start offset, as Kafka does, but not one with an open
     * transaction: its marker is still to come.
     */
    public void onLogStartOffsetIncremented(long logStartOffset) {
        producers.values().removeIf(p -> p.lastOffset() < logStartOffset && !p.hasOpenTransaction());
    }

    /** Writes {@code <offset>.snapshot} with the state after all batches below {@code offset}; keeps the last few. */
    public void takeSnapshot(long offset) {
        ProducerSnapshotFile.write(SegmentFiles.snapshotFile(dir, offset), producers.values());
        List<Long> offsets = snapshotOffsets();
        for (int i = 0; i < offsets.size() - SNAPSHOTS_TO_KEEP; i++) {
            Path old = SegmentFiles.snapshotFile(dir, offsets.get(i));
            IoErrors.run("delete", old, () -> Files.deleteIfExists(old));
        }
    }

    /**
     * Replaces the state with that of the latest readable snapshot at or below {@code logEndOffset}, deleting
     * snapshots above it and unreadable ones.
     *
     * @return the snapshot's offset, from which the caller replays the log; -1 when there is none (replay all)
     */
    public long loadLatestSnapshot(long logEndOffset) {
        producers.clear();
        openTransactions.clear();
        List<Long> offsets = snapshotOffsets();
        for (int i = offsets.size() - 1; i >= 0; i--) {
            Path file = SegmentFiles.snapshotFile(dir, offsets.get(i));
            if (offsets.get(i) > logEndOffset) {
                IoErrors.run("delete", file, () -> Files.deleteIfExists(file));
                continue;
            }
            try {
                for (ProducerState p : ProducerSnapshotFile.read(file)) {
                    put(p);
                }
                return offsets.get(i);
            } catch (IOException e) {
                LOG.warn("Deleting unreadable producer snapshot {}: {}", file, e.getMessage());
                IoErrors.run("delete", file, () -> Files.deleteIfExists(file));
            }
        }
        return -1;
    }

    /** Offsets of the snapshot files in the directory, ascending. */
    public List<Long> snapshotOffsets() {
        return IoErrors.call("list snapshots in", dir, () -> {
            try (Stream<Path> files = Files.list(dir)) {
                return files.map(f -> SegmentFiles.parseOffset(f.getFileName().toString(),
                                SegmentFiles.SNAPSHOT_SUFFIX))
                        .filter(o -> o >= 0)
                        .sorted()
                        .toList();
            }
        });
    }
}
