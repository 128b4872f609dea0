package io.samsa.log;

import static io.samsa.log.TestRecords.batch;
import static org.assertj.core.api.Assertions.assertThat;

import io.samsa.log.internal.SegmentFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogRetentionTest {

    private static final TopicPartition TP = new TopicPartition("metrics", 1);
    private static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path dataDir;

    private final AtomicLong clock = new AtomicLong(T0);
    private Log log;

    @AfterEach
    void close() {
        if (log != null) {
            log.close();
        }
    }

    private Path logDir() {
        return dataDir.resolve(TP.dirName());
    }

    /** Ten one-record batches, four per segment: segments 0-3 (T0..T0+3), 4-7, 8-9 (active). */
    private void openWithTenBatches(TestRecords.Config config) {
        config.segmentBytes = batch(T0, "v0").remaining() * 4;
        log = Log.open(logDir(), TP, config.build(), clock::get);
        for (int i = 0; i < 10; i++) {
            log.appendAsLeader(batch(T0 + i * 1000L, "v" + i), 0);
        }
        assertThat(log.segmentCount()).isEqualTo(3);
    }

    @Test
    void deletesSegmentsPastRetentionMsByTheirNewestRecordButNeverTheActiveOne() {
        TestRecords.Config config = new TestRecords.Config();
        config.retentionMs = 10_000;
        openWithTenBatches(config);

        // Newest record of segment 0 is T0+3000: it expires after T0+13000.
        assertThat(log.enforceRetention(T0 + 13_000)).isZero();
        assertThat(log.enforceRetention(T0 + 13_001)).isEqualTo(1);
        assertThat(log.logStartOffset()).isEqualTo(4);
        assertThat(Files.exists(SegmentFiles.logFile(logDir(), 0))).isFalse();

        // Far in the future every closed segment is gone, the active one stays.
        assertThat(log.enforceRetention(T0 + 1_000_000)).isEqualTo(1);
        assertThat(log.segmentCount()).isEqualTo(1);
        assertThat(log.logStartOffset()).isEqualTo(8);
        assertThat(TestRecords.values(log)).containsExactly("v8", "v9");
        assertThat(log.enforceRetention(T0 + 2_000_000)).isZero();
    }

    @Test
    void deletesOldestSegmentsWhileTheLogStaysAtLeastRetentionBytes() {
        TestRecords.Config config = new TestRecords.Config();
        int batchSize = batch(T0, "v0").remaining();
        config.retentionBytes = 5L * batchSize;
        openWithTenBatches(config);

        // 10 batches; dropping segment 0 (4) leaves 6 >= 5; dropping segment 4 too would leave 2 < 5.
        assertThat(log.enforceRetention(T0)).isEqualTo(1);
        assertThat(log.logStartOffset()).isEqualTo(4);
        assertThat(log.sizeInBytes()).isEqualTo(6L * batchSize);

        TestRecords.Config tighter = new TestRecords.Config();
        tighter.segmentBytes = config.segmentBytes;
        tighter.retentionBytes = 0;
        log.updateConfig(tighter.build());
        assertThat(log.enforceRetention(T0)).isEqualTo(1); // never the active segment
        assertThat(log.segmentCount()).isEqualTo(1);
        assertThat(log.logStartOffset()).isEqualTo(8);
    }

    @Test
    void deletedSegmentFilesStayUntilFileDeleteDelayHasPassed() {
        TestRecords.Config config = new TestRecords.Config();
        config.retentionMs = 10_000;
        config.fileDeleteDelayMs = 60_000;
        openWithTenBatches(config);

        long now = T0 + 13_001;
        assertThat(log.enforceRetention(now)).isEqualTo(1);
        Path renamed = logDir().resolve(SegmentFiles.offsetName(0) + ".log" + SegmentFiles.DELETED_SUFFIX);
        assertThat(Files.exists(renamed)).isTrue();
        log.flushIfDue(now + 59_999);
        assertThat(Files.exists(renamed)).isTrue();
        log.flushIfDue(now + 60_000);
        assertThat(Files.exists(renamed)).isFalse();
    }

    @Test
    void flushIfDueAdvancesTheRecoveryPointAfterFlushMs() throws Exception {
        TestRecords.Config config = new TestRecords.Config();
        config.flushMs = 5_000;
        log = Log.open(logDir(), TP, config.build(), clock::get);
        log.appendAsLeader(batch(T0, "a"), 0);
        Path checkpoint = logDir().resolve(Log.RECOVERY_POINT_FILE);
        assertThat(recoveryPoint(checkpoint)).isZero();
        log.flushIfDue(T0 + 4_999);
        assertThat(recoveryPoint(checkpoint)).isZero();
        log.flushIfDue(T0 + 5_000);
        assertThat(recoveryPoint(checkpoint)).isEqualTo(1);
    }

    @Test
    void flushMessagesFsyncsAfterThatManyRecords() throws Exception {
        TestRecords.Config config = new TestRecords.Config();
        config.flushMessages = 3;
        log = Log.open(logDir(), TP, config.build(), clock::get);
        Path checkpoint = logDir().resolve(Log.RECOVERY_POINT_FILE);
        log.appendAsLeader(batch(T0, "a", "b"), 0);
        assertThat(recoveryPoint(checkpoint)).isZero();
        log.appendAsLeader(batch(T0, "c"), 0);
        assertThat(recoveryPoint(checkpoint)).isEqualTo(3);
    }

    /** The checkpointed recovery point; a new log has no checkpoint yet, which means 0. */
    private static long recoveryPoint(Path checkpoint) throws Exception {
        if (!Files.exists(checkpoint)) {
            return 0;
        }
        List<String> lines = Files.readAllLines(checkpoint);
        assertThat(lines).hasSize(2).first().isEqualTo("0");
        return Long.parseLong(lines.get(1));
    }
}
