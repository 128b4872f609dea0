package io.samsa.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The operations files shipped in ops/: the Prometheus alert rules parse and have what Alertmanager and people need,
 * the Grafana dashboard is valid JSON with a query on every panel, and both use only metrics docs/metrics.md lists.
 * Where promtool is installed (on PATH, or at -Dsamsa.promtool; the CI script unpacks Debian's), the rules are also
 * checked by Prometheus itself and its rule unit tests (ops/prometheus-alerts-test.yml) are run.
 */
class OpsFilesTest {

    private static final Path OPS = Path.of("../ops");
    private static final Path RULES = OPS.resolve("prometheus-alerts.yml");
    private static final Pattern METRIC = Pattern.compile("\\b((?:kafka|samsa|jvm|up)(?:_[a-z0-9]+)*)\\b");

    @Test
    @SuppressWarnings("unchecked")
    void alertRulesParseAndEachRuleIsComplete() throws IOException {
        Map<String, Object> file = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(RULES));
        List<Map<String, Object>> groups = (List<Map<String, Object>>) file.get("groups");
        assertThat(groups).hasSize(1);
        List<Map<String, Object>> rules = (List<Map<String, Object>>) groups.get(0).get("rules");
        Set<String> names = new TreeSet<>();
        for (Map<String, Object> rule : rules) {
            names.add((String) rule.get("alert"));
            assertThat(rule).containsKeys("alert", "expr", "for", "labels", "annotations");
            assertThat((Map<String, Object>) rule.get("labels")).containsKey("severity");
            assertThat(((Map<String, Object>) rule.get("labels")).get("severity")).isIn("warning", "critical");
            assertThat((Map<String, Object>) rule.get("annotations")).containsKeys("summary", "description");
            assertThat((String) rule.get("for")).matches("\\d+[smh]");
        }
        // What the operations issue asks alerts for.
        assertThat(names).contains("SamsaBrokerDown", "SamsaNoActiveController", "SamsaOfflinePartitions",
                "SamsaUnderReplicatedPartitions", "SamsaConsumerLagHigh", "SamsaDiskNearlyFull");
        assertDocumented(metricsIn(rules.stream().map(r -> (String) r.get("expr")).toList()));
    }

    @Test
    void dashboardIsValidJsonWithAQueryOnEveryPanel() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(OPS.resolve("grafana-dashboard.json").toFile());
        assertThat(dashboard.get("title").asText()).isEqualTo("Samsa");
        List<String> exprs = new ArrayList<>();
        for (JsonNode panel : dashboard.get("panels")) {
            assertThat(panel.get("targets")).as(panel.get("title").asText()).isNotEmpty();
            for (JsonNode target : panel.get("targets")) {
                exprs.add(target.get("expr").asText());
            }
        }
        assertThat(exprs).hasSizeGreaterThan(10);
        assertDocumented(metricsIn(exprs));
    }

    @Test
    void promtoolAcceptsTheRulesAndTheirUnitTestsPass() throws Exception {
        String promtool = promtool();
        if (promtool == null) {
            System.out.println("promtool not installed: the rules were checked by the YAML tests only");
            return;
        }
        assertThat(run(promtool, "check", "rules", "prometheus-alerts.yml")).contains("SUCCESS: 7 rules found");
        assertThat(run(promtool, "test", "rules", "prometheus-alerts-test.yml")).contains("SUCCESS");
    }

    private static String promtool() {
        String configured = System.getProperty("samsa.promtool");
        if (configured != null && new File(configured).canExecute()) {
            return configured;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File candidate = new File(dir, "promtool");
            if (candidate.canExecute()) {
                return candidate.getPath();
            }
        }
        return null;
    }

    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).directory(OPS.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }

    private static Set<String> metricsIn(List<String> exprs) {
        Set<String> metrics = new TreeSet<>();
        for (String expr : exprs) {
            Matcher m = METRIC.matcher(expr.replaceAll("\\{[^}]*}", ""));
            while (m.find()) {
                metrics.add(m.group(1));
            }
        }
        return metrics;
    }

    private static void assertDocumented(Set<String> metrics) throws IOException {
        String docs = Files.readString(Path.of("../docs/metrics.md"));
        for (String metric : metrics) {
            if (!metric.equals("up")) { // Prometheus's own
                // A histogram's or summary's series are documented under its base name.
                String base = metric.replaceAll("_(bucket|count|sum)$", "");
                assertThat(docs.contains("`" + metric + "`") || docs.contains("`" + base + "`"))
                        .as("docs/metrics.md lists " + metric).isTrue();
            }
        }
    }
}
