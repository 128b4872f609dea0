package io.samsa.log;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.SimpleRecord;

/** Keyed records and tombstones built and read back with kafka-clients, for compaction tests. */
final class KeyedRecords {

    private KeyedRecords() {}

    /** One record as read back: offset, key, value (null for a tombstone). */
    record Entry(long offset, String key, String value) {}

    /** A batch of {@code key, value, key, value, ...} (a null value is a tombstone), timestamps from {@code ts}. */
    static ByteBuffer batch(Compression compression, long timestamp, String... keyValues) {
        return MemoryRecords.withRecords(compression, records(timestamp, keyValues)).buffer();
    }

    static ByteBuffer batch(long timestamp, String... keyValues) {
        return batch(Compression.NONE, timestamp, keyValues);
    }

    static ByteBuffer idempotentBatch(long producerId, short epoch, int sequence, long timestamp,
            String... keyValues) {
        return MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, epoch, sequence,
                records(timestamp, keyValues)).buffer();
    }

    private static SimpleRecord[] records(long timestamp, String... keyValues) {
        SimpleRecord[] records = new SimpleRecord[keyValues.length / 2];
        for (int i = 0; i < records.length; i++) {
            String value = keyValues[2 * i + 1];
            records[i] = new SimpleRecord(timestamp + i, bytes(keyValues[2 * i]), value == null ? null : bytes(value));
        }
        return records;
    }

    private static byte[] bytes(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    /** Every batch of the log from its start, with Kafka's CRC check, read in small pieces to cross segments. */
    static List<RecordBatch> batches(Log log) {
        List<RecordBatch> out = new ArrayList<>();
        long offset = log.logStartOffset();
        while (offset < log.logEndOffset()) {
            ByteBuffer read = log.read(offset, 1, Long.MAX_VALUE, true).records();
            if (!read.hasRemaining()) {
                throw new AssertionError("no progress reading at " + offset);
            }
            for (RecordBatch batch : MemoryRecords.readableRecords(read).batches()) {
                if (!batch.isValid()) {
                    throw new AssertionError("invalid batch " + batch);
                }
                out.add(batch);
                offset = batch.nextOffset();
            }
        }
        return out;
    }

    /** Every record of the log in order. */
    static List<Entry> entries(Log log) {
        List<Entry> out = new ArrayList<>();
        for (RecordBatch batch : batches(log)) {
            for (Record r : batch) {
                out.add(new Entry(r.offset(), string(r.key()), r.hasValue() ? string(r.value()) : null));
            }
        }
        return out;
    }

    /** What a consumer reading the whole log ends up with: the last value of each key, deleted keys absent. */
    static Map<String, String> view(List<Entry> entries) {
        Map<String, String> view = new LinkedHashMap<>();
        for (Entry e : entries) {
            if (e.value() == null) {
                view.remove(e.key());
            } else {
                view.put(e.key(), e.value());
            }
        }
        return view;
    }

    private static String string(ByteBuffer buffer) {
        return buffer == null ? null : StandardCharsets.UTF_8.decode(buffer.duplicate()).toString();
    }
}
