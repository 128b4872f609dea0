package io.samsa.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** One of Kafka's own command-line tools (kafka-acls, kafka-configs), run in a child JVM as an operator would. */
record KafkaTool(String name, String mainClass, String classpath, Path dir) {

    /** Runs the tool with these arguments; returns its standard output; fails unless it exits 0. */
    String run(List<String> base, String... args) throws Exception {
        String java = System.getProperty("samsa.java", ProcessHandle.current().info().command().orElse("java"));
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", classpath,
                mainClass));
        command.addAll(base);
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, name + "-", ".out");
        Path err = Files.createTempFile(dir, name + "-", ".err");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                throw new AssertionError(name + " " + String.join(" ", args) + " did not exit: "
                        + Files.readString(err, StandardCharsets.UTF_8));
            }
            String stdout = Files.readString(out, StandardCharsets.UTF_8);
            assertThat(process.exitValue()).as("%s %s: %s %s", name, String.join(" ", args), stdout,
                    Files.readString(err, StandardCharsets.UTF_8)).isZero();
            return stdout;
        } finally {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
