package io.samsa.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One node of a cluster as its own JVM ({@code io.samsa.server.Main start} with the test classpath, as the launcher
 * runs it), its output copied to a log file, and its metadata image readable at {@code /metadata}.
 */
final class ClusterNode {

    private static final String LISTENING = "Samsa is listening on ";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** What {@code GET /metadata} reports. */
    record Image(int node, long offset, String digest, int activeController) {}

    final int id;
    final int clientPort;
    final int httpPort;
    final Path dataDir;
    private final List<String> args;
    private final Path log;
    private Process process;
    private CompletableFuture<String> listening;

    ClusterNode(int id, int clientPort, int httpPort, Path dataDir, Path log, List<String> clusterArgs) {
        this.id = id;
        this.clientPort = clientPort;
        this.httpPort = httpPort;
        this.dataDir = dataDir;
        this.log = log;
        this.args = List.copyOf(clusterArgs);
        try {
            Files.deleteIfExists(log); // one test's node; its restarts append
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String bootstrap() {
        return "127.0.0.1:" + clientPort;
    }

    ClusterNode start() throws IOException {
        String java = System.getProperty("samsa.java");
        if (java == null || java.isBlank()) {
            java = ProcessHandle.current().info().command().orElseThrow();
        }
        List<String> command = new ArrayList<>(List.of(java, "-Xms32m", "-Xmx384m", "-XX:+UseSerialGC", "-Xss512k",
                "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), "io.samsa.server.Main",
                "start", "--node-id", String.valueOf(id), "--port", String.valueOf(clientPort),
                "--data-dir", dataDir.toString(), "--http-port", String.valueOf(httpPort),
                "--advertised", bootstrap()));
        command.addAll(args);
        process = new ProcessBuilder(command).redirectErrorStream(true).start();
        listening = new CompletableFuture<>();
        Thread pump = new Thread(this::pumpOutput, "cluster-it-node-" + id);
        pump.setDaemon(true);
        pump.start();
        return this;
    }

    private void pumpOutput() {
        Process p = process;
        CompletableFuture<String> started = listening;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                Writer out = Files.newBufferedWriter(log, StandardCharsets.UTF_8,
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND)) {
            String line;
            while ((line = in.readLine()) != null) {
                out.write(line);
                out.write('\n');
                out.flush();
                if (line.startsWith(LISTENING)) {
                    started.complete(line);
                }
            }
        } catch (IOException e) {
            started.completeExceptionally(new UncheckedIOException(e));
        } finally {
            started.completeExceptionally(new IllegalStateException("node " + id + " exited before it listened"));
        }
    }

    void awaitListening() throws Exception {
        try {
            listening.get(90, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("node " + id + " did not start; see " + log.toAbsolutePath() + ":\n"
                    + (Files.exists(log) ? Files.readString(log) : ""), e);
        }
    }

    String logText() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** The node's image as it reports it, or null when it does not answer. */
    Image image() {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + httpPort + "/metadata")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return null;
            }
            java.util.Map<String, String> fields = new java.util.HashMap<>();
            for (String line : response.body().split("\n")) {
                int space = line.indexOf(' ');
                if (space > 0) {
                    fields.put(line.substring(0, space), line.substring(space + 1));
                }
            }
            return new Image(Integer.parseInt(fields.get("node")), Long.parseLong(fields.get("offset")),
                    fields.get("digest"), Integer.parseInt(fields.get("active_controller")));
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** SIGKILL: no shutdown hook runs. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("node %d dies", id).isTrue();
        assertThat(process.exitValue()).isEqualTo(137);
    }

    void stop() throws InterruptedException {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(15, TimeUnit.SECONDS);
        }
    }
}
