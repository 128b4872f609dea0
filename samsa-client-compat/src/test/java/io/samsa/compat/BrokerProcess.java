package io.samsa.compat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The broker jar built by the samsa-broker module, started as its own JVM on an ephemeral loopback port with a
 * temporary data directory (its kafka-clients 4.1 cannot share a classpath with the old clients under test). Its
 * output goes to {@code target/<name>-broker.log}. Close it to stop it (SIGTERM) and delete its data.
 *
 * <p>With {@code -Dcompat.bootstrap=HOST:PORT} no broker is started and the tests run against that one instead, e.g.
 * Apache Kafka 4.1.1 to check that the scenarios' expectations are Kafka's (give each test class a fresh broker: the
 * scenarios' topic names are fixed).
 */
final class BrokerProcess implements AutoCloseable {

    private static final String LISTENING = "Samsa is listening on ";

    private final Process process;
    private final Path dataDir;
    private final CompletableFuture<String> bootstrap = new CompletableFuture<>();

    private BrokerProcess(Process process, Path dataDir) {
        this.process = process;
        this.dataDir = dataDir;
    }

    /** Starts a broker with Kafka-style {@code key=value} overrides and waits until it listens. */
    static BrokerProcess start(String name, String... overrides) {
        String external = System.getProperty("compat.bootstrap", "");
        if (!external.isBlank()) {
            BrokerProcess broker = new BrokerProcess(null, null);
            broker.bootstrap.complete(external);
            return broker;
        }
        String jar = System.getProperty("samsa.jar");
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("no broker jar at " + jar + " (build samsa-broker first: ./mvnw package)");
        }
        try {
            Path dataDir = Files.createTempDirectory("samsa-compat-");
            List<String> command = new ArrayList<>(List.of(System.getProperty("samsa.java", "java"), "-Xms32m",
                    "-Xmx512m", "-XX:+UseSerialGC", "--enable-native-access=ALL-UNNAMED", "-jar", jar, "start",
                    "--port", "0", "--data-dir", dataDir.toString()));
            for (String override : overrides) {
                command.add("--override");
                command.add(override);
            }
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            BrokerProcess broker = new BrokerProcess(process, dataDir);
            Path log = Path.of("target", name + "-broker.log");
            Thread pump = new Thread(() -> broker.pumpOutput(log), name + "-broker-output");
            pump.setDaemon(true);
            pump.start();
            broker.bootstrap.get(60, TimeUnit.SECONDS);
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException("the broker did not start; see target/" + name + "-broker.log", e);
        }
    }

    String bootstrap() {
        return bootstrap.join();
    }

    private void pumpOutput(Path log) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8));
                Writer out = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                out.write(line);
                out.write('\n');
                out.flush();
                if (line.startsWith(LISTENING)) {
                    bootstrap.complete(line.substring(LISTENING.length()).split(" ")[0]);
                }
            }
        } catch (IOException e) {
            bootstrap.completeExceptionally(e);
        }
        bootstrap.completeExceptionally(new IllegalStateException("the broker's output ended before it listened"));
    }

    @Override
    public void close() throws Exception {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
