package io.samsa.log;

import static io.samsa.log.TestRecords.batch;
import static io.samsa.log.TestRecords.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.samsa.log.internal.SegmentFiles;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full or failing disk under the log layer, simulated by {@link StorageFaults}: appends are refused at once with
 * STORAGE_ERROR naming the directory, nothing torn stays in the files, every acknowledged record survives, the state
 * change is logged once each way, and appends resume by themselves.
 */
class LogDirFailureTest {

    private static final long T0 = 1_700_000_000_000L;
    private static final TopicPartition TP = new TopicPartition("orders", 0);

    @TempDir
    Path root;

    private final AtomicLong clock = new AtomicLong(T0);
    private final LogConfig config = new TestRecords.Config().build();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    private PrintStream originalErr;

    @BeforeEach
    void captureLog() {
        originalErr = System.err;
        OutputStream tee = new OutputStream() {
            @Override
            public void write(int b) {
                synchronized (logged) {
                    logged.write(b);
                }
                originalErr.write(b);
            }
        };
        System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void cleanUp() throws Exception {
        System.setErr(originalErr);
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private List<String> logLines(String level) {
        String text;
        synchronized (logged) {
            text = logged.toString(StandardCharsets.UTF_8);
        }
        return text.lines().filter(l -> l.contains(" " + level + " ") && l.contains("LogDir")).toList();
    }

    private StorageFaults faults(Path dir, long capacity) {
        StorageFaults faults = StorageFaults.install(dir, capacity);
        closeables.add(faults);
        return faults;
    }

    private LogManager open(LogDir.Threshold threshold, Path... dirs) {
        LogManager manager = LogManager.open(List.of(dirs), threshold, clock::get, tp -> config,
                BatchCompression.UNAVAILABLE);
        closeables.add(manager);
        return manager;
    }

    @Test
    void noSpaceHalfWayThroughABatchLeavesNothingTornAndAppendsResumeOnceSpaceIsBack() throws Exception {
        Path dir = root.resolve("data");
        StorageFaults faults = faults(dir, 40_000);
        LogManager manager = open(LogDir.Threshold.NONE, dir);
        Log log = manager.getOrCreate(TP, config);
        String value = "x".repeat(900);
        List<String> acknowledged = new ArrayList<>();
        StorageException refused = null;
        for (int i = 0; i < 100 && refused == null; i++) {
            try {
                log.appendAsLeader(batch(T0, value + i), 0);
                acknowledged.add(value + i);
            } catch (StorageException e) {
                refused = e;
            }
        }

        assertThat(refused).isNotNull();
        assertThat(refused.kind()).isEqualTo(StorageException.Kind.STORAGE_ERROR);
        assertThat(refused.getMessage()).contains(dir.toAbsolutePath().toString()).contains("is full")
                .contains("No space left on device");
        // The disk held all it could: less than two batches' worth (the torn one, and index entries) is left.
        int batchBytes = batch(T0, value + "0").remaining();
        assertThat(log.sizeInBytes()).isGreaterThan(40_000 - 2L * batchBytes);
        assertThat(log.logEndOffset()).isEqualTo(acknowledged.size());
        LogDir logDir = manager.logDirs().getFirst();
        assertThat(logDir.status()).isEqualTo(LogDir.Status.FULL);
        // The torn batch is gone from the file: its length is exactly that of the acknowledged batches.
        Path segment = SegmentFiles.logFile(log.dir(), 0);
        assertThat(Files.size(segment)).isEqualTo(log.sizeInBytes());

        // Refused at once, without touching the disk, and not logged again.
        long used = faults.usedBytes();
        assertThatThrownBy(() -> log.appendAsLeader(batch(T0, "more"), 0))
                .isInstanceOf(StorageException.class).hasMessageContaining("appends are refused until space is freed");
        assertThat(faults.usedBytes()).isEqualTo(used);
        assertThat(values(log)).isEqualTo(acknowledged);

        faults.setCapacity(10_000_000);
        assertThatThrownBy(() -> log.appendAsLeader(batch(T0, "too soon"), 0))
                .isInstanceOf(StorageException.class);
        clock.addAndGet(LogDir.RECHECK_MS);
        assertThat(log.appendAsLeader(batch(T0, "after"), 0).firstOffset()).isEqualTo(acknowledged.size());
        acknowledged.add("after");
        assertThat(logDir.status()).isEqualTo(LogDir.Status.ONLINE);
        assertThat(logLines("ERROR")).hasSize(1).first().asString().contains(dir.toAbsolutePath().toString())
                .contains("is full").contains("free of");
        assertThat(logLines("INFO")).hasSize(1).first().asString().contains("appends to its partitions resume");

        manager.close();
        try (LogManager reopened = LogManager.open(dir, clock::get, tp -> config)) {
            assertThat(values(reopened.get(TP).orElseThrow())).isEqualTo(acknowledged);
        }
    }

    @Test
    void theThresholdRefusesAppendsBeforeTheDiskRunsOut() {
        Path dir = root.resolve("data");
        StorageFaults faults = faults(dir, 100_000);
        LogManager manager = open(new LogDir.Threshold(60_000, 1.0), dir);
        Log log = manager.getOrCreate(TP, config);
        int appended = 0;
        StorageException refused = null;
        while (refused == null) {
            try {
                log.appendAsLeader(batch(T0, "y".repeat(1000)), 0);
                appended++;
            } catch (StorageException e) {
                refused = e;
            }
        }
        // Free space fell below 60,000 bytes: refused while 40% of the disk is still free, never by the disk.
        assertThat(faults.usableBytes()).isLessThan(60_000).isGreaterThan(55_000);
        assertThat(refused.getMessage()).contains("is full").contains("threshold").doesNotContain("No space");
        assertThat(log.logEndOffset()).isEqualTo(appended);
        assertThat(logLines("ERROR")).hasSize(1);
        // The log can still roll, snapshot and checkpoint: the space is there.
        log.roll();
        log.flush();
    }

    @Test
    void aFreshPartitionNeedsNoBytesOnAFullDisk() {
        Path dir = root.resolve("data");
        StorageFaults faults = faults(dir, 0);
        LogManager manager = open(LogDir.Threshold.NONE, dir);
        Log log = manager.getOrCreate(TP, config);
        assertThat(log.logEndOffset()).isZero();
        assertThat(faults.usedBytes()).isZero();
    }

    @Test
    void aReadOnlyDirectoryGoesOfflineAndComesBackWhenWritable() {
        Path dir = root.resolve("data");
        StorageFaults faults = faults(dir, Long.MAX_VALUE / 2);
        LogManager manager = open(LogDir.Threshold.NONE, dir);
        Log log = manager.getOrCreate(TP, config);
        log.appendAsLeader(batch(T0, "a"), 0);

        faults.setMode(StorageFaults.Mode.READ_ONLY);
        assertThatThrownBy(() -> log.appendAsLeader(batch(T0, "b"), 0)).isInstanceOf(StorageException.class)
                .hasMessageContaining("is offline").hasMessageContaining("Read-only file system");
        LogDir logDir = log.logDir();
        assertThat(logDir.status()).isEqualTo(LogDir.Status.OFFLINE);
        assertThatThrownBy(logDir::checkOnline).isInstanceOf(StorageException.class);
        assertThat(manager.canCreateLogs()).isFalse();
        clock.addAndGet(LogDir.RECHECK_MS);
        assertThatThrownBy(() -> log.appendAsLeader(batch(T0, "c"), 0)).isInstanceOf(StorageException.class)
                .hasMessageContaining("is offline");

        faults.setMode(StorageFaults.Mode.NONE);
        clock.addAndGet(LogDir.RECHECK_MS);
        assertThat(log.appendAsLeader(batch(T0, "d"), 0).firstOffset()).isEqualTo(1);
        assertThat(values(log)).containsExactly("a", "d");
        assertThat(logLines("ERROR")).hasSize(1).first().asString().contains("failed")
                .contains("Read-only file system");
        assertThat(logLines("INFO")).hasSize(1);
    }

    @Test
    void withSeveralDirectoriesAFailedOneGoesOfflineAndTheOthersGoOn() {
        Path first = root.resolve("d1");
        Path second = root.resolve("d2");
        StorageFaults faults = faults(first, Long.MAX_VALUE / 2);
        LogManager manager = open(LogDir.Threshold.NONE, first, second);
        Log a = manager.getOrCreate(new TopicPartition("t", 0), config);
        Log b = manager.getOrCreate(new TopicPartition("t", 1), config);
        // Each new partition goes to the directory with the fewest.
        assertThat(List.of(a.logDir().path(), b.logDir().path()))
                .containsExactlyInAnyOrder(first.toAbsolutePath(), second.toAbsolutePath());
        Log onFirst = a.logDir().path().equals(first.toAbsolutePath()) ? a : b;
        Log onSecond = onFirst == a ? b : a;

        faults.setMode(StorageFaults.Mode.IO_ERROR);
        assertThatThrownBy(() -> onFirst.appendAsLeader(batch(T0, "x"), 0)).isInstanceOf(StorageException.class)
                .hasMessageContaining("Input/output error");
        assertThat(onSecond.appendAsLeader(batch(T0, "y"), 0).firstOffset()).isZero();
        // New partitions go to the directory still online.
        Log c = manager.getOrCreate(new TopicPartition("t", 2), config);
        assertThat(c.logDir().path()).isEqualTo(second.toAbsolutePath());
        assertThat(manager.logDirs()).extracting(LogDir::status)
                .containsExactly(LogDir.Status.OFFLINE, LogDir.Status.ONLINE);
        assertThat(manager.canCreateLogs()).isTrue();
    }

    @Test
    void aFullDirectoryStillTakesEmptyPartitionsButNoAppends() {
        Path dir = root.resolve("data");
        faults(dir, 1000).reserve(600); // other files leave 400 bytes, below the threshold of 1000
        LogManager manager = open(new LogDir.Threshold(10_000, 1.0), dir);
        Log log = manager.getOrCreate(TP, config);
        assertThatThrownBy(() -> log.appendAsLeader(batch(T0, "x"), 0)).isInstanceOf(StorageException.class)
                .hasMessageContaining("is full");
        assertThat(manager.canCreateLogs()).isTrue();
        assertThat(manager.getOrCreate(new TopicPartition("t", 0), config).logEndOffset()).isZero();
    }
}
