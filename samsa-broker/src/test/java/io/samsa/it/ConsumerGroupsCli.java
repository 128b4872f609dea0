package io.samsa.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Kafka's {@code kafka-consumer-groups} command (ConsumerGroupCommand of kafka-tools 4.1.1) run against a broker in
 * its own JVM, exactly as an operator runs it: same class, same arguments, nothing of Samsa on its path that it uses.
 * Its output goes to files rather than pipes, so a tool that hangs can never block the test; a run that outlives
 * {@link #TIMEOUT} is killed and fails.
 */
final class ConsumerGroupsCli {

    private static final String MAIN = "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final String bootstrap;
    private final Path workDir;

    ConsumerGroupsCli(String bootstrap, Path workDir) {
        this.bootstrap = bootstrap;
        this.workDir = workDir;
    }

    /** What one run printed. The tool reports failures on stdout ("Error: ...") and exits 0 all the same. */
    record Output(String stdout, String stderr) {

        List<String> lines() {
            return stdout.lines().filter(l -> !l.isBlank()).toList();
        }

        /** The rows under the header that starts with {@code firstColumn}, split on whitespace; header excluded. */
        List<List<String>> table(String firstColumn, String secondColumn) {
            List<String> lines = lines();
            int header = -1;
            for (int i = 0; i < lines.size(); i++) {
                List<String> cells = cells(lines.get(i));
                if (cells.size() > 1 && cells.get(0).equals(firstColumn) && cells.get(1).equals(secondColumn)) {
                    header = i;
                    break;
                }
            }
            if (header < 0) {
                throw new AssertionError("no table headed " + firstColumn + " " + secondColumn + " in:\n" + this);
            }
            List<List<String>> rows = new ArrayList<>();
            for (String line : lines.subList(header + 1, lines.size())) {
                rows.add(cells(line));
            }
            return rows;
        }

        private static List<String> cells(String line) {
            return Arrays.asList(line.trim().split("\\s+"));
        }

        @Override
        public String toString() {
            return "stdout:\n" + stdout + "\nstderr:\n" + stderr;
        }
    }

    /** Runs {@code kafka-consumer-groups --bootstrap-server <broker> args...} and waits for it to exit. */
    Output run(String... args) throws IOException, InterruptedException {
        String java = System.getProperty("samsa.java", ProcessHandle.current().info().command().orElse("java"));
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"), MAIN, "--bootstrap-server", bootstrap));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(workDir, "cli-", ".out");
        Path err = Files.createTempFile(workDir, "cli-", ".err");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("kafka-consumer-groups " + String.join(" ", args) + " did not exit within "
                        + TIMEOUT + "; it printed:\n" + read(out, err));
            }
            Output output = read(out, err);
            if (process.exitValue() != 0) {
                throw new AssertionError("kafka-consumer-groups " + String.join(" ", args) + " exited with "
                        + process.exitValue() + ":\n" + output);
            }
            return output;
        } finally {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static Output read(Path out, Path err) throws IOException {
        return new Output(Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }
}
