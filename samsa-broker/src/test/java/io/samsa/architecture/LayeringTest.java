package io.samsa.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layers of DESIGN.md: dependencies point down only, and kafka-clients' wire classes are used only by the
 * protocol and api layers (the handlers build kafka-clients' response messages), the node-to-node cluster calls and the
 * command-line client. Checked on the sources.
 */
class LayeringTest {

    /** Each package and the Samsa packages it may import. */
    private static final Map<String, List<String>> ALLOWED = Map.ofEntries(
            Map.entry("protocol", List.of()),
            Map.entry("network", List.of("protocol")),
            Map.entry("replication", List.of("log")),
            Map.entry("metadata", List.of("log")),
            Map.entry("coordinator", List.of()),
            Map.entry("security", List.of()),
            Map.entry("api", List.of("protocol", "network", "log", "replication", "metadata", "coordinator",
                    "security")),
            // The command-line client speaks the Kafka protocol through kafka-clients only, like any other client.
            Map.entry("cli", List.of()),
            Map.entry("metrics", List.of("log", "replication", "metadata", "coordinator")),
            // Node-to-node calls (forwarding to the controller, registration): Kafka requests to peers.
            Map.entry("cluster", List.of("protocol", "network", "metadata", "api")),
            Map.entry("server", List.of("protocol", "network", "log", "replication", "metadata", "coordinator",
                    "security", "api", "metrics", "cluster")));

    private static final List<String> KAFKA_ALLOWED = List.of("protocol", "api", "cli", "cluster");

    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?([\\w.]+)", Pattern.MULTILINE);

    @Test
    void layersImportOnlyWhatIsBelowThem() throws IOException {
        List<String> violations = new ArrayList<>();
        Path root = Path.of("src/main/java/io/samsa");
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String layer = root.relativize(file).getName(0).toString();
                String source = Files.readString(file);
                Matcher m = IMPORT.matcher(source);
                while (m.find()) {
                    String imported = m.group(1);
                    if (imported.startsWith("io.samsa.")) {
                        String target = imported.split("\\.")[2];
                        if (!target.equals(layer) && !ALLOWED.get(layer).contains(target)) {
                            violations.add(file + " imports " + imported);
                        }
                    } else if (imported.startsWith("org.apache.kafka.") && !KAFKA_ALLOWED.contains(layer)) {
                        violations.add(file + " imports " + imported);
                    }
                }
            }
        }
        assertThat(violations).isEmpty();
    }
}
