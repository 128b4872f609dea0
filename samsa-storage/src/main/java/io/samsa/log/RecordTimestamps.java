package io.samsa.log;

import java.nio.ByteBuffer;
import java.util.OptionalLong;

/**
 * The timestamp of the record at an offset, found the way a fetch finds it: the sparse offset index gives the
 * position of a batch at or before the offset, and only the batches from there to the one that holds the offset are
 * read (usually one). Consumer lag in seconds needs this for every group and partition at every scrape, so it must
 * never scan a log.
 *
 * <p>Thread-safe: it uses the log's concurrent read path only.
 */
public final class RecordTimestamps {

    /** A read of this size returns the batch holding the offset and usually the next few, never a segment. */
    private static final int READ_BYTES = 16 * 1024;
    /** Bounds the walk over control batches (transaction markers) and compacted gaps. */
    private static final int MAX_READS = 8;

    private RecordTimestamps() {}

    /**
     * The timestamp of the first data record at or after {@code offset} and below {@code upperBound} (the high
     * watermark): transaction markers are skipped, as a consumer never sees them, and an offset removed by compaction
     * resolves to the next record that is still there. For a LogAppendTime batch every record has the batch's time.
     *
     * @return the timestamp in milliseconds, or empty when no data record lies in {@code [offset, upperBound)} (or
     *     its timestamp is unknown, -1)
     */
    public static OptionalLong firstTimestampAtOrAfter(Log log, long offset, long upperBound) {
        long from = Math.max(offset, log.logStartOffset());
        for (int reads = 0; reads < MAX_READS && from < upperBound; reads++) {
            ByteBuffer batches;
            try {
                batches = log.read(from, READ_BYTES, upperBound, true).records();
            } catch (StorageException e) {
                // The log start moved past the offset (retention) between the two reads: start again from it.
                from = Math.max(from, log.logStartOffset());
                continue;
            }
            if (!batches.hasRemaining()) {
                return OptionalLong.empty();
            }
            int position = batches.position();
            while (position < batches.limit()) {
                RecordBatchView batch = RecordBatchView.at(batches, position);
                position += batch.sizeInBytes();
                if (batch.isControl() || batch.lastOffset() < from) {
                    from = Math.max(from, batch.nextOffset());
                    continue;
                }
                long found = timestampIn(batch, from, log.compression());
                if (found != Long.MIN_VALUE) {
                    return found < 0 ? OptionalLong.empty() : OptionalLong.of(found);
                }
                from = batch.nextOffset();
            }
        }
        return OptionalLong.empty();
    }

    /** The timestamp of the first record of {@code batch} at or after {@code offset}, or MIN_VALUE if none. */
    private static long timestampIn(RecordBatchView batch, long offset, BatchCompression codecs) {
        // With LogAppendTime every record has the batch's time; otherwise each record has its own.
        return batch.isLogAppendTime() ? batch.maxTimestamp() : firstRecordTimestamp(batch, offset, codecs);
    }

    private static long firstRecordTimestamp(RecordBatchView batch, long offset, BatchCompression codecs) {
        if (!batch.isCompressed()) {
            long[] found = {Long.MIN_VALUE};
            batch.forEachRecord((recordOffset, timestamp) -> {
                if (recordOffset >= offset) {
                    found[0] = timestamp;
                    return false;
                }
                return true;
            });
            return found[0];
        }
        try (BatchRecordReader reader = BatchRecordReader.open(batch, codecs)) {
            for (BatchRecord record = reader.next(); record != null; record = reader.next()) {
                if (batch.baseOffset() + record.offsetDelta() >= offset) {
                    return batch.baseTimestamp() + record.timestampDelta();
                }
            }
        }
        return Long.MIN_VALUE;
    }
}
