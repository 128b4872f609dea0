package io.samsa.log;

import static io.samsa.log.KeyedRecords.batch;
import static io.samsa.log.KeyedRecords.entries;
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
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A crash in the middle of a clean, at each step of a segment swap, in the first and in a later group: the process
 * dies there ({@link Log#closeQuietly()}: no flush, no snapshot, no clean-shutdown marker, as kill -9), the log is
 * reopened, and it must hold the latest record of every key at its offset, nothing the log did not have, and no
 * leftover files; cleaning then finishes the job.
 */
class LogCleanerCrashTest {

    private static final TopicPartition TP = new TopicPartition("compacted", 0);
    private static final long T0 = 1_700_000_000_000L;

    /** What a crash looks like to the cleaner: an exception out of the step listener. */
    private static final class Crash extends RuntimeException {
        Crash() {
            super("simulated crash");
        }
    }

    @TempDir
    Path dataDir;

    private final AtomicLong clock = new AtomicLong(T0);
    private final List<Log> opened = new ArrayList<>();
    private final TestRecords.Config config = new TestRecords.Config();

    @AfterEach
    void closeLogs() {
        opened.forEach(Log::close);
    }

    private Log open() {
        config.compact = true;
        config.delete = false;
        config.segmentBytes = 400;
        config.minCleanableDirtyRatio = 0.01;
        config.deleteRetentionMs = 0;
        Log log = Log.open(dataDir.resolve(TP.dirName()), TP, config.build(), clock::get, JdkGzipCompression.INSTANCE);
        opened.add(log);
        return log;
    }

    static Stream<Arguments> crashPoints() {
        return Stream.of(SwapStep.values()).flatMap(step -> Stream.of(Arguments.of(step, 1), Arguments.of(step, 3)));
    }

    @ParameterizedTest(name = "{0}, group {1}")
    @MethodSource("crashPoints")
    void aCrashAtAnyStepOfASwapLosesNoLatestRecord(SwapStep crashAt, int group) throws IOException {
        Log log = open();
        Map<String, Entry> latest = new LinkedHashMap<>();
        for (int i = 0; i < 60; i++) {
            String key = "k" + (i % 5);
            String value = i % 7 == 6 ? null : "v" + i;
            latest.put(key, new Entry(log.appendAsLeader(batch(T0 + i, key, value), 0).firstOffset(), key, value));
        }
        log.roll();
        List<Entry> before = entries(log);
        int[] seen = {0};
        LogCleaner crashing = new LogCleaner(new CleanerConfig(true, 1, 10, 1 << 20, 1024, 0.9),
                () -> List.of(log), clock::get, step -> {
                    if (step == crashAt && ++seen[0] == group) {
                        throw new Crash();
                    }
                });

        crashing.cleanOnce();
        assertThat(seen[0]).isEqualTo(group);
        log.closeQuietly();

        Log reopened = open();
        List<Entry> after = entries(reopened);
        assertThat(after).containsAll(latest.values());
        assertThat(before).containsAll(after);
        assertThat(after).extracting(Entry::offset).isSorted().doesNotHaveDuplicates();
        assertThat(view(after)).isEqualTo(view(before));
        assertThat(reopened.logEndOffset()).isEqualTo(60);
        try (Stream<Path> files = Files.list(dataDir.resolve(TP.dirName()))) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .noneMatch(name -> name.endsWith(SegmentFiles.CLEANED_SUFFIX)
                            || name.endsWith(SegmentFiles.SWAP_SUFFIX) || name.endsWith(SegmentFiles.DELETED_SUFFIX));
        }

        new LogCleaner(new CleanerConfig(true, 1, 10, 1 << 20, 1024, 0.9), () -> List.of(reopened), clock::get,
                step -> {}).cleanOnce();
        assertThat(entries(reopened)).containsExactlyElementsOf(
                latest.values().stream().sorted(Comparator.comparingLong(Entry::offset)).toList());
    }
}
