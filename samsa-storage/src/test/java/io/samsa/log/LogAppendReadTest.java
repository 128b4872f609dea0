package io.samsa.log;

import static io.samsa.log.TestRecords.batch;
import static io.samsa.log.TestRecords.concat;
import static io.samsa.log.TestRecords.gzipBatch;
import static io.samsa.log.TestRecords.readAll;
import static io.samsa.log.TestRecords.readRecords;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.samsa.log.internal.SegmentFiles;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogAppendReadTest {

    private static final TopicPartition TP = new TopicPartition("orders", 3);
    private static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(T0);
    private final List<Log> opened = new ArrayList<>();

    @AfterEach
    void closeLogs() {
        opened.forEach(Log::close);
    }

    private Log open(TestRecords.Config config) {
        Log log = Log.open(dir.resolve(TP.dirName()), TP, config.build(), clock::get, JdkGzipCompression.INSTANCE);
        opened.add(log);
        return log;
    }

    @Test
    void appendsAndReadsBackExactRecordsAcrossRolledSegments() {
        int batchSize = batch(T0, "v00").remaining();
        TestRecords.Config config = new TestRecords.Config();
        config.segmentBytes = batchSize * 3; // three single-record batches per segment
        Log log = open(config);

        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String value = String.format("v%02d", i);
            LogAppendResult result = log.appendAsLeader(batch(T0 + i, value), 5);
            assertThat(result).isEqualTo(new LogAppendResult(i, i, -1, 0, 1, false));
            expected.add(value);
        }

        assertThat(log.logEndOffset()).isEqualTo(10);
        assertThat(log.segmentCount()).isEqualTo(4);
        assertThat(log.sizeInBytes()).isEqualTo(10L * batchSize);
        assertThat(Files.exists(dir.resolve(TP.dirName()).resolve("00000000000000000003.log"))).isTrue();
        assertThat(Files.exists(dir.resolve(TP.dirName()).resolve("00000000000000000009.timeindex"))).isTrue();
        List<TestRecords.Read> all = readAll(log);
        assertThat(all).hasSize(10);
        for (int i = 0; i < 10; i++) {
            assertThat(all.get(i)).isEqualTo(new TestRecords.Read(
                    i, T0 + i, "k-" + expected.get(i), expected.get(i), "h-" + expected.get(i), 5));
        }
        for (int offset = 0; offset < 10; offset++) {
            List<TestRecords.Read> read = readRecords(log.read(offset, 1, Long.MAX_VALUE, true).records());
            assertThat(read).extracting(TestRecords.Read::offset).containsExactly((long) offset);
        }
    }

    @Test
    void readReturnsWholeBatchesWithinMaxBytesAndBelowTheHighWatermark() {
        Log log = open(new TestRecords.Config());
        ByteBuffer first = batch(T0, "a", "b", "c");
        int firstSize = first.remaining();
        log.appendAsLeader(first, 0); // offsets 0-2
        int secondSize = batch(T0, "d", "e").remaining();
        log.appendAsLeader(batch(T0, "d", "e"), 0); // 3-4
        log.appendAsLeader(batch(T0, "f"), 0); // 5

        // Reading from the middle of a batch returns the whole batch.
        LogReadResult fromMiddle = log.read(1, Integer.MAX_VALUE, Long.MAX_VALUE, false);
        assertThat(readRecords(fromMiddle.records())).extracting(TestRecords.Read::offset)
                .containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
        assertThat(fromMiddle.logStartOffset()).isZero();
        assertThat(fromMiddle.logEndOffset()).isEqualTo(6);

        // maxBytes stops before a batch that does not fit.
        LogReadResult limited = log.read(0, firstSize + secondSize - 1, Long.MAX_VALUE, false);
        assertThat(limited.records().remaining()).isEqualTo(firstSize);

        // Without minOneBatch a first batch larger than maxBytes gives nothing; with it, that batch.
        assertThat(log.read(0, firstSize - 1, Long.MAX_VALUE, false).records().remaining()).isZero();
        assertThat(log.read(0, firstSize - 1, Long.MAX_VALUE, true).records().remaining()).isEqualTo(firstSize);

        // The high watermark excludes batches starting at or above it.
        assertThat(readRecords(log.read(0, Integer.MAX_VALUE, 3, false).records()))
                .extracting(TestRecords.Read::offset).containsExactly(0L, 1L, 2L);
        assertThat(readRecords(log.read(0, Integer.MAX_VALUE, 4, false).records()))
                .extracting(TestRecords.Read::offset).containsExactly(0L, 1L, 2L, 3L, 4L);

        assertThat(log.read(6, 100, Long.MAX_VALUE, true).records().remaining()).isZero();
        assertThatThrownBy(() -> log.read(7, 100, Long.MAX_VALUE, true))
                .isInstanceOfSatisfying(StorageException.class,
                        e -> assertThat(e.kind()).isEqualTo(StorageException.Kind.OFFSET_OUT_OF_RANGE));
        assertThatThrownBy(() -> log.read(-1, 100, Long.MAX_VALUE, true))
                .isInstanceOfSatisfying(StorageException.class,
                        e -> assertThat(e.kind()).isEqualTo(StorageException.Kind.OFFSET_OUT_OF_RANGE));
    }

    @Test
    void multiBatchRequestGetsConsecutiveOffsetsAndCompressedBatchesStayIntact() {
        Log log = open(new TestRecords.Config());
        ByteBuffer request = concat(batch(T0, "a", "b"), gzipBatch(T0 + 10, "c", "d", "e"), batch(T0 + 20, "f"));
        LogAppendResult result = log.appendAsLeader(request, 7);
        assertThat(result).isEqualTo(new LogAppendResult(0, 5, -1, 0, 6, false));

        ByteBuffer read = log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, false).records();
        List<RecordBatch> batches = new ArrayList<>();
        MemoryRecords.readableRecords(read.duplicate()).batches().forEach(batches::add);
        assertThat(batches).extracting(RecordBatch::baseOffset).containsExactly(0L, 2L, 5L);
        assertThat(batches).extracting(RecordBatch::partitionLeaderEpoch).containsExactly(7, 7, 7);
        assertThat(batches).allMatch(RecordBatch::isValid);
        assertThat(readRecords(read)).extracting(TestRecords.Read::value).containsExactly("a", "b", "c", "d", "e",
                "f");
        assertThat(readRecords(read)).extracting(TestRecords.Read::timestamp)
                .containsExactly(T0, T0 + 1, T0 + 10, T0 + 11, T0 + 12, T0 + 20);
    }

    @Test
    void logAppendTimeStampsBatchesAndKeepsCrcValid() {
        TestRecords.Config config = new TestRecords.Config();
        config.logAppendTime = true;
        Log log = open(config);
        clock.set(T0 + 5_000);
        LogAppendResult result = log.appendAsLeader(batch(T0, "a", "b"), 1);
        assertThat(result).isEqualTo(new LogAppendResult(0, 1, T0 + 5_000, 0, 2, false));

        ByteBuffer read = log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, false).records();
        RecordBatch batch = MemoryRecords.readableRecords(read).batches().iterator().next();
        assertThat(batch.isValid()).isTrue();
        assertThat(batch.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
        assertThat(batch.maxTimestamp()).isEqualTo(T0 + 5_000);
        assertThat(readRecords(read)).extracting(TestRecords.Read::timestamp).containsExactly(T0 + 5_000, T0 + 5_000);
    }

    @Test
    void invalidBatchesAreRejectedAndNothingIsWritten() {
        TestRecords.Config config = new TestRecords.Config();
        config.maxMessageBytes = 200;
        Log log = open(config);
        log.appendAsLeader(batch(T0, "ok"), 0);

        ByteBuffer corrupt = batch(T0, "x");
        corrupt.put(corrupt.limit() - 1, (byte) (corrupt.get(corrupt.limit() - 1) ^ 0x5a));
        assertKind(() -> log.appendAsLeader(concat(batch(T0, "good"), corrupt), 0),
                StorageException.Kind.CORRUPT_MESSAGE);

        assertKind(() -> log.appendAsLeader(batch(T0, "y".repeat(300)), 0), StorageException.Kind.RECORD_TOO_LARGE);

        ByteBuffer magic1 = MemoryRecords.withRecords(RecordBatch.MAGIC_VALUE_V1,
                org.apache.kafka.common.compress.Compression.NONE,
                new org.apache.kafka.common.record.SimpleRecord(T0, "k".getBytes(), "old".getBytes())).buffer();
        assertKind(() -> log.appendAsLeader(magic1, 0), StorageException.Kind.INVALID_RECORD);

        assertKind(() -> log.appendAsLeader(ByteBuffer.allocate(0), 0), StorageException.Kind.INVALID_RECORD);

        ByteBuffer torn = batch(T0, "torn");
        torn.limit(torn.limit() - 3);
        assertKind(() -> log.appendAsLeader(torn, 0), StorageException.Kind.CORRUPT_MESSAGE);

        ByteBuffer badCount = batch(T0, "a", "b");
        badCount.putInt(57, 3); // recordsCount no longer matches lastOffsetDelta
        RecordBatchView.at(badCount, 0).setLogAppendTime(T0); // keep the CRC valid so the count check is reached
        assertKind(() -> log.appendAsLeader(badCount, 0), StorageException.Kind.INVALID_RECORD);

        assertThat(log.logEndOffset()).isEqualTo(1);
        assertThat(TestRecords.values(log)).containsExactly("ok");
    }

    private static void assertKind(Runnable action, StorageException.Kind kind) {
        assertThatThrownBy(action::run).isInstanceOfSatisfying(StorageException.class,
                e -> assertThat(e.kind()).isEqualTo(kind));
    }

    @Test
    void offsetIndexEntriesPointAtTheBatchEndingAtTheirOffset() throws Exception {
        TestRecords.Config config = new TestRecords.Config();
        config.indexIntervalBytes = 100;
        Log log = open(config);
        for (int i = 0; i < 20; i++) {
            log.appendAsLeader(batch(T0 + i, "a" + i, "b" + i), 0); // two records per batch
        }
        log.flush();
        Path logDir = dir.resolve(TP.dirName());
        ByteBuffer index = ByteBuffer.wrap(Files.readAllBytes(SegmentFiles.indexFile(logDir, 0)));
        ByteBuffer segment = ByteBuffer.wrap(Files.readAllBytes(SegmentFiles.logFile(logDir, 0)));
        assertThat(index.remaining()).isPositive();
        assertThat(index.remaining() % 8).isZero();
        int entries = 0;
        while (index.hasRemaining()) {
            int relativeOffset = index.getInt();
            int position = index.getInt();
            RecordBatchView batch = RecordBatchView.at(segment, position);
            assertThat(batch.lastOffset()).isEqualTo(relativeOffset);
            entries++;
        }
        // Kafka's rule: an entry for a batch once more than index.interval.bytes went unindexed before it.
        int expectedEntries = 0;
        int unindexed = 0;
        for (int i = 0; i < 20; i++) {
            if (unindexed > 100) {
                expectedEntries++;
                unindexed = 0;
            }
            unindexed += batch(T0 + i, "a" + i, "b" + i).remaining();
        }
        assertThat(entries).isEqualTo(expectedEntries).isPositive();

        ByteBuffer timeIndex = ByteBuffer.wrap(Files.readAllBytes(SegmentFiles.timeIndexFile(logDir, 0)));
        assertThat(timeIndex.remaining()).isEqualTo(entries * 12);
        long timestamp = timeIndex.getLong();
        int relativeOffset = timeIndex.getInt();
        assertThat(timestamp).isEqualTo(T0 + relativeOffset / 2 + 1); // batch i holds offsets 2i, 2i+1 at T0+i, +1

        for (long offset = 0; offset < 40; offset++) {
            assertThat(readRecords(log.read(offset, 1, Long.MAX_VALUE, true).records()))
                    .extracting(TestRecords.Read::offset).contains(offset);
        }
    }

    @Test
    void findsOffsetsByTimestampAndTheMaxTimestamp() {
        int batchSize = batch(T0, "a", "b", "c").remaining();
        TestRecords.Config config = new TestRecords.Config();
        config.segmentBytes = batchSize * 2;
        Log log = open(config);
        assertThat(log.offsetForTimestamp(T0)).isNull();
        assertThat(log.maxTimestampOffset()).isNull();

        log.appendAsLeader(batch(T0 + 100, "a", "b", "c"), 1); // 0-2 at T0+100..102
        log.appendAsLeader(batch(T0 + 50, "d", "e", "f"), 1); // 3-5 at T0+50..52 (out of order timestamps)
        log.appendAsLeader(gzipBatch(T0 + 200, "g", "h"), 2); // 6-7 at T0+200..201, compressed
        log.appendAsLeader(batch(T0 + 300, "i", "j", "k"), 2); // 8-10 at T0+300..302
        assertThat(log.segmentCount()).isGreaterThan(1);

        assertThat(log.offsetForTimestamp(T0)).isEqualTo(new TimestampOffset(T0 + 100, 0, 1));
        assertThat(log.offsetForTimestamp(T0 + 101)).isEqualTo(new TimestampOffset(T0 + 101, 1, 1));
        assertThat(log.offsetForTimestamp(T0 + 103)).isEqualTo(new TimestampOffset(T0 + 201, 6, 2));
        assertThat(log.offsetForTimestamp(T0 + 301)).isEqualTo(new TimestampOffset(T0 + 301, 9, 2));
        assertThat(log.offsetForTimestamp(T0 + 303)).isNull();
        assertThat(log.maxTimestampOffset()).isEqualTo(new TimestampOffset(T0 + 302, 10, 2));

        log.appendAsLeader(gzipBatch(T0 + 1000, "l", "m"), 3); // 11-12, compressed: its last offset stands
        assertThat(log.maxTimestampOffset()).isEqualTo(new TimestampOffset(T0 + 1001, 12, 3));
        log.appendAsLeader(batch(T0 + 2000, "n", "o", "p"), 3); // 13-15, max at 15
        assertThat(log.maxTimestampOffset()).isEqualTo(new TimestampOffset(T0 + 2002, 15, 3));
    }

    @Test
    void rollsWhenTheSegmentIsOlderThanSegmentMs() {
        TestRecords.Config config = new TestRecords.Config();
        config.segmentMs = 60_000;
        Log log = open(config);
        log.appendAsLeader(batch(clock.get(), "a"), 0);
        clock.addAndGet(60_000);
        log.appendAsLeader(batch(clock.get(), "b"), 0);
        assertThat(log.segmentCount()).isEqualTo(1);
        clock.addAndGet(1);
        log.appendAsLeader(batch(clock.get(), "c"), 0);
        assertThat(log.segmentCount()).isEqualTo(2);
        assertThat(Files.exists(dir.resolve(TP.dirName()).resolve("00000000000000000002.log"))).isTrue();

        // Kafka rolls on append only; maybeRoll does it for an idle segment when asked.
        assertThat(log.maybeRoll(clock.get() + 59_000)).isFalse();
        assertThat(log.maybeRoll(clock.get() + 60_001)).isTrue();
        assertThat(log.segmentCount()).isEqualTo(3);
        assertThat(TestRecords.values(log)).containsExactly("a", "b", "c");
    }

    @Test
    void rollsWhenTheOffsetIndexIsFull() {
        TestRecords.Config config = new TestRecords.Config();
        config.segmentIndexBytes = 3 * 8 + 4; // 3 offset entries, 2 time entries
        Log log = open(config);
        for (int i = 0; i < 9; i++) {
            log.appendAsLeader(batch(T0 + i, "v" + i), 0);
        }
        assertThat(log.segmentCount()).isEqualTo(3);
        assertThat(TestRecords.values(log)).hasSize(9);
    }
}
