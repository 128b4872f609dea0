package io.samsa.log;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.ControlRecordType;
import org.apache.kafka.common.record.EndTransactionMarker;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.SimpleRecord;

/** Builds real v2 batches with kafka-clients and reads logs back through it, for format-level assertions. */
final class TestRecords {

    private TestRecords() {}

    /** One record as read back: offset, timestamp, key, value, first header value, and its batch's epoch. */
    record Read(long offset, long timestamp, String key, String value, String header, int leaderEpoch) {}

    static SimpleRecord record(long timestamp, String key, String value) {
        Header[] headers = {new RecordHeader("h", ("h-" + value).getBytes(StandardCharsets.UTF_8))};
        return new SimpleRecord(timestamp, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8), headers);
    }

    /** An uncompressed batch of records "k<i>"/"v<i>" with timestamps ts, ts+1, ... */
    static ByteBuffer batch(long timestamp, String... values) {
        return MemoryRecords.withRecords(Compression.NONE, records(timestamp, values)).buffer();
    }

    static ByteBuffer gzipBatch(long timestamp, String... values) {
        return MemoryRecords.withRecords(Compression.gzip().build(), records(timestamp, values)).buffer();
    }

    static ByteBuffer idempotentBatch(long producerId, short epoch, int baseSequence, long timestamp,
            String... values) {
        return MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, epoch, baseSequence,
                records(timestamp, values)).buffer();
    }

    static ByteBuffer transactionalBatch(long producerId, short epoch, int baseSequence, long timestamp,
            String... values) {
        return MemoryRecords.withTransactionalRecords(Compression.NONE, producerId, epoch, baseSequence,
                records(timestamp, values)).buffer();
    }

    /** A commit or abort marker, as a transaction coordinator writes it. */
    static ByteBuffer marker(long producerId, short epoch, int coordinatorEpoch, boolean commit, long timestamp) {
        return MemoryRecords.withEndTransactionMarker(timestamp, producerId, epoch, new EndTransactionMarker(
                commit ? ControlRecordType.COMMIT : ControlRecordType.ABORT, coordinatorEpoch)).buffer();
    }

    static SimpleRecord[] records(long timestamp, String... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = record(timestamp + i, "k-" + values[i], values[i]);
        }
        return records;
    }

    /** Concatenates buffers, e.g. several batches of one produce request. */
    static ByteBuffer concat(ByteBuffer... buffers) {
        int size = 0;
        for (ByteBuffer b : buffers) {
            size += b.remaining();
        }
        ByteBuffer all = ByteBuffer.allocate(size);
        for (ByteBuffer b : buffers) {
            all.put(b.duplicate());
        }
        return all.flip();
    }

    /** Every record of the buffer, asserting each batch's CRC with Kafka's own check. */
    static List<Read> readRecords(ByteBuffer buffer) {
        List<Read> out = new ArrayList<>();
        for (RecordBatch batch : MemoryRecords.readableRecords(buffer.duplicate()).batches()) {
            if (!batch.isValid()) {
                throw new AssertionError("invalid batch " + batch);
            }
            for (Record r : batch) {
                Header[] headers = r.headers();
                out.add(new Read(r.offset(), r.timestamp(),
                        r.key() == null ? null : StandardCharsets.UTF_8.decode(r.key()).toString(),
                        StandardCharsets.UTF_8.decode(r.value()).toString(),
                        headers.length == 0 ? null : new String(headers[0].value(), StandardCharsets.UTF_8),
                        batch.partitionLeaderEpoch()));
            }
        }
        return out;
    }

    /** Every record of the log from its start, read in small pieces to cross segments. */
    static List<Read> readAll(Log log) {
        List<Read> out = new ArrayList<>();
        long offset = log.logStartOffset();
        while (offset < log.logEndOffset()) {
            LogReadResult result = log.read(offset, 1, Long.MAX_VALUE, true);
            List<Read> records = readRecords(result.records());
            if (records.isEmpty()) {
                throw new AssertionError("no progress reading at " + offset);
            }
            for (Read r : records) {
                if (r.offset() >= offset) {
                    out.add(r);
                }
            }
            offset = records.get(records.size() - 1).offset() + 1;
        }
        return out;
    }

    /** The values of {@link #readAll}. */
    static List<String> values(Log log) {
        return readAll(log).stream().map(Read::value).toList();
    }

    /** A mutable test config, starting from small segments and an index entry for (nearly) every batch. */
    static final class Config {
        int segmentBytes = 1024 * 1024;
        long segmentMs = Long.MAX_VALUE;
        long retentionMs = -1;
        long retentionBytes = -1;
        long flushMessages = Long.MAX_VALUE;
        long flushMs = Long.MAX_VALUE;
        int maxMessageBytes = 1024 * 1024;
        int indexIntervalBytes = 1;
        int segmentIndexBytes = 10 * 1024 * 1024;
        boolean logAppendTime = false;
        long fileDeleteDelayMs = 0;
        boolean compact = false;
        boolean delete = true;
        double minCleanableDirtyRatio = 0.5;
        long minCompactionLagMs = 0;
        long maxCompactionLagMs = Long.MAX_VALUE;
        long deleteRetentionMs = 24L * 60 * 60 * 1000;
        TargetCompression compression = TargetCompression.PRODUCER;

        LogConfig build() {
            return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, flushMessages, flushMs,
                    maxMessageBytes, indexIntervalBytes, segmentIndexBytes, logAppendTime, fileDeleteDelayMs,
                    compact, delete, minCleanableDirtyRatio, minCompactionLagMs, maxCompactionLagMs,
                    deleteRetentionMs, compression);
        }
    }
}
