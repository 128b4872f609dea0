package io.samsa.log;

import static io.samsa.log.TestRecords.batch;
import static org.assertj.core.api.Assertions.assertThat;

import io.samsa.log.internal.SegmentFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash recovery. A crash is simulated by {@link Log#closeQuietly()}: the files stay as the page cache has them, with
 * no flush, snapshot or clean-shutdown marker, as after kill -9.
 */
class LogRecoveryTest {

    private static final TopicPartition TP = new TopicPartition("events", 0);
    private static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path dataDir;

    private final AtomicLong clock = new AtomicLong(T0);
    private final List<Log> opened = new ArrayList<>();

    @AfterEach
    void closeLogs() {
        opened.forEach(Log::close);
    }

    private Path logDir() {
        return dataDir.resolve(TP.dirName());
    }

    private Log open(TestRecords.Config config) {
        Log log = Log.open(logDir(), TP, config.build(), clock::get);
        opened.add(log);
        return log;
    }

    private static void crash(Log log) {
        log.closeQuietly();
    }

    private static void appendBytes(Path file, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.wrap(bytes));
        }
    }

    private Log logWithValues(TestRecords.Config config, int count) {
        Log log = open(config);
        for (int i = 0; i < count; i++) {
            log.appendAsLeader(batch(T0 + i, "v" + i), 0);
        }
        return log;
    }

    @Test
    void cleanReopenKeepsEverything() {
        TestRecords.Config config = new TestRecords.Config();
        config.segmentBytes = batch(T0, "v0").remaining() * 4;
        Log log = logWithValues(config, 10);
        log.close();
        assertThat(Files.exists(logDir().resolve(Log.CLEAN_SHUTDOWN_FILE))).isTrue();

        Log reopened = open(config);
        assertThat(Files.exists(logDir().resolve(Log.CLEAN_SHUTDOWN_FILE))).isFalse();
        assertThat(reopened.logEndOffset()).isEqualTo(10);
        assertThat(reopened.segmentCount()).isEqualTo(3);
        assertThat(TestRecords.values(reopened)).containsExactly("v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7",
                "v8", "v9");
        assertThat(reopened.appendAsLeader(batch(T0, "v10"), 0).firstOffset()).isEqualTo(10);
    }

    @Test
    void tornTailIsTruncatedAndAppendsContinueAtTheRightOffset() throws IOException {
        TestRecords.Config config = new TestRecords.Config();
        Log log = logWithValues(config, 5);
        crash(log);
        ByteBuffer half = batch(T0, "partial-write");
        byte[] torn = new byte[half.remaining() / 2];
        half.get(torn);
        Path segment = SegmentFiles.logFile(logDir(), 0);
        long goodSize = Files.size(segment);
        appendBytes(segment, torn);

        Log reopened = open(config);
        assertThat(Files.size(segment)).isEqualTo(goodSize);
        assertThat(reopened.logEndOffset()).isEqualTo(5);
        assertThat(TestRecords.values(reopened)).containsExactly("v0", "v1", "v2", "v3", "v4");
        assertThat(reopened.appendAsLeader(batch(T0, "v5"), 0)).isEqualTo(new LogAppendResult(5, 5, -1, 0, 1, false));
        assertThat(TestRecords.values(reopened)).endsWith("v4", "v5");
    }

    @Test
    void garbageAfterTheLastBatchIsTruncated() throws IOException {
        TestRecords.Config config = new TestRecords.Config();
        Log log = logWithValues(config, 3);
        crash(log);
        byte[] garbage = new byte[1000];
        new Random(42).nextBytes(garbage); // writeNonsenseToFile
        appendBytes(SegmentFiles.logFile(logDir(), 0), garbage);

        Log reopened = open(config);
        assertThat(reopened.logEndOffset()).isEqualTo(3);
        assertThat(TestRecords.values(reopened)).containsExactly("v0", "v1", "v2");
        assertThat(reopened.appendAsLeader(batch(T0, "v3"), 0).firstOffset()).isEqualTo(3);
    }

    @Test
    void corruptBatchInTheMiddleOfTheLastSegmentTruncatesFromThereAndKeepsEarlierSegments() throws IOException {
        int batchSize = batch(T0, "v0").remaining();
        TestRecords.Config config = new TestRecords.Config();
        config.segmentBytes = batchSize * 4;
        Log log = logWithValues(config, 10); // segments 0-3, 4-7, 8-9
        log.flush(); // recovery point 10: only the last segment is checked after a crash
        log.appendAsLeader(batch(T0, "v10"), 0);
        log.appendAsLeader(batch(T0, "v11"), 0); // segment 8 now holds 8-11
        crash(log);

        Path last = SegmentFiles.logFile(logDir(), 8);
        try (FileChannel ch = FileChannel.open(last, StandardOpenOption.WRITE)) {
            // flip a byte inside the value of the batch at offset 10 (third batch of the segment)
            ch.write(ByteBuffer.wrap(new byte[] {0x7f}), 2L * batchSize + batchSize - 5);
        }

        Log reopened = open(config);
        assertThat(reopened.logEndOffset()).isEqualTo(10);
        assertThat(Files.size(last)).isEqualTo(2L * batchSize);
        assertThat(TestRecords.values(reopened)).containsExactly("v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7",
                "v8", "v9");
        assertThat(reopened.appendAsLeader(batch(T0, "again"), 0).firstOffset()).isEqualTo(10);
    }

    @Test
    void corruptionInAnEarlierUnflushedSegmentDropsTheSegmentsAfterIt() throws IOException {
        int batchSize = batch(T0, "v0").remaining();
        TestRecords.Config config = new TestRecords.Config();
        config.segmentBytes = batchSize * 4;
        Log log = logWithValues(config, 10); // never flushed: everything is recovered
        crash(log);
        try (FileChannel ch = FileChannel.open(SegmentFiles.logFile(logDir(), 4), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {0x7f, 0x7f}), batchSize + 30L); // batch at offset 5
        }

        Log reopened = open(config);
        assertThat(reopened.logEndOffset()).isEqualTo(5);
        assertThat(reopened.segmentCount()).isEqualTo(2);
        assertThat(Files.exists(SegmentFiles.logFile(logDir(), 8))).isFalse();
        assertThat(TestRecords.values(reopened)).containsExactly("v0", "v1", "v2", "v3", "v4");
    }

    @Test
    void missingOrCorruptIndexesAreRebuilt() throws IOException {
        TestRecords.Config config = new TestRecords.Config();
        config.segmentBytes = batch(T0, "v0").remaining() * 4;
        Log log = logWithValues(config, 10);
        log.close();
        Files.delete(SegmentFiles.indexFile(logDir(), 0));
        Files.write(SegmentFiles.indexFile(logDir(), 4), new byte[] {1, 2, 3}); // not a multiple of 8
        Files.write(SegmentFiles.timeIndexFile(logDir(), 8), new byte[12 * 2]); // zeros: not increasing

        Log reopened = open(config);
        assertThat(Files.size(SegmentFiles.indexFile(logDir(), 0))).isEqualTo(3 * 8);
        assertThat(Files.size(SegmentFiles.indexFile(logDir(), 4))).isEqualTo(3 * 8);
        for (long offset = 0; offset < 10; offset++) {
            assertThat(TestRecords.readRecords(reopened.read(offset, 1, Long.MAX_VALUE, true).records()))
                    .extracting(TestRecords.Read::value).containsExactly("v" + offset);
        }
        assertThat(reopened.offsetForTimestamp(T0 + 9)).isEqualTo(new TimestampOffset(T0 + 9, 9, 0));
    }

    @Test
    void deleteRecordsBeforeSurvivesReopenAndCrash() {
        int batchSize = batch(T0, "v0").remaining();
        TestRecords.Config config = new TestRecords.Config();
        config.segmentBytes = batchSize * 4;
        Log log = logWithValues(config, 10);
        log.deleteRecordsBefore(6);
        assertThat(log.logStartOffset()).isEqualTo(6);
        assertThat(log.segmentCount()).isEqualTo(2); // segment 0-3 went; 4-7 holds the new start
        assertThat(TestRecords.values(log)).containsExactly("v6", "v7", "v8", "v9");
        assertThat(TestRecords.readRecords(log.read(6, 1, Long.MAX_VALUE, true).records()))
                .extracting(TestRecords.Read::offset).containsExactly(6L);
        assertOutOfRange(log, 5);
        assertThat(log.appendAsLeader(batch(T0, "v10"), 0).logStartOffset()).isEqualTo(6);
        log.close();

        Log reopened = open(config);
        assertThat(reopened.logStartOffset()).isEqualTo(6);
        assertOutOfRange(reopened, 4);
        crash(reopened);
        opened.remove(reopened);

        Log afterCrash = open(config);
        assertThat(afterCrash.logStartOffset()).isEqualTo(6);
        assertThat(TestRecords.values(afterCrash)).containsExactly("v6", "v7", "v8", "v9", "v10");
        assertThatKind(() -> afterCrash.deleteRecordsBefore(12), StorageException.Kind.OFFSET_OUT_OF_RANGE);
        afterCrash.deleteRecordsBefore(11);
        assertThat(afterCrash.read(11, 100, Long.MAX_VALUE, true).records().remaining()).isZero();
    }

    private static void assertOutOfRange(Log log, long offset) {
        assertThatKind(() -> log.read(offset, 100, Long.MAX_VALUE, true), StorageException.Kind.OFFSET_OUT_OF_RANGE);
    }

    private static void assertThatKind(Runnable action, StorageException.Kind kind) {
        org.assertj.core.api.Assertions.assertThatThrownBy(action::run).isInstanceOfSatisfying(
                StorageException.class, e -> assertThat(e.kind()).isEqualTo(kind));
    }

    @Test
    void truncateToDropsBatchesEpochsAndProducerState() {
        int batchSize = batch(T0, "v0").remaining();
        TestRecords.Config config = new TestRecords.Config();
        config.segmentBytes = batchSize * 4;
        Log log = open(config);
        for (int i = 0; i < 10; i++) {
            log.appendAsLeader(batch(T0 + i, "v" + i), i < 5 ? 1 : 2);
        }
        log.truncateTo(3);
        assertThat(log.logEndOffset()).isEqualTo(3);
        assertThat(log.segmentCount()).isEqualTo(1);
        assertThat(log.latestEpoch()).isEqualTo(1);
        assertThat(TestRecords.values(log)).containsExactly("v0", "v1", "v2");
        assertThat(log.appendAsLeader(batch(T0, "x"), 3).firstOffset()).isEqualTo(3);
        assertThat(log.endOffsetForEpoch(1)).isEqualTo(new EpochEndOffset(1, 3));
        log.close();

        Log reopened = open(config);
        assertThat(TestRecords.values(reopened)).containsExactly("v0", "v1", "v2", "x");
        assertThat(reopened.latestEpoch()).isEqualTo(3);
    }
}
