package io.samsa.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The command line: help, the exit codes and messages of a refused start, and how the properties file and the flags
 * combine. Every failing start here stops before the broker runs, so {@link Main#run} returns.
 */
class MainTest {

    @TempDir
    Path tmp;

    private record Outcome(int exit, String out, String err) {}

    /** Main.run with captured output; a start that wrongly succeeds would block, hence the timeout. */
    private static Outcome run(String... args) {
        return assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int exit;
            try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                    PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
                exit = Main.run(args, o, e);
            }
            return new Outcome(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }, () -> "Main.run(" + Arrays.toString(args) + ") did not return: the broker started");
    }

    /** A start on a loopback ephemeral port and a fresh data directory, plus {@code extra} arguments. */
    private Outcome start(String... extra) {
        String[] args = new String[5 + extra.length];
        args[0] = "start";
        args[1] = "--port";
        args[2] = "0";
        args[3] = "--data-dir";
        args[4] = tmp.resolve("data").toString();
        System.arraycopy(extra, 0, args, 5, extra.length);
        return run(args);
    }

    // ---- help ----

    @ParameterizedTest
    @ValueSource(strings = {"--help", "-h", "help"})
    void helpListsEveryConfigKeyAndEveryFlag(String flag) {
        Outcome outcome = run(flag);
        assertThat(outcome.exit()).isZero();
        assertThat(outcome.err()).isEmpty();
        assertThat(outcome.out()).startsWith("Usage: samsa start [--port N] [--http-port N] [--data-dir DIR]");
        for (String flagName : List.of("--port N", "--data-dir DIR", "--node-id N", "--config FILE",
                "--override k=v")) {
            assertThat(outcome.out()).contains("\n  " + flagName + " ");
        }
        assertThat(BrokerConfig.KEYS).hasSizeGreaterThanOrEqualTo(29);
        List<String> lines = outcome.out().lines().toList();
        for (BrokerConfig.Key key : BrokerConfig.KEYS.values()) {
            String expectedDefault = key.defaultValue() == null ? "unset" : key.defaultValue();
            assertThat(lines).as("help line of %s", key.name())
                    .anyMatch(line -> line.startsWith("  " + key.name() + " ")
                            && line.endsWith(key.doc() + " (default: " + expectedDefault + ")"));
        }
        assertThat(outcome.out()).contains("  log.retention.ms ", "  socket.request.max.bytes ",
                "  auto.create.topics.enable ");
        assertThat(lines).anyMatch(line -> line.startsWith("  num.partitions ") && line.endsWith("(default: 1)"));
        assertThat(lines).anyMatch(line -> line.startsWith("  log.retention.ms ") && line.endsWith("(default: unset)"));
    }

    @Test
    void helpAfterStartPrintsTheSameUsageAndExitsZero() {
        Outcome outcome = run("start", "--port", "0", "--help");
        assertThat(outcome.exit()).isZero();
        assertThat(outcome.out()).isEqualTo(Main.usage());
        assertThat(outcome.err()).isEmpty();
    }

    @Test
    void noArgumentsPrintsUsageAndExitsTwo() {
        Outcome outcome = run();
        assertThat(outcome.exit()).isEqualTo(2);
        assertThat(outcome.out()).isEqualTo(Main.usage());
    }

    // ---- refused starts: exit 2 with a message naming the key and the allowed range ----

    @Test
    void aVoterListWithoutThisNodeIsRefused() {
        Outcome outcome = start("--node-id", "4", "--voters", "1@127.0.0.1:1,2@127.0.0.1:2,3@127.0.0.1:3",
                "--peers", "1@127.0.0.1:11,2@127.0.0.1:12,3@127.0.0.1:13");
        assertThat(outcome.exit()).isEqualTo(2);
        assertThat(outcome.err()).contains("controller.quorum.voters (--voters) 1@127.0.0.1:1,2@127.0.0.1:2,"
                + "3@127.0.0.1:3 does not name this node (node.id=4)");
        assertThat(tmp.resolve("data")).doesNotExist();
    }

    @Test
    void conflictingNodeIdsAreRefused() {
        Outcome twice = start("--node-id", "1", "--voters", "1@127.0.0.1:1,2@127.0.0.1:2,2@127.0.0.1:3",
                "--peers", "2@127.0.0.1:12");
        assertThat(twice.exit()).isEqualTo(2);
        assertThat(twice.err()).contains("controller.quorum.voters names node 2 twice: conflicting node ids");
        Outcome self = start("--node-id", "1", "--voters", "1@127.0.0.1:1,2@127.0.0.1:2",
                "--peers", "1@127.0.0.1:11,2@127.0.0.1:12");
        assertThat(self.exit()).isEqualTo(2);
        assertThat(self.err()).contains("samsa.peers (--peers) names this node's own id 1: conflicting node ids");
        assertThat(tmp.resolve("data")).doesNotExist();
    }

    @Test
    void aDataDirectoryOfAnotherClusterIsRefusedAndLeftAsItWas() throws Exception {
        Path data = tmp.resolve("data");
        java.nio.file.Files.createDirectories(data);
        String identity = "version=1\ncluster.id=AnotherClusterId000000\nnode.id=1\n";
        java.nio.file.Files.writeString(data.resolve("meta.properties"), identity);
        Outcome outcome = start("--node-id", "1", "--voters", "1@127.0.0.1:1,2@127.0.0.1:2", "--peers",
                "2@127.0.0.1:12");
        assertThat(outcome.exit()).isEqualTo(2);
        assertThat(outcome.err()).contains("belongs to cluster AnotherClusterId000000, but this node is configured"
                + " for cluster").contains("nothing was changed");
        assertThat(java.nio.file.Files.readString(data.resolve("meta.properties"))).isEqualTo(identity);
        try (var files = java.nio.file.Files.list(data)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactly("meta.properties");
        }
    }

    @Test
    void partitionsBelowOneAreRefused() {
        Outcome outcome = start("--override", "num.partitions=0");
        assertThat(outcome.exit()).isEqualTo(2);
        assertThat(outcome.err()).isEqualTo(
                "Invalid configuration:\nInvalid value 0 for num.partitions: must be in 1..2147483647\n");
        assertThat(outcome.out()).isEmpty();
        assertThat(tmp.resolve("data")).doesNotExist();
    }

    @Test
    void aNonNumberIsRefused() {
        Outcome outcome = start("--override", "log.segment.bytes=abc");
        assertThat(outcome.exit()).isEqualTo(2);
        assertThat(outcome.err()).isEqualTo("Invalid configuration:\n"
                + "Invalid value 'abc' for log.segment.bytes: expected a whole number in 14..2147483647\n");
    }

    @Test
    void anIntBeyondIntRangeIsRefusedAsNotAWholeNumberOfThatRange() {
        Outcome outcome = start("--override", "num.io.threads=2147483648");
        assertThat(outcome.exit()).isEqualTo(2);
        assertThat(outcome.err()).isEqualTo("Invalid configuration:\n"
                + "Invalid value '2147483648' for num.io.threads: expected a whole number in 1..256\n");
    }

    @Test
    void aBooleanOtherThanTrueOrFalseIsRefused() {
        Outcome outcome = start("--override", "auto.create.topics.enable=maybe");
        assertThat(outcome.exit()).isEqualTo(2);
        assertThat(outcome.err()).isEqualTo("Invalid configuration:\n"
                + "Invalid value 'maybe' for auto.create.topics.enable: expected true or false\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"70000", "-1", "abc"})
    void aPortOutOfRangeIsRefusedAsAnInvalidListener(String port) {
        Outcome outcome = run("start", "--port", port, "--data-dir", tmp.resolve("data").toString());
        assertThat(outcome.exit()).isEqualTo(2);
        assertThat(outcome.err()).startsWith("Invalid configuration:\nInvalid entry 'PLAINTEXT://127.0.0.1:" + port
                + "' in listeners: ");
    }

    @Test
    void everyInvalidValueIsReportedAtOnce() {
        Outcome outcome = start("--override", "num.partitions=0", "--override", "log.retention.ms=-2",
                "--override", "log.message.timestamp.type=WallClock");
        assertThat(outcome.exit()).isEqualTo(2);
        assertThat(outcome.err()).isEqualTo("Invalid configuration:\n"
                + "Invalid value 0 for num.partitions: must be in 1..2147483647\n"
                + "Invalid value -2 for log.retention.ms: must be in -1..9223372036854775807\n"
                + "Invalid value 'WallClock' for log.message.timestamp.type: must be CreateTime or LogAppendTime\n");
    }

    @Test
    void invalidCleanerAndCompressionSettingsAreRefusedNamingTheKey() {
        Outcome outcome = start("--override", "log.cleaner.min.cleanable.ratio=2", "--override",
                "log.cleanup.policy=shred", "--override", "compression.type=brotli", "--override",
                "log.cleaner.threads=0", "--override", "compression.gzip.level=0");
        assertThat(outcome.exit()).isEqualTo(2);
        assertThat(outcome.err()).isEqualTo("Invalid configuration:\n"
                + "Invalid value '2' for log.cleaner.min.cleanable.ratio: expected a number in 0..1\n"
                + "Invalid value 0 for log.cleaner.threads: must be in 1..256\n"
                + "Invalid value 'shred' for log.cleanup.policy: must be a list of compact, delete\n"
                + "Invalid value 'brotli' for compression.type: must be one of gzip, lz4, producer, snappy,"
                + " uncompressed, zstd\n"
                + "Invalid value 0 for compression.gzip.level: must be -1 or in 1..9\n");
        assertThat(tmp.resolve("data")).doesNotExist();
    }

    @Test
    void badCommandLinesExitTwoWithTheProblem() {
        assertThat(run("stop")).isEqualTo(new Outcome(2, "", "Unknown command 'stop'. Try --help.\n"));
        assertThat(run("start", "--bogus")).isEqualTo(new Outcome(2, "", "Unknown option '--bogus'. Try --help.\n"));
        assertThat(run("start", "--port")).isEqualTo(new Outcome(2, "", "--port needs a value\n"));
        assertThat(run("start", "--override", "num.partitions"))
                .isEqualTo(new Outcome(2, "", "--override takes key=value, got 'num.partitions'\n"));
        assertThat(run("start", "--override", "=3"))
                .isEqualTo(new Outcome(2, "", "--override takes key=value, got '=3'\n"));
    }

    @Test
    void aMissingConfigFileExitsTwoNamingTheFile() {
        Path missing = tmp.resolve("nope.properties");
        Outcome outcome = run("start", "--config", missing.toString());
        assertThat(outcome.exit()).isEqualTo(2);
        assertThat(outcome.err()).startsWith("Cannot read the config file " + missing + ": ");
        assertThat(outcome.out()).isEmpty();
    }

    // ---- the properties file and the flags ----

    @Test
    void theConfigFileIsReadAndFlagsWinOverItWhereverTheyAre() throws IOException {
        Path file = tmp.resolve("broker.properties");
        Files.writeString(file, """
                # a Kafka-style file
                num.partitions=4
                log.dirs=/from/file
                listeners=PLAINTEXT://127.0.0.1:1111
                log.retention.hours = 5
                node.id=9
                """);
        Map<String, String> settings = Main.parseStartArgs(new String[] {"start", "--override", "num.partitions=7",
                "--config", file.toString(), "--port", "2222", "--node-id", "3"});
        assertThat(settings).isEqualTo(Map.of(
                "num.partitions", "7",
                "log.dirs", "/from/file",
                "listeners", "PLAINTEXT://127.0.0.1:2222",
                "log.retention.hours", "5",
                "node.id", "3"));

        Map<String, String> fileOnly = Main.parseStartArgs(new String[] {"start", "--config", file.toString()});
        assertThat(fileOnly).isEqualTo(Map.of(
                "num.partitions", "4",
                "log.dirs", "/from/file",
                "listeners", "PLAINTEXT://127.0.0.1:1111",
                "log.retention.hours", "5",
                "node.id", "9"));
        BrokerConfig config = BrokerConfig.parse(fileOnly);
        assertThat(config.getInt("num.partitions")).isEqualTo(4);
        assertThat(config.retentionMs()).isEqualTo(5 * 3_600_000L);
        assertThat(config.listeners()).extracting(Listeners.Listener::port).containsExactly(1111);
    }

    @Test
    void flagsMapToTheirKeysAndTheLastOfARepeatedFlagWins() {
        assertThat(Main.parseStartArgs(new String[] {"start"})).isEmpty();
        assertThat(Main.parseStartArgs(new String[] {"start", "--data-dir", "/d", "--port", "1", "--port", "2",
                "--override", "advertised.listeners=PLAINTEXT://localhost:5"}))
                .isEqualTo(Map.of("log.dirs", "/d", "listeners", "PLAINTEXT://127.0.0.1:2",
                        "advertised.listeners", "PLAINTEXT://localhost:5"));
        assertThat(Main.parseStartArgs(new String[] {"start", "--port", "1", "--override",
                "listeners=PLAINTEXT://127.0.0.1:3"})).isEqualTo(Map.of("listeners", "PLAINTEXT://127.0.0.1:3"));
        assertThat(Main.parseStartArgs(new String[] {"start", "--port", "1", "-h"})).isNull();
        assertThatThrownBy(() -> Main.parseStartArgs(new String[] {"start", "--data-dir"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("--data-dir needs a value");
    }

    // ---- the data directory ----

    @Test
    void aDataDirectoryUnderARegularFileFailsTheStartWithExitOne() throws IOException {
        Path file = Files.writeString(tmp.resolve("plain-file"), "not a directory");
        Path dataDir = file.resolve("sub");
        Outcome outcome = run("start", "--port", "0", "--data-dir", dataDir.toString());
        assertThat(outcome.exit()).isEqualTo(1);
        assertThat(outcome.err()).startsWith(
                "Samsa failed to start: cannot create the data directory " + dataDir + " (log.dirs): ");
        assertThat(outcome.out()).isEmpty();
    }

    @Test
    void aDataDirectoryThatIsARegularFileFailsTheStartWithExitOne() throws IOException {
        Path file = Files.writeString(tmp.resolve("plain-file"), "not a directory");
        Outcome outcome = run("start", "--port", "0", "--data-dir", file.toString());
        assertThat(outcome.exit()).isEqualTo(1);
        assertThat(outcome.err()).startsWith(
                "Samsa failed to start: cannot create the data directory " + file + " (log.dirs): ");
        assertThat(Files.readString(file)).isEqualTo("not a directory");
    }

    @Test
    void anUnwritableDataDirectoryIsRefusedNamingThePath() throws IOException {
        // root may write anywhere, so the check cannot trigger there.
        Assumptions.assumeFalse("root".equals(System.getProperty("user.name")), "running as root");
        Path dataDir = Files.createDirectory(tmp.resolve("read-only"));
        Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            Outcome outcome = run("start", "--port", "0", "--data-dir", dataDir.toString());
            assertThat(outcome.exit()).isEqualTo(2);
            assertThat(outcome.err()).isEqualTo("Invalid configuration:\nThe data directory " + dataDir
                    + " (log.dirs) is not writable\n");
        } finally {
            Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void aPortInUseFailsTheStartWithExitOneNamingTheAddressAndReleasesTheDataDirectory() throws IOException {
        Path dataDir = tmp.resolve("data");
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = taken.getLocalPort();
            Outcome outcome = run("start", "--port", String.valueOf(port), "--data-dir", dataDir.toString());
            assertThat(outcome.exit()).isEqualTo(1);
            assertThat(outcome.err()).startsWith("Samsa failed to start: cannot listen on 127.0.0.1:" + port
                    + " (listeners, PLAINTEXT): ");
            assertThat(outcome.out()).isEmpty();
        }
        // The failed start closed what it had opened: the data directory is not left locked.
        try (Broker broker = Broker.start(BrokerConfig.parse(Map.of("listeners", "PLAINTEXT://127.0.0.1:0",
                "log.dirs", dataDir.toString())))) {
            assertThat(broker.address().getPort()).isPositive();
        }
    }
}
