package io.samsa.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.samsa.server.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The command-line client against a live broker, through the same entry point as {@code ./samsa topic ...}: exact
 * output of tables and JSON, and the exit codes of failures (1 refused, 2 bad usage, 3 unreachable).
 */
class CliIT {

    private static BrokerFixture broker;

    @BeforeAll
    static void start() {
        broker = BrokerFixture.start();
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    /** What a run printed and returned. */
    record Run(int exit, String out, String err) {}

    private static Run cli(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        if (!all.contains("--help") && !all.contains("-b")) {
            all.add("-b");
            all.add(broker.bootstrap());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = runMain(all.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Main.run is package-private: the launcher's entry point, exactly as ./samsa calls it. */
    private static int runMain(String[] args, PrintStream out, PrintStream err) {
        try {
            Method run = Main.class.getDeclaredMethod("run", String[].class, PrintStream.class, PrintStream.class);
            run.setAccessible(true);
            return (int) run.invoke(null, args, out, err);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void topicsAreCreatedListedDescribedAlteredAndDeleted() {
        Run create = cli("topic", "create", "cli-orders", "--partitions", "2", "--config", "retention.ms=3600000");
        assertThat(create).isEqualTo(new Run(0, "Created topic cli-orders with 2 partitions.\n", ""));
        Run again = cli("topic", "create", "cli-orders", "--partitions", "2");
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).isEqualTo("Failed creating topic cli-orders: Topic 'cli-orders' already exists.\n");

        Run list = cli("topic", "list");
        assertThat(list.exit()).isZero();
        assertThat(list.out()).contains("TOPIC       PARTITIONS  REPLICATION\n")
                .contains("cli-orders  2           1\n");
        assertThat(cli("topic", "list", "--json").out()).contains("{\"topic\":\"cli-orders\",\"partitions\":2,"
                + "\"replicationFactor\":1}");

        Run alter = cli("topic", "alter", "cli-orders", "--partitions", "3", "--config", "retention.ms=7200000");
        assertThat(alter).isEqualTo(new Run(0, "Altered topic cli-orders: partitions=3, retention.ms=7200000.\n",
                ""));
        Run describe = cli("topic", "describe", "cli-orders");
        assertThat(describe.exit()).isZero();
        assertThat(describe.out()).matches("(?s)Topic: cli-orders  Id: \\S+  Partitions: 3  Configs: "
                + "retention.ms=7200000\n"
                + "PARTITION  LEADER  REPLICAS  ISR  START  END\n"
                + "0          1       1         1    0      0\n"
                + "1          1       1         1    0      0\n"
                + "2          1       1         1    0      0\n");
        assertThat(cli("topic", "describe", "cli-orders", "--json").out()).contains("\"configs\":{\"retention.ms\":"
                + "\"7200000\"}").contains("{\"partition\":2,\"leader\":1,\"replicas\":[1],\"isr\":[1],"
                + "\"startOffset\":0,\"endOffset\":0}");

        assertThat(cli("topic", "delete", "cli-orders")).isEqualTo(new Run(0, "Deleted cli-orders.\n", ""));
        Run gone = cli("topic", "describe", "cli-orders");
        assertThat(gone.exit()).isEqualTo(1);
        assertThat(gone.err()).startsWith("Failed describing topic cli-orders: no such topic or partition");
    }

    @Test
    void recordsAreProducedWithKeysAndHeadersAndConsumedFromOffsetsAndTimes() {
        broker.createTopic("cli-events", 1, Map.of());
        Run produce = cli("produce", "cli-events", "--key-separator", ":", "--header", "source=cli",
                "--timestamp", "1700000000000", "-m", "k1:one", "-m", "k2:two", "-m", "three");
        assertThat(produce).isEqualTo(new Run(0, "Produced 3 records to cli-events (partition 0 offsets 0..2).\n",
                ""));
        cli("produce", "cli-events", "--timestamp", "1700000060000", "-m", "four");

        Run all = cli("consume", "cli-events", "--from-beginning", "--end", "--print-offset", "--print-key",
                "--print-headers");
        assertThat(all).isEqualTo(new Run(0, """
                0\t0\t1700000000000\tk1\tsource=cli\tone
                0\t1\t1700000000000\tk2\tsource=cli\ttwo
                0\t2\t1700000000000\t\tsource=cli\tthree
                0\t3\t1700000060000\t\t\tfour
                """, "Consumed 4 records.\n"));
        assertThat(cli("consume", "cli-events", "--partition", "0", "--offset", "2", "--end").out())
                .isEqualTo("three\nfour\n");
        assertThat(cli("consume", "cli-events", "--from-time", "2023-11-14T22:14:00Z", "--end").out())
                .isEqualTo("four\n"); // 1700000040000 ms: after the first three, before the fourth
        assertThat(cli("consume", "cli-events", "--from-beginning", "-n", "1", "--json").out()).isEqualTo(
                "{\"topic\":\"cli-events\",\"partition\":0,\"offset\":0,\"timestamp\":1700000000000,\"key\":\"k1\","
                        + "\"value\":\"one\",\"headers\":{\"source\":\"cli\"}}\n");
        Run badOffset = cli("consume", "cli-events", "--offset", "2");
        assertThat(badOffset.exit()).isEqualTo(2);
        assertThat(badOffset.err()).startsWith("--offset needs --partition\n");
    }

    @Test
    void groupsAreListedAndDescribedWithLagInRecordsAndSeconds() throws Exception {
        broker.createTopic("cli-lag", 2, Map.of());
        long oldest = System.currentTimeMillis() - 120_000;
        KafkaProducer<String, String> producer = broker.producer(Map.of());
        for (int i = 0; i < 6; i++) {
            producer.send(new ProducerRecord<>("cli-lag", i % 2, oldest + i, "k" + i, "v" + i)).get();
        }
        KafkaConsumer<String, String> consumer = broker.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "cli-g"));
        consumer.commitSync(Map.of(new TopicPartition("cli-lag", 0), new OffsetAndMetadata(1),
                new TopicPartition("cli-lag", 1), new OffsetAndMetadata(3)));
        consumer.close();

        Run list = cli("group", "list");
        assertThat(list.out()).contains("cli-g").contains("classic");
        Run describe = cli("group", "describe", "cli-g", "--json");
        assertThat(describe.exit()).isZero();
        // Partition 0 holds records 0, 2, 4 (offsets 0..2): committed 1, so 2 behind, the oldest stamped oldest + 2.
        assertThat(describe.out()).startsWith("{\"group\":\"cli-g\",\"state\":\"Empty\",\"type\":\"classic\","
                + "\"coordinator\":1,\"members\":[],\"offsets\":[{\"topic\":\"cli-lag\",\"partition\":0,"
                + "\"committedOffset\":1,\"endOffset\":3,\"lag\":2,\"lagSeconds\":")
                .contains("{\"topic\":\"cli-lag\",\"partition\":1,\"committedOffset\":3,\"endOffset\":3,\"lag\":0,"
                        + "\"lagSeconds\":0.0,\"memberId\":null}");
        double seconds = Double.parseDouble(describe.out().replaceAll("(?s).*?\"lagSeconds\":([0-9.]+).*", "$1"));
        assertThat(seconds).isBetween(119.9, 600.0);
        Run table = cli("group", "describe", "cli-g");
        assertThat(table.out()).startsWith("Group: cli-g  State: Empty  Type: classic  Coordinator: 1  Members: 0\n\n"
                + "TOPIC    PARTITION  COMMITTED  END  LAG  LAG_SECONDS  MEMBER\n");
        assertThat(table.out()).contains("\ncli-lag  1          3          3    0    0            -\n");
        Run missing = cli("group", "describe", "no-such-group");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err())
                .isEqualTo("Failed describing group no-such-group: Group no-such-group not found.\n");
    }

    @Test
    void clusterInfoShowsBrokersAndController() {
        Run info = cli("cluster", "info");
        assertThat(info.exit()).isZero();
        String port = broker.bootstrap().substring(broker.bootstrap().lastIndexOf(':') + 1);
        // The high watermark counts the metadata quorum's entries, which the other tests of this class add to.
        String out = info.out().replaceFirst("high watermark \\d+,", "high watermark N,");
        assertThat(out).isEqualTo("Cluster: " + broker.broker().clusterId() + "  Controller: 1  Brokers: 1\n"
                + "Quorum: leader 1, epoch 1, high watermark N, voters [1]\n\n"
                + "ID  HOST       PORT" + " ".repeat(port.length() - 4) + "  RACK  CONTROLLER\n"
                + "1   127.0.0.1  " + port + "  -     true\n");
        assertThat(cli("cluster", "info", "--json").out().replaceFirst("\"highWatermark\":\\d+", "\"highWatermark\":N"))
                .isEqualTo("{\"clusterId\":\"" + broker.broker().clusterId() + "\",\"controller\":1,\"brokers\":[{\"id\":1,"
                        + "\"host\":\"127.0.0.1\",\"port\":" + port + ",\"rack\":null,\"controller\":true}],\"quorum\":{"
                        + "\"leader\":1,\"epoch\":1,\"highWatermark\":N,\"voters\":[1],\"observers\":[]}}\n");
    }

    @Test
    void helpOnEveryCommandBadUsageAndAnUnreachableClusterHaveTheirExitCodes() {
        for (String[] command : List.of(new String[] {"topic"}, new String[] {"topic", "create"},
                new String[] {"topic", "list"}, new String[] {"topic", "describe"}, new String[] {"topic", "alter"},
                new String[] {"topic", "delete"}, new String[] {"group", "list"}, new String[] {"group", "describe"},
                new String[] {"produce"}, new String[] {"consume"}, new String[] {"cluster", "info"})) {
            List<String> args = new ArrayList<>(List.of(command));
            args.add("--help");
            Run help = cli(args.toArray(String[]::new));
            assertThat(help.exit()).as(String.join(" ", command)).isZero();
            assertThat(help.out()).as(String.join(" ", command)).startsWith("Usage: samsa " + String.join(" ",
                    command));
        }
        Run unknown = cli("topic", "frobnicate");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).startsWith("Unmatched arguments from index 1: 'frobnicate'")
                .contains("Did you mean: topic create or topic alter or topic delete?");
        Run missingTopic = cli("topic", "create");
        assertThat(missingTopic.exit()).isEqualTo(2);
        assertThat(missingTopic.err()).startsWith("Missing required parameter: 'TOPIC'");
        Run unreachable = cli("topic", "list", "-b", "127.0.0.1:1", "--timeout-ms", "1500");
        assertThat(unreachable.exit()).isEqualTo(3);
        assertThat(unreachable.err()).startsWith("Cannot reach the cluster at 127.0.0.1:1 within 1500 ms while "
                + "listing topics");
    }
}
