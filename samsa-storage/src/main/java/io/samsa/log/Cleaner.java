package io.samsa.log;

import io.samsa.log.internal.KeyOffsetMap;
import io.samsa.log.internal.LogSegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cleans one compacted log, as Kafka's Cleaner does, in our own code:
 * <ol>
 *   <li>maps each key of the dirty part [first dirty offset, first uncleanable offset) to its latest offset, in
 *       bounded memory; when the map fills up the clean stops at the last batch it mapped and the rest waits;
 *   <li>groups the closed segments from the log start to the end of the mapped part so that each group fits in
 *       segment.bytes (small cleaned segments merge), and rewrites each group into one segment, keeping offsets;
 *   <li>keeps a record when it is past the mapped part, or is the latest of its key and either has a value or is a
 *       tombstone whose delete horizon has not passed; records without a key are dropped;
 *   <li>sets the delete horizon (now + delete.retention.ms, KIP-534, in the batch header) of a batch the first time a
 *       clean keeps a tombstone of it; a later clean past that horizon drops the tombstone;
 *   <li>keeps the last batch of each producer, emptied of its records if need be, so that its sequence and epoch
 *       survive, and the last batch of each group, so that a cleaned segment ends exactly where its group ended
 *       (which the crash recovery of a swap relies on);
 *   <li>keeps control batches (transaction markers) as they are, and drops the records of batches the log reports
 *       as aborted by the transaction index (see {@link Log#abortedBatches});
 *   <li>swaps each cleaned segment in crash-safely ({@link Log#replaceSegments}) and checkpoints the end of the
 *       mapped part as the next first dirty offset.
 * </ol>
 * Batches are rewritten only when a record goes or a delete horizon is set; a rewritten batch keeps its codec, its
 * producer fields and its last offset delta (so the producer's last sequence stays), with fewer records.
 *
 * <p>Not thread-safe: one cleaner per cleaner thread (it owns the key map and buffers).
 */
final class Cleaner {

    private static final Logger LOG = LoggerFactory.getLogger(Cleaner.class);

    /** What one clean achieved. */
    enum Outcome {
        /** The log was cleaned and its checkpoint moved. */
        CLEANED,
        /** The log changed under the cleaner (truncation, retention, close); the next clean starts over. */
        LOG_CHANGED,
        /** Not even one batch of the dirty part fits in the key map; cleaning this log cannot progress. */
        NO_PROGRESS
    }

    /** Thrown out of a clean that was asked to stop (the log is being deleted or the broker is stopping). */
    static final class Aborted extends RuntimeException {
        Aborted() {
            super("cleaning aborted", null, false, false);
        }
    }

    private final KeyOffsetMap map;
    private final int ioBufferSize;
    private final LongSupplier nowMs;
    private final Consumer<SwapStep> steps;

    /**
     * @param steps told at each step of a segment swap (tests simulate crashes there); a no-op otherwise
     */
    Cleaner(CleanerConfig config, LongSupplier nowMs, Consumer<SwapStep> steps) {
        this.map = new KeyOffsetMap(config.dedupeBufferPerThread(), config.loadFactor());
        this.ioBufferSize = config.ioBufferSize();
        this.nowMs = nowMs;
        this.steps = steps;
    }

    /**
     * Cleans {@code target.log()} from its start to at most {@code target.firstUncleanableOffset()}.
     *
     * @param abortRequested polled between batches; when it turns true the clean throws {@link Aborted}, leaving
     *     the log as it was (cleaned files of the current group are deleted)
     */
    Outcome clean(LogToClean target, BooleanSupplier abortRequested) {
        Log log = target.log();
        long truncations = log.truncations();
        long now = nowMs.getAsLong();
        Predicate<RecordBatchView> aborted =
                log.abortedBatches(target.firstDirtyOffset(), target.firstUncleanableOffset());
        buildOffsetMap(log, target.firstDirtyOffset(), target.firstUncleanableOffset(), aborted, abortRequested);
        long endOffset = map.latestOffset() + 1;
        if (endOffset <= target.firstDirtyOffset()) {
            return Outcome.NO_PROGRESS;
        }
        Map<Long, Long> lastBatchOfProducer = log.lastBatchOffsetsOfProducers();
        List<List<LogSegment>> groups = groupBySize(log.closedSegmentsBelow(endOffset), log.config(), endOffset);
        LOG.info("{}: cleaning offsets {} to {} ({} keys mapped from offset {}) into {} segment(s)",
                log.topicPartition(), log.logStartOffset(), endOffset - 1, map.size(), target.firstDirtyOffset(),
                groups.size());
        for (List<LogSegment> group : groups) {
            GroupFilter filter = new GroupFilter(log, now, aborted, lastBatchOfProducer);
            if (!cleanGroup(log, group, filter, truncations, abortRequested)) {
                return Outcome.LOG_CHANGED;
            }
        }
        log.markCleanedUpTo(endOffset, truncations);
        return Outcome.CLEANED;
    }

    private void buildOffsetMap(Log log, long firstDirty, long upperBound, Predicate<RecordBatchView> aborted,
            BooleanSupplier abortRequested) {
        map.clear();
        map.updateLatestOffset(firstDirty - 1);
        List<LogSegment> segments = log.closedSegmentsBelow(upperBound);
        for (int i = 0; i < segments.size(); i++) {
            long segmentEnd = i + 1 < segments.size() ? segments.get(i + 1).baseOffset() : upperBound;
            if (segmentEnd <= firstDirty) {
                continue;
            }
            boolean[] full = {false};
            segments.get(i).forEachBatch(ioBufferSize, batch -> {
                checkAbort(abortRequested);
                if (batch.lastOffset() < firstDirty) {
                    return true;
                }
                if (!batch.isControl() && !aborted.test(batch) && !mapKeys(batch, log.compression(), firstDirty)) {
                    full[0] = true;
                    return false;
                }
                map.updateLatestOffset(batch.lastOffset());
                return true;
            });
            if (full[0]) {
                return;
            }
            // Offsets past the segment's last batch (removed by earlier cleans) are covered too.
            map.updateLatestOffset(segmentEnd - 1);
        }
    }

    /** Maps the batch's keys; false when the map filled up before the end of the batch. */
    private boolean mapKeys(RecordBatchView batch, BatchCompression codecs, long firstDirty) {
        try (BatchRecordReader reader = BatchRecordReader.open(batch, codecs)) {
            for (BatchRecord record = reader.next(); record != null; record = reader.next()) {
                long offset = batch.baseOffset() + record.offsetDelta();
                if (record.hasKey() && offset >= firstDirty) {
                    if (map.isFull()) {
                        return false;
                    }
                    map.put(record.key(), offset);
                }
            }
        }
        return true;
    }

    /**
     * Kafka's grouping: consecutive segments whose total log size fits in segment.bytes, whose index sizes fit in
     * segment.index.bytes and whose offsets stay within Integer.MAX_VALUE of the group's base offset.
     */
    static List<List<LogSegment>> groupBySize(List<LogSegment> segments, LogConfig config, long endOffset) {
        List<List<LogSegment>> groups = new ArrayList<>();
        int i = 0;
        while (i < segments.size()) {
            List<LogSegment> group = new ArrayList<>();
            LogSegment first = segments.get(i++);
            group.add(first);
            long logBytes = first.size();
            long indexBytes = indexBytes(first);
            while (i < segments.size()) {
                LogSegment next = segments.get(i);
                long lastOffsetBound = (i + 1 < segments.size() ? segments.get(i + 1).baseOffset() : endOffset) - 1;
                if (logBytes + next.size() > config.segmentBytes()
                        || indexBytes + indexBytes(next) > config.segmentIndexBytes()
                        || (next.size() > 0 && lastOffsetBound - first.baseOffset() > Integer.MAX_VALUE)) {
                    break;
                }
                group.add(next);
                logBytes += next.size();
                indexBytes += indexBytes(next);
                i++;
            }
            groups.add(group);
        }
        return groups;
    }

    /** The larger of a segment's two index files, both bounded by segment.index.bytes. */
    private static long indexBytes(LogSegment segment) {
        return Math.max((long) segment.offsetIndex().entries() * 8, (long) segment.timeIndex().entries() * 12);
    }

    /** Rewrites one group into one cleaned segment and swaps it in; false when the log changed meanwhile. */
    private boolean cleanGroup(Log log, List<LogSegment> group, GroupFilter filter, long truncations,
            BooleanSupplier abortRequested) {
        LogConfig config = log.config();
        LogSegment first = group.get(0);
        LogSegment cleaned = LogSegment.createCleaned(log.dir(), first.baseOffset(), config.indexIntervalBytes(),
                config.segmentIndexBytes(), nowMs.getAsLong());
        try {
            SegmentWriter out = new SegmentWriter(cleaned, ioBufferSize);
            for (int i = 0; i < group.size(); i++) {
                LogSegment segment = group.get(i);
                boolean lastSegment = i == group.size() - 1;
                int end = segment.size();
                int[] position = {0};
                segment.forEachBatch(ioBufferSize, batch -> {
                    checkAbort(abortRequested);
                    position[0] += batch.sizeInBytes();
                    ByteBuffer kept = filter.apply(batch, lastSegment && position[0] == end);
                    if (kept != null) {
                        out.add(kept);
                    }
                    return true;
                });
            }
            out.flush();
            // Aborted transactions stay listed: a read_committed reader still needs them for any of their records
            // the cleaner kept (markers, and records of a transaction whose abort lies past this clean).
            for (LogSegment segment : group) {
                segment.txnIndex().entries().forEach(cleaned.txnIndex()::append);
            }
            cleaned.onBecomeInactive();
            cleaned.flush();
        } catch (RuntimeException e) {
            cleaned.deleteFiles();
            throw e;
        }
        // From here a crash leaves files the next open of the log sorts out (see SegmentSwaps).
        steps.accept(SwapStep.CLEANED_WRITTEN);
        if (!log.replaceSegments(cleaned, group, truncations, steps)) {
            cleaned.deleteFiles();
            return false;
        }
        return true;
    }

    private static void checkAbort(BooleanSupplier abortRequested) {
        if (abortRequested.getAsBoolean()) {
            throw new Aborted();
        }
    }

    /** Decides what of each batch of a group stays (Kafka's cleaner filter). */
    private final class GroupFilter {
        private final Log log;
        private final long now;
        private final Predicate<RecordBatchView> aborted;
        private final Map<Long, Long> lastBatchOfProducer;

        GroupFilter(Log log, long now, Predicate<RecordBatchView> aborted, Map<Long, Long> lastBatchOfProducer) {
            this.log = log;
            this.now = now;
            this.aborted = aborted;
            this.lastBatchOfProducer = lastBatchOfProducer;
        }

        /** The bytes to write for {@code batch}: itself, a rewritten copy, an empty batch, or null to drop it. */
        ByteBuffer apply(RecordBatchView batch, boolean lastOfGroup) {
            if (batch.isControl()) {
                return batch.slice();
            }
            boolean keepEmpty = lastOfGroup || (batch.hasProducerId()
                    && Objects.equals(lastBatchOfProducer.get(batch.producerId()), batch.lastOffset()));
            if (aborted.test(batch)) {
                return keepEmpty ? BatchWriter.emptyLike(batch) : null;
            }
            List<BatchRecord> kept = new ArrayList<>();
            boolean tombstones = false;
            int read = 0;
            try (BatchRecordReader reader = BatchRecordReader.open(batch, log.compression())) {
                for (BatchRecord record = reader.next(); record != null; record = reader.next()) {
                    read++;
                    if (retains(batch, record)) {
                        kept.add(record);
                        tombstones |= !record.hasValue();
                    }
                }
            }
            if (kept.isEmpty()) {
                return keepEmpty ? BatchWriter.emptyLike(batch) : null;
            }
            boolean setHorizon = tombstones && !batch.hasDeleteHorizon();
            if (kept.size() == read && !setHorizon) {
                return batch.slice();
            }
            BatchWriter writer = BatchWriter.like(batch);
            if (setHorizon) {
                writer.deleteHorizon(now + log.config().deleteRetentionMs());
            }
            kept.forEach(writer::add);
            return writer.build(log.compression());
        }

        private boolean retains(RecordBatchView batch, BatchRecord record) {
            long offset = batch.baseOffset() + record.offsetDelta();
            if (offset > map.latestOffset()) {
                return true;
            }
            if (!record.hasKey() || offset < map.get(record.key())) {
                return false;
            }
            // A batch's base timestamp holds its delete horizon once set.
            return record.hasValue() || !batch.hasDeleteHorizon() || now < batch.baseTimestamp();
        }
    }

    /** Buffers cleaned batches and appends them to the cleaned segment in large writes. */
    private static final class SegmentWriter {
        private final LogSegment segment;
        private ByteBuffer buffer;
        private final List<Integer> starts = new ArrayList<>();

        SegmentWriter(LogSegment segment, int bufferSize) {
            this.segment = segment;
            this.buffer = ByteBuffer.allocate(bufferSize);
        }

        void add(ByteBuffer batch) {
            if (batch.remaining() > buffer.remaining()) {
                flush();
                if (batch.remaining() > buffer.capacity()) {
                    buffer = ByteBuffer.allocate(batch.remaining());
                }
            }
            starts.add(buffer.position());
            buffer.put(batch.duplicate());
        }

        void flush() {
            if (starts.isEmpty()) {
                return;
            }
            ByteBuffer records = buffer.duplicate().flip();
            List<RecordBatchView> views = new ArrayList<>(starts.size());
            for (int start : starts) {
                views.add(RecordBatchView.at(records, start));
            }
            segment.append(records, views);
            starts.clear();
            buffer.clear();
        }
    }
}
