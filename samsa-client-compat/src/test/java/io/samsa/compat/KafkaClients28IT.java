package io.samsa.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * The client scenarios with kafka-clients 2.8, run in a child JVM whose classpath holds this module's test classes
 * and the 2.8 jars that the build copied into {@code target/kafka-clients-2.8.2} (instead of 3.9).
 */
class KafkaClients28IT {

    private static BrokerProcess broker;

    @BeforeAll
    static void start() {
        broker = BrokerProcess.start("kafka-clients-2.8");
    }

    @AfterAll
    static void stop() throws Exception {
        broker.close();
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("io.samsa.compat.ClientScenarios#ALL")
    void scenario(String name) throws Exception {
        Path jars = Path.of(System.getProperty("compat.kafka28.dir"));
        assertThat(jars.resolve("kafka-clients-2.8.2.jar")).isRegularFile();
        String classpath = Path.of("target", "test-classes").toAbsolutePath() + File.pathSeparator
                + jars.toAbsolutePath() + File.separator + "*";
        Path log = Path.of("target", "kafka-clients-2.8-" + name + ".log");
        Process process = new ProcessBuilder(System.getProperty("samsa.java", "java"), "-Xmx256m",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", classpath, ClientScenarios.class.getName(),
                broker.bootstrap(), name)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean exited = process.waitFor(120, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly().waitFor();
        }
        List<String> output = Files.readAllLines(log, StandardCharsets.UTF_8);
        assertThat(exited).as("finished within 120 s: %s", output).isTrue();
        assertThat(process.exitValue()).as("exit status; output: %s", String.join("\n", output)).isZero();
        assertThat(output).contains("PASS " + name + " with kafka-clients 2.8.2");
    }
}
