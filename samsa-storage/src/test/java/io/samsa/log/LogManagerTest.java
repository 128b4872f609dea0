package io.samsa.log;

import static io.samsa.log.TestRecords.batch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogManagerTest {

    private static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path dataDir;

    private final AtomicLong clock = new AtomicLong(T0);

    @Test
    void reopensEveryPartitionLogAfterRestart() throws Exception {
        TopicPartition a0 = new TopicPartition("my-topic", 0);
        TopicPartition a1 = new TopicPartition("my-topic", 1);
        TopicPartition b0 = new TopicPartition("other", 0);
        LogConfig config = new TestRecords.Config().build();
        try (LogManager manager = LogManager.open(dataDir, clock::get, tp -> config)) {
            manager.getOrCreate(a0, config).appendAsLeader(batch(T0, "x", "y"), 0);
            manager.getOrCreate(a1, config).appendAsLeader(batch(T0, "z"), 0);
            manager.getOrCreate(b0, config);
            assertThat(manager.getOrCreate(a0, config)).isSameAs(manager.get(a0).orElseThrow());
        }
        Files.createDirectories(dataDir.resolve("__cluster_metadata-0"));
        Files.createDirectories(dataDir.resolve("not a partition"));

        try (LogManager manager = LogManager.open(dataDir, clock::get, tp -> config)) {
            assertThat(manager.all().keySet()).containsExactly(a0, a1, b0);
            assertThat(manager.get(a0).orElseThrow().logEndOffset()).isEqualTo(2);
            assertThat(TestRecords.values(manager.get(a1).orElseThrow())).containsExactly("z");
            assertThat(manager.get(new TopicPartition("__cluster_metadata", 0))).isEmpty();
        }
    }

    @Test
    void deleteRemovesTheDirectory() throws Exception {
        TopicPartition tp = new TopicPartition("doomed", 0);
        LogConfig config = new TestRecords.Config().build();
        try (LogManager manager = LogManager.open(dataDir, clock::get, t -> config)) {
            manager.getOrCreate(tp, config).appendAsLeader(batch(T0, "x"), 0);
            manager.delete(tp);
            assertThat(manager.get(tp)).isEmpty();
            assertThat(Files.exists(dataDir.resolve("doomed-0"))).isFalse();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (remainingDirs() > 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(remainingDirs()).isZero();
        }
        try (LogManager manager = LogManager.open(dataDir, clock::get, t -> config)) {
            assertThat(manager.all()).isEmpty();
        }
    }

    private long remainingDirs() throws Exception {
        try (Stream<Path> dirs = Files.list(dataDir)) {
            return dirs.filter(Files::isDirectory).count();
        }
    }

    @Test
    void deletesTheLogOfTheLongestLegalTopicName() throws Exception {
        TopicPartition tp = new TopicPartition("t".repeat(LogDirNames.MAX_TOPIC_LENGTH), 99_999);
        LogConfig config = new TestRecords.Config().build();
        try (LogManager manager = LogManager.open(dataDir, clock::get, t -> config)) {
            manager.getOrCreate(tp, config).appendAsLeader(batch(T0, "x"), 0);
            manager.delete(tp);
            assertThat(manager.get(tp)).isEmpty();
            assertThat(Files.exists(dataDir.resolve(tp.dirName()))).isFalse();
        }
    }

    @Test
    void neverOpensRenamesOrDeletesTheMetadataLogOrANameThatIsNotAPartition() throws Exception {
        Path metadataDir = Files.createDirectories(dataDir.resolve("__cluster_metadata-0"));
        Files.writeString(metadataDir.resolve("metadata.log"), "records");
        LogConfig config = new TestRecords.Config().build();
        try (LogManager manager = LogManager.open(dataDir, clock::get, t -> config)) {
            for (TopicPartition tp : new TopicPartition[] {new TopicPartition("__cluster_metadata", 0),
                    new TopicPartition("..", 0), new TopicPartition("a/../b", 0), new TopicPartition("", 0)}) {
                assertThatThrownBy(() -> manager.getOrCreate(tp, config)).isInstanceOf(StorageException.class);
                assertThatThrownBy(() -> manager.delete(tp)).isInstanceOf(StorageException.class);
                assertThatThrownBy(() -> manager.setAside(tp)).isInstanceOf(StorageException.class);
            }
        }
        assertThat(Files.readString(metadataDir.resolve("metadata.log"))).isEqualTo("records");
    }

    @Test
    void startsWhateverElseTheDataDirectoryHoldsAndSetsStrayLogsAside() throws Exception {
        LogConfig config = new TestRecords.Config().build();
        TopicPartition kept = new TopicPartition("kept", 0);
        TopicPartition stray = new TopicPartition("s".repeat(LogDirNames.MAX_TOPIC_LENGTH), 7);
        try (LogManager manager = LogManager.open(dataDir, clock::get, t -> config)) {
            manager.getOrCreate(kept, config).appendAsLeader(batch(T0, "k"), 0);
            manager.getOrCreate(stray, config).appendAsLeader(batch(T0, "s"), 0);
        }
        Files.createDirectories(dataDir.resolve("lost+found"));
        Files.createDirectories(dataDir.resolve("x-0.notauuid-delete"));
        Files.createDirectories(dataDir.resolve("kept-00"));
        Files.createDirectories(dataDir.resolve("old-0." + "a".repeat(32) + "-delete"));
        // A segment that is a directory: this partition cannot be opened, the others must be.
        Files.createDirectories(dataDir.resolve("broken-0").resolve("00000000000000000000.log"));
        TopicPartition broken = new TopicPartition("broken", 0);
        try (LogManager manager = LogManager.open(dataDir, clock::get, t -> config)) {
            assertThat(manager.all().keySet()).containsExactlyInAnyOrder(kept, stray);
            assertThatThrownBy(() -> manager.getOrCreate(broken, config))
                    .isInstanceOf(StorageException.class).hasMessageContaining("could not be opened at start-up");
            manager.setAside(stray);
            assertThat(manager.get(stray)).isEmpty();
        }
        try (LogManager manager = LogManager.open(dataDir, clock::get, t -> config)) {
            assertThat(TestRecords.values(manager.get(kept).orElseThrow())).containsExactly("k");
            assertThat(manager.get(stray)).isEmpty();
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (Files.exists(dataDir.resolve("old-0." + "a".repeat(32) + "-delete")) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        try (Stream<Path> dirs = Files.list(dataDir)) {
            List<String> names = dirs.map(p -> p.getFileName().toString()).toList();
            assertThat(names).contains("lost+found", "x-0.notauuid-delete", "kept-00", "broken-0");
            assertThat(names).noneMatch(n -> n.startsWith("old-0."));
            assertThat(names).anyMatch(n -> n.startsWith("s".repeat(200)) && n.contains("-7.")
                    && n.endsWith("-stray") && n.length() == 255);
        }
    }

    @Test
    void refusesADirectoryAlreadyInUse() {
        try (LogManager manager = LogManager.open(dataDir, clock::get)) {
            assertThat(manager.dataDir()).isEqualTo(dataDir);
            assertThatThrownBy(() -> LogManager.open(dataDir, clock::get))
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("in use");
        }
    }

    @Test
    void refusesAnUnwritableDirectory() throws Exception {
        Path file = Files.createFile(dataDir.resolve("a-file"));
        assertThatThrownBy(() -> LogManager.open(file.resolve("sub"), clock::get))
                .isInstanceOfSatisfying(StorageException.class,
                        e -> assertThat(e.kind()).isEqualTo(StorageException.Kind.STORAGE_ERROR))
                .hasMessageContaining("a-file");
    }

    @Test
    void backgroundRoundEnforcesRetention() {
        TestRecords.Config builder = new TestRecords.Config();
        builder.segmentBytes = batch(T0, "v0").remaining();
        builder.retentionMs = 1_000;
        LogConfig config = builder.build();
        TopicPartition tp = new TopicPartition("short-lived", 0);
        try (LogManager manager = LogManager.open(dataDir, clock::get, t -> config)) {
            Log log = manager.getOrCreate(tp, config);
            for (int i = 0; i < 3; i++) {
                log.appendAsLeader(batch(T0, "v" + i), 0);
            }
            assertThat(log.segmentCount()).isEqualTo(3);
            clock.set(T0 + 1_001);
            manager.runBackgroundTasksOnce();
            assertThat(log.segmentCount()).isEqualTo(1);
            assertThat(log.logStartOffset()).isEqualTo(2);
        }
    }
}
