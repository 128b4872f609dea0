package io.samsa.log;

import static io.samsa.log.TestRecords.batch;
import static io.samsa.log.TestRecords.gzipBatch;
import static io.samsa.log.TestRecords.readAll;
import static io.samsa.log.TestRecords.readRecords;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compressed batches on append: decompressed and checked, recompressed to the topic's compression.type. */
class CompressedAppendTest {

    private static final TopicPartition TP = new TopicPartition("zipped", 0);
    private static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(T0 + 60_000);
    private final List<Log> opened = new ArrayList<>();
    private final TestRecords.Config config = new TestRecords.Config();

    @AfterEach
    void closeLogs() {
        opened.forEach(Log::close);
    }

    private Log open() {
        Log log = Log.open(dir.resolve(TP.dirName()), TP, config.build(), clock::get, JdkGzipCompression.INSTANCE);
        opened.add(log);
        return log;
    }

    private static List<RecordBatch> storedBatches(Log log) {
        List<RecordBatch> batches = new ArrayList<>();
        MemoryRecords.readableRecords(log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, true).records()).batches()
                .forEach(batches::add);
        return batches;
    }

    private static void assertRefused(Log log, ByteBuffer batch, StorageException.Kind kind) {
        long end = log.logEndOffset();
        long size = log.sizeInBytes();
        assertThatThrownBy(() -> log.appendAsLeader(batch, 0)).isInstanceOfSatisfying(StorageException.class,
                e -> assertThat(e.kind()).isEqualTo(kind));
        assertThat(log.logEndOffset()).isEqualTo(end);
        assertThat(log.sizeInBytes()).isEqualTo(size);
    }

    /** Rewrites the CRC after a test tampered with the batch, so that only the tampering is wrong. */
    private static ByteBuffer withValidCrc(ByteBuffer batch) {
        batch.putInt(RecordBatchView.CRC, RecordBatchView.at(batch, 0).computeCrc());
        return batch;
    }

    @Test
    void producerCompressionKeepsTheProducersBatchAfterCheckingItsRecords() {
        Log log = open();
        log.appendAsLeader(batch(T0, "a"), 0);
        ByteBuffer gzip = gzipBatch(T0 + 1, "b", "c");
        int size = gzip.remaining();

        log.appendAsLeader(gzip, 4);

        List<RecordBatch> stored = storedBatches(log);
        assertThat(stored.get(1).compressionType()).isEqualTo(CompressionType.GZIP);
        assertThat(stored.get(1).sizeInBytes()).isEqualTo(size);
        assertThat(readAll(log)).extracting(TestRecords.Read::offset, TestRecords.Read::value)
                .containsExactly(tuple(0L, "a"),
                        tuple(1L, "b"), tuple(2L, "c"));
    }

    @Test
    void aTopicCodecRecompressesKeepingProducerFieldsTimestampsAndHeaders() {
        config.compression = new TargetCompression(CompressionCodec.GZIP, BatchCompression.DEFAULT_LEVEL);
        Log log = open();
        log.appendAsLeader(batch(T0, "first"), 0);
        ByteBuffer idempotent = MemoryRecords.withIdempotentRecords(Compression.NONE, 42L, (short) 3, 0,
                TestRecords.records(T0 + 10, "x", "y", "z")).buffer();

        LogAppendResult result = log.appendAsLeader(idempotent, 7);

        assertThat(result.firstOffset()).isEqualTo(1);
        assertThat(result.lastOffset()).isEqualTo(3);
        RecordBatch stored = storedBatches(log).get(1);
        assertThat(stored.compressionType()).isEqualTo(CompressionType.GZIP);
        assertThat(stored.producerId()).isEqualTo(42L);
        assertThat(stored.producerEpoch()).isEqualTo((short) 3);
        assertThat(stored.baseSequence()).isZero();
        assertThat(stored.lastSequence()).isEqualTo(2);
        assertThat(stored.partitionLeaderEpoch()).isEqualTo(7);
        assertThat(stored.baseOffset()).isEqualTo(1);
        assertThat(stored.lastOffset()).isEqualTo(3);
        assertThat(stored.maxTimestamp()).isEqualTo(T0 + 12);
        assertThat(readAll(log)).containsExactly(
                new TestRecords.Read(0, T0, "k-first", "first", "h-first", 0),
                new TestRecords.Read(1, T0 + 10, "k-x", "x", "h-x", 7),
                new TestRecords.Read(2, T0 + 11, "k-y", "y", "h-y", 7),
                new TestRecords.Read(3, T0 + 12, "k-z", "z", "h-z", 7));
        // The producer state saw the rebuilt batch: a retry is still a duplicate.
        assertThat(log.appendAsLeader(MemoryRecords.withIdempotentRecords(Compression.NONE, 42L, (short) 3, 0,
                TestRecords.records(T0 + 10, "x", "y", "z")).buffer(), 7).duplicate()).isTrue();
    }

    @Test
    void uncompressedStoresGzipBatchesUncompressedWithLogAppendTime() {
        config.compression = new TargetCompression(CompressionCodec.NONE, BatchCompression.DEFAULT_LEVEL);
        config.logAppendTime = true;
        Log log = open();

        log.appendAsLeader(gzipBatch(T0, "p", "q"), 0);

        RecordBatch stored = storedBatches(log).get(0);
        assertThat(stored.compressionType()).isEqualTo(CompressionType.NONE);
        assertThat(stored.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
        assertThat(readRecords(log.read(0, 1 << 20, Long.MAX_VALUE, true).records()))
                .extracting(TestRecords.Read::timestamp, TestRecords.Read::value)
                .containsExactly(tuple(clock.get(), "p"),
                        tuple(clock.get(), "q"));
    }

    @Test
    void garbageInsideACompressedBatchWithAValidCrcIsCorruptMessage() {
        Log log = open();
        ByteBuffer garbage = gzipBatch(T0, "a", "b");
        for (int i = RecordBatchView.HEADER_SIZE; i < garbage.limit(); i++) {
            garbage.put(i, (byte) 0x5a);
        }
        assertRefused(log, withValidCrc(garbage), StorageException.Kind.CORRUPT_MESSAGE);
    }

    @Test
    void aRecordCountThatDisagreesWithTheRecordsIsInvalidRecord() {
        Log log = open();
        ByteBuffer fewer = gzipBatch(T0, "a", "b", "c");
        fewer.putInt(RecordBatchView.RECORDS_COUNT, 2).putInt(RecordBatchView.LAST_OFFSET_DELTA, 1);
        assertRefused(log, withValidCrc(fewer), StorageException.Kind.INVALID_RECORD);

        ByteBuffer more = gzipBatch(T0, "a", "b", "c");
        more.putInt(RecordBatchView.RECORDS_COUNT, 4).putInt(RecordBatchView.LAST_OFFSET_DELTA, 3);
        assertRefused(log, withValidCrc(more), StorageException.Kind.INVALID_RECORD);

        assertThat(log.appendAsLeader(gzipBatch(T0, "ok"), 0).firstOffset()).isZero();
    }

    @Test
    void compactedTopicsRefuseRecordsWithoutAKey() {
        config.compact = true;
        Log log = open();
        SimpleRecord noKey = new SimpleRecord(T0, null, "v".getBytes(StandardCharsets.UTF_8));
        SimpleRecord keyed = new SimpleRecord(T0, "k".getBytes(StandardCharsets.UTF_8), null);

        assertRefused(log, MemoryRecords.withRecords(Compression.NONE, keyed, noKey).buffer(),
                StorageException.Kind.INVALID_RECORD);
        assertRefused(log, MemoryRecords.withRecords(Compression.gzip().build(), keyed, noKey).buffer(),
                StorageException.Kind.INVALID_RECORD);
        assertThat(log.appendAsLeader(MemoryRecords.withRecords(Compression.NONE, keyed).buffer(), 0).firstOffset())
                .isZero();
    }

    @Test
    void everyKeylessRecordOfARefusedBatchIsNamedWithItsIndexAsKafkaReportsIt() {
        config.compact = true;
        Log log = open();
        SimpleRecord keyed = new SimpleRecord(T0, "k".getBytes(StandardCharsets.UTF_8), null);
        SimpleRecord noKey = new SimpleRecord(T0, null, "v".getBytes(StandardCharsets.UTF_8));
        for (Compression compression : List.of(Compression.NONE, Compression.gzip().build())) {
            ByteBuffer batch = MemoryRecords.withRecords(compression, keyed, noKey, keyed, noKey, noKey, noKey)
                    .buffer();
            assertThatThrownBy(() -> log.appendAsLeader(batch, 0))
                    .isInstanceOfSatisfying(StorageException.class, e -> {
                        assertThat(e.kind()).isEqualTo(StorageException.Kind.INVALID_RECORD);
                        String why = "Compacted topic cannot accept message without key in topic partition zipped-0";
                        assertThat(e.recordErrors()).containsExactly(new StorageException.RecordError(1, why),
                                new StorageException.RecordError(3, why), new StorageException.RecordError(4, why),
                                new StorageException.RecordError(5, why));
                        assertThat(e.getMessage()).isEqualTo("One or more records have been rejected due to 4 record"
                                + " errors in total, and only showing the first three errors at most: ["
                                + "RecordError(batchIndex=1, message='" + why + "'), "
                                + "RecordError(batchIndex=3, message='" + why + "'), "
                                + "RecordError(batchIndex=4, message='" + why + "')]");
                    });
        }
        assertThat(log.logEndOffset()).isZero();
    }

    @Test
    void aBatchTooLargeOnceDecompressedIsRecordTooLarge() {
        config.compression = new TargetCompression(CompressionCodec.NONE, BatchCompression.DEFAULT_LEVEL);
        config.maxMessageBytes = 2000;
        Log log = open();
        ByteBuffer small = gzipBatch(T0, "x".repeat(5000));
        assertThat(small.remaining()).isLessThan(2000);

        assertRefused(log, small, StorageException.Kind.RECORD_TOO_LARGE);
    }
}
