package io.samsa.log.internal;

import io.samsa.log.ProducerStateEntry;
import io.samsa.log.RecordBatchView;
import io.samsa.log.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Idempotent-producer state of one partition, with Kafka's rules for a leader append: a batch whose (epoch,
 * first sequence, last sequence) matches one of the producer's last five batches is a duplicate; an older epoch is
 * fenced (INVALID_PRODUCER_EPOCH); a newer epoch of a known producer must start at sequence 0; within an epoch the
 * first sequence must follow the last one (wrapping to 0 after Integer.MAX_VALUE); an unknown producer may start
 * anywhere. The state is snapshotted to {@code <offset>.snapshot} files and rebuilt on load by replaying the batches
 * after the latest snapshot.
 *
 * <p>Not implemented yet: producer id expiration (producer.id.expiration.ms) and transaction state.
 *
 * <p>Thread-safety: mutators run under the log's append lock; {@link #activeProducers()} may be called from any
 * thread (the map is concurrent and its values immutable).
 */
public final class ProducerStateManager {

    private static final Logger LOG = LoggerFactory.getLogger(ProducerStateManager.class);
    private static final int SNAPSHOTS_TO_KEEP = 3;

    private final Path dir;
    private final Map<Long, ProducerState> producers = new ConcurrentHashMap<>();

    /** The outcome of checking a leader append against the producer state. */
    public sealed interface Check {}

    /** Every producer batch in the request was appended before; the offsets are those of the originals. */
    public record Duplicate(long firstOffset, long lastOffset, long timestamp) implements Check {}

    /** The batches may be appended; {@link #commit} the updates after writing them. */
    public record Accepted(Map<Long, ProducerState> updates) implements Check {}

    public ProducerStateManager(Path dir) {
        this.dir = dir;
    }

    /**
     * Checks the batches of one leader append, as if written from {@code firstOffset} on, without changing state.
     *
     * @param appendTimeMs the LogAppendTime to record, or -1 to use each batch's max timestamp
     * @throws StorageException INVALID_PRODUCER_EPOCH or OUT_OF_ORDER_SEQUENCE
     */
    public Check check(List<RecordBatchView> batches, long firstOffset, long appendTimeMs) {
        Map<Long, ProducerState> updates = new HashMap<>();
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
            ProducerState.Batch duplicate =
                    committed.findDuplicate(batch.producerEpoch(), batch.baseSequence(), batch.lastSequence());
            if (duplicate != null) {
                // Kafka answers the whole request with the original's offsets as soon as it meets a duplicate.
                firstDuplicate = firstDuplicate == null ? duplicate : firstDuplicate;
                lastDuplicate = duplicate;
                continue;
            }
            ProducerState current = updates.getOrDefault(producerId, committed);
            checkEpochAndSequence(batch, committed, current);
            long timestamp = appendTimeMs >= 0 ? appendTimeMs : batch.maxTimestamp();
            updates.put(producerId, current.withBatch(batch.producerEpoch(), new ProducerState.Batch(
                    batch.baseSequence(), batch.lastSequence(), batchFirstOffset, offset - 1, timestamp)));
        }
        if (firstDuplicate != null) {
            return new Duplicate(firstDuplicate.firstOffset(), lastDuplicate.lastOffset(), lastDuplicate.timestamp());
        }
        return new Accepted(updates);
    }

    private static void checkEpochAndSequence(RecordBatchView batch, ProducerState committed, ProducerState current) {
        short epoch = batch.producerEpoch();
        int firstSeq = batch.baseSequence();
        if (epoch < current.epoch()) {
            throw new StorageException(StorageException.Kind.INVALID_PRODUCER_EPOCH, "Producer "
                    + batch.producerId() + " has epoch " + epoch + " but the current epoch is " + current.epoch());
        }
        if (epoch != current.epoch()) {
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
        producers.putAll(accepted.updates());
    }

    /** Updates the state from a batch already in the log (recovery), without checks. */
    public void replay(RecordBatchView batch) {
        if (!batch.hasProducerId() || batch.isControl()) {
            return;
        }
        long producerId = batch.producerId();
        ProducerState current = producers.getOrDefault(producerId, ProducerState.unknown(producerId));
        producers.put(producerId, current.withBatch(batch.producerEpoch(), new ProducerState.Batch(
                batch.baseSequence(), batch.lastSequence(), batch.baseOffset(), batch.lastOffset(),
                batch.maxTimestamp())));
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

    /** Forgets producers whose last batch is below the new log start offset, as Kafka does. */
    public void onLogStartOffsetIncremented(long logStartOffset) {
        producers.values().removeIf(p -> p.lastOffset() < logStartOffset);
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
        List<Long> offsets = snapshotOffsets();
        for (int i = offsets.size() - 1; i >= 0; i--) {
            Path file = SegmentFiles.snapshotFile(dir, offsets.get(i));
            if (offsets.get(i) > logEndOffset) {
                IoErrors.run("delete", file, () -> Files.deleteIfExists(file));
                continue;
            }
            try {
                for (ProducerState p : ProducerSnapshotFile.read(file)) {
                    producers.put(p.producerId(), p);
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
