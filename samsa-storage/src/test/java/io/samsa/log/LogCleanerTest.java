package io.samsa.log;

import static io.samsa.log.KeyedRecords.batch;
import static io.samsa.log.KeyedRecords.batches;
import static io.samsa.log.KeyedRecords.entries;
import static io.samsa.log.KeyedRecords.idempotentBatch;
import static io.samsa.log.KeyedRecords.view;
import static org.assertj.core.api.Assertions.assertThat;

import io.samsa.log.KeyedRecords.Entry;
import io.samsa.log.internal.SegmentFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogCleanerTest {

    private static final TopicPartition TP = new TopicPartition("compacted", 0);
    private static final long T0 = 1_700_000_000_000L;
    private static final long HOUR = 3_600_000L;

    @TempDir
    Path dataDir;

    private final AtomicLong clock = new AtomicLong(T0);
    private final List<Log> opened = new ArrayList<>();
    private final TestRecords.Config config = new TestRecords.Config();
    /** The latest record of each key written so far, in the order a clean keeps them. */
    private final Map<String, Entry> latest = new LinkedHashMap<>();

    LogCleanerTest() {
        config.compact = true;
        config.delete = false;
        config.segmentBytes = 400;
        config.minCleanableDirtyRatio = 0.01;
        config.deleteRetentionMs = HOUR;
    }

    @AfterEach
    void closeLogs() {
        opened.forEach(Log::close);
    }

    private Path logDir() {
        return dataDir.resolve(TP.dirName());
    }

    private Log open() {
        Log log = Log.open(logDir(), TP, config.build(), clock::get, JdkGzipCompression.INSTANCE);
        opened.add(log);
        return log;
    }

    private LogCleaner cleaner(Log log, long dedupeBytes, Consumer<SwapStep> steps) {
        return new LogCleaner(new CleanerConfig(true, 1, 10, dedupeBytes, 1024, 0.9), () -> List.of(log),
                clock::get, steps);
    }

    private LogCleaner cleaner(Log log) {
        return cleaner(log, 1 << 20, step -> {});
    }

    /** Writes {@code count} single-record batches over {@code keys} keys; every seventh is a tombstone. */
    private void writeUpdates(Log log, int from, int count, int keys) {
        for (int i = from; i < from + count; i++) {
            String key = "k" + (i % keys);
            String value = i % 7 == 6 ? null : "v" + i;
            long offset = log.appendAsLeader(batch(T0 + i, key, value), 0).firstOffset();
            latest.remove(key);
            latest.put(key, new Entry(offset, key, value));
        }
    }

    private List<Entry> latestInOffsetOrder() {
        return latest.values().stream().sorted(Comparator.comparingLong(Entry::offset)).toList();
    }

    private Map<String, String> expectedView() {
        return view(latestInOffsetOrder());
    }

    @Test
    void keepsTheLatestRecordOfEachKeyAtItsOffsetThenDropsTombstonesAfterTheDeleteHorizon() {
        Log log = open();
        writeUpdates(log, 0, 60, 5);
        log.roll();
        long end = log.logEndOffset();

        assertThat(cleaner(log).cleanOnce()).isTrue();

        // Every key once, at the offset of its latest record; tombstones stay until their delete horizon.
        assertThat(entries(log)).containsExactlyElementsOf(latestInOffsetOrder());
        assertThat(view(entries(log))).isEqualTo(expectedView());
        assertThat(log.logEndOffset()).isEqualTo(end);
        assertThat(log.logStartOffset()).isZero();
        assertThat(log.cleanedUpTo()).isEqualTo(end);
        assertThat(Files.exists(logDir().resolve(Log.CLEANER_CHECKPOINT_FILE))).isTrue();
        assertThat(cleaner(log).cleanOnce()).as("nothing dirty is left").isFalse();

        // A batch that kept a tombstone carries its delete horizon; timestamps of records did not change.
        List<RecordBatch> tombstoneBatches = batches(log).stream()
                .filter(b -> b.deleteHorizonMs().isPresent()).toList();
        assertThat(tombstoneBatches).isNotEmpty()
                .allSatisfy(b -> assertThat(b.deleteHorizonMs().getAsLong()).isEqualTo(T0 + HOUR));

        // Past the horizon, the next clean (there must be something dirty) drops the tombstones.
        clock.set(T0 + 2 * HOUR);
        writeUpdates(log, 63, 3, 5); // no tombstone among them
        log.roll();
        assertThat(cleaner(log).cleanOnce()).isTrue();
        List<Entry> after = entries(log);
        assertThat(after).noneMatch(e -> e.value() == null);
        assertThat(view(after)).isEqualTo(expectedView());
        assertThat(after).extracting(Entry::offset).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void cleansAcrossReopenAndSurvivesItWithTheSameRecords() {
        Log log = open();
        writeUpdates(log, 0, 40, 4);
        log.roll();
        cleaner(log).cleanOnce();
        List<Entry> cleaned = entries(log);
        log.close();

        Log reopened = open();
        assertThat(entries(reopened)).isEqualTo(cleaned);
        assertThat(reopened.cleanedUpTo()).isEqualTo(40);
        writeUpdates(reopened, 40, 40, 4);
        reopened.roll();
        assertThat(cleaner(reopened).cleanOnce()).isTrue();
        assertThat(entries(reopened)).containsExactlyElementsOf(latestInOffsetOrder());
    }

    @Test
    void rewrittenCompressedBatchesKeepTheirCodec() {
        Log log = open();
        for (int round = 0; round < 6; round++) {
            long offset = log.appendAsLeader(batch(Compression.gzip().build(), T0 + round, "a", "a" + round,
                    "b", round == 5 ? null : "b" + round, "c" + round, "once"), 0).firstOffset();
            latest.put("a", new Entry(offset, "a", "a" + round));
            latest.put("b", new Entry(offset + 1, "b", round == 5 ? null : "b" + round));
            latest.put("c" + round, new Entry(offset + 2, "c" + round, "once"));
        }
        log.roll();

        cleaner(log).cleanOnce();

        assertThat(entries(log)).containsExactlyElementsOf(latestInOffsetOrder());
        assertThat(batches(log)).allSatisfy(b -> assertThat(b.compressionType()).isEqualTo(CompressionType.GZIP));
    }

    @Test
    void theLastBatchOfAProducerStaysEmptySoItsSequenceSurvivesReplay() throws IOException {
        Log log = open();
        log.appendAsLeader(idempotentBatch(7L, (short) 3, 0, T0, "a", "1", "b", "1"), 0); // offsets 0-1, seq 0-1
        log.appendAsLeader(idempotentBatch(7L, (short) 3, 2, T0, "a", "2"), 0); // offset 2, seq 2
        log.appendAsLeader(batch(T0, "a", "3", "b", "3"), 0); // offsets 3-4 supersede everything of producer 7
        log.roll();

        cleaner(log).cleanOnce();

        List<RecordBatch> batches = batches(log);
        assertThat(batches).hasSize(2);
        RecordBatch empty = batches.get(0);
        assertThat(empty.producerId()).isEqualTo(7L);
        assertThat(empty.producerEpoch()).isEqualTo((short) 3);
        assertThat(empty.baseSequence()).isEqualTo(2);
        assertThat(empty.baseOffset()).isEqualTo(2);
        assertThat(empty.lastOffset()).isEqualTo(2);
        assertThat(empty.countOrNull()).isZero();
        assertThat(entries(log)).containsExactly(new Entry(3, "a", "3"), new Entry(4, "b", "3"));

        // Without snapshots the producer state is replayed from the log: the empty batch carries it.
        log.close();
        try (Stream<Path> files = Files.list(logDir())) {
            for (Path f : files.filter(p -> p.toString().endsWith(SegmentFiles.SNAPSHOT_SUFFIX)).toList()) {
                Files.delete(f);
            }
        }
        Log reopened = open();
        assertThat(reopened.activeProducers()).singleElement()
                .satisfies(p -> assertThat(p.lastSequence()).isEqualTo(2));
        assertThat(reopened.appendAsLeader(idempotentBatch(7L, (short) 3, 2, T0, "a", "2"), 0).duplicate())
                .isTrue();
        assertThat(reopened.appendAsLeader(idempotentBatch(7L, (short) 3, 3, T0, "a", "4"), 0).firstOffset())
                .isEqualTo(5);
    }

    @Test
    void segmentsShrunkByAnEarlierCleanAreMergedUpToSegmentBytes() throws IOException {
        config.segmentBytes = 200;
        Log log = open();
        writeUpdates(log, 0, 80, 3);
        log.roll();
        cleaner(log).cleanOnce();
        // Grouping goes by the sizes before cleaning (as Kafka's): full segments stay apart the first time.
        int afterFirstClean = log.segmentCount();
        writeUpdates(log, 80, 2, 3);
        log.roll();

        cleaner(log).cleanOnce();

        assertThat(log.segmentCount()).isLessThan(afterFirstClean / 2);
        assertThat(entries(log)).containsExactlyElementsOf(latestInOffsetOrder());
        try (Stream<Path> files = Files.list(logDir())) {
            assertThat(files.filter(p -> p.toString().endsWith(".log")))
                    .allSatisfy(p -> assertThat(Files.size(p)).isLessThanOrEqualTo(200));
        }
    }

    @Test
    void aFullKeyMapCleansPartOfTheDirtySectionEachRound() {
        Log log = open();
        writeUpdates(log, 0, 300, 100);
        log.roll();
        // 64 slots: about 57 keys per round out of 100.
        LogCleaner cleaner = cleaner(log, 64 * 24, step -> {});

        assertThat(cleaner.cleanOnce()).isTrue();
        long firstRound = log.cleanedUpTo();
        assertThat(firstRound).isGreaterThan(0).isLessThan(300);
        assertThat(view(entries(log))).isEqualTo(expectedView());
        int rounds = 1;
        while (cleaner.cleanOnce()) {
            rounds++;
            assertThat(view(entries(log))).isEqualTo(expectedView());
        }
        assertThat(rounds).isGreaterThan(2);
        assertThat(log.cleanedUpTo()).isEqualTo(300);
        assertThat(entries(log)).containsExactlyElementsOf(latestInOffsetOrder());
    }

    @Test
    void minCompactionLagKeepsYoungSegmentsDirty() {
        config.minCompactionLagMs = HOUR;
        Log log = open();
        writeUpdates(log, 0, 30, 3); // timestamps T0..T0+29
        log.roll();

        clock.set(T0 + HOUR - 1000);
        assertThat(cleaner(log).cleanOnce()).as("every segment is younger than the lag").isFalse();

        clock.set(T0 + 2 * HOUR);
        assertThat(cleaner(log).cleanOnce()).isTrue();
        assertThat(entries(log)).containsExactlyElementsOf(latestInOffsetOrder());
    }

    @Test
    void maxCompactionLagCleansALogBelowItsDirtyRatio() {
        config.minCleanableDirtyRatio = 1.0;
        config.maxCompactionLagMs = HOUR;
        Log log = open();
        writeUpdates(log, 0, 30, 3);
        log.roll();

        clock.set(T0 + HOUR / 2);
        assertThat(cleaner(log).cleanOnce()).as("ratio never above 1, lag not reached").isFalse();

        clock.set(T0 + 2 * HOUR);
        assertThat(cleaner(log).cleanOnce()).isTrue();
        assertThat(entries(log)).containsExactlyElementsOf(latestInOffsetOrder());
    }

    @Test
    void theActiveSegmentAndLogsBelowTheirRatioAreNotCleaned() {
        Log log = open();
        writeUpdates(log, 0, 3, 1); // all in the active segment
        assertThat(cleaner(log).cleanOnce()).isFalse();
        assertThat(entries(log)).hasSize(3);

        config.compact = false;
        config.delete = true;
        log.updateConfig(config.build());
        log.roll();
        assertThat(cleaner(log).cleanOnce()).as("not compacted").isFalse();
    }

    @Test
    void compactOnlyLogsKeepOldSegmentsPastRetention() {
        config.retentionMs = 1000;
        config.retentionBytes = 1;
        Log log = open();
        writeUpdates(log, 0, 30, 30);
        log.roll();
        clock.set(T0 + HOUR);

        assertThat(log.enforceRetention(clock.get())).isZero();

        config.delete = true; // compact,delete
        log.updateConfig(config.build());
        assertThat(log.enforceRetention(clock.get())).isPositive();
    }
}
