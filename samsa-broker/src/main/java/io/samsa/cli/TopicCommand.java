package io.samsa.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code samsa topic create|list|describe|alter|delete}. */
@Command(name = "topic", description = "Create, list, describe, alter and delete topics.",
        mixinStandardHelpOptions = true,
        subcommands = {TopicCommand.Create.class, TopicCommand.ListTopics.class, TopicCommand.Describe.class,
            TopicCommand.Alter.class, TopicCommand.Delete.class})
final class TopicCommand {

    private TopicCommand() {}

    /** {@code key=value} pairs of --config, in order. */
    static Map<String, String> configs(List<String> pairs) {
        Map<String, String> configs = new LinkedHashMap<>();
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new CliException(CliException.USAGE, "--config takes key=value, got '" + pair + "'");
            }
            configs.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return configs;
    }

    @Command(name = "create", description = "Create a topic.", mixinStandardHelpOptions = true)
    static final class Create implements Callable<Integer> {
        @Mixin ClientOptions client;
        @Parameters(paramLabel = "TOPIC") String topic;
        @Option(names = {"-p", "--partitions"}, description = "Partitions (default: the broker's num.partitions)")
        Integer partitions;
        @Option(names = {"-r", "--replication-factor"},
                description = "Replicas of each partition (default: the broker's default.replication.factor)")
        Short replicationFactor;
        @Option(names = {"-c", "--config"}, paramLabel = "KEY=VALUE", description = "A topic config; repeatable")
        List<String> config = new ArrayList<>();

        @Override
        public Integer call() {
            NewTopic newTopic = new NewTopic(topic, Optional.ofNullable(partitions),
                    Optional.ofNullable(replicationFactor)).configs(configs(config));
            try (Admin admin = client.admin()) {
                client.await(admin.createTopics(List.of(newTopic)).all(), "creating topic " + topic);
                TopicDescription created = client.await(admin.describeTopics(List.of(topic)).allTopicNames(),
                        "describing topic " + topic).get(topic);
                client.output().value(Map.of("topic", topic, "partitions", created.partitions().size()),
                        () -> client.output().line("Created topic " + topic + " with " + created.partitions().size()
                                + " partition" + (created.partitions().size() == 1 ? "" : "s") + "."));
            }
            return 0;
        }
    }

    @Command(name = "list", description = "List topics with their partition counts.", mixinStandardHelpOptions = true)
    static final class ListTopics implements Callable<Integer> {
        @Mixin ClientOptions client;
        @Option(names = "--internal", description = "Include internal topics (__consumer_offsets, ...)")
        boolean internal;

        @Override
        public Integer call() {
            try (Admin admin = client.admin()) {
                Collection<String> names = client.await(admin.listTopics(new ListTopicsOptions().listInternal(
                        internal)).names(), "listing topics");
                Map<String, TopicDescription> described = names.isEmpty() ? Map.of()
                        : client.await(admin.describeTopics(names).allTopicNames(), "describing topics");
                List<List<Object>> rows = new ArrayList<>();
                new TreeMap<>(described).forEach((name, d) -> rows.add(List.of(name, d.partitions().size(),
                        d.partitions().isEmpty() ? 0 : d.partitions().get(0).replicas().size())));
                client.output().table(List.of("TOPIC", "PARTITIONS", "REPLICATION"),
                        List.of("topic", "partitions", "replicationFactor"), rows);
            }
            return 0;
        }
    }

    @Command(name = "describe", description = "Show a topic's partitions, leaders, replicas, ISR, offsets and configs "
            + "set on it.", mixinStandardHelpOptions = true)
    static final class Describe implements Callable<Integer> {
        @Mixin ClientOptions client;
        @Parameters(paramLabel = "TOPIC") String topic;

        @Override
        public Integer call() {
            try (Admin admin = client.admin()) {
                TopicDescription d = client.await(admin.describeTopics(List.of(topic)).allTopicNames(),
                        "describing topic " + topic).get(topic);
                Map<org.apache.kafka.common.TopicPartition, Long> ends = Offsets.latest(client, admin, topic,
                        d.partitions().size());
                Map<org.apache.kafka.common.TopicPartition, Long> starts = Offsets.earliest(client, admin, topic,
                        d.partitions().size());
                ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
                Config config = client.await(admin.describeConfigs(List.of(resource)).all(),
                        "describing the configs of " + topic).get(resource);
                Map<String, String> overrides = new TreeMap<>();
                for (ConfigEntry entry : config.entries()) {
                    if (entry.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG) {
                        overrides.put(entry.name(), entry.value());
                    }
                }
                List<List<Object>> rows = new ArrayList<>();
                for (TopicPartitionInfo p : d.partitions()) {
                    org.apache.kafka.common.TopicPartition tp = new org.apache.kafka.common.TopicPartition(topic,
                            p.partition());
                    rows.add(List.of(p.partition(), p.leader() == null ? -1 : p.leader().id(), ids(p.replicas()),
                            ids(p.isr()), starts.get(tp), ends.get(tp)));
                }
                List<String> keys = List.of("partition", "leader", "replicas", "isr", "startOffset", "endOffset");
                Output out = client.output();
                if (out.json()) {
                    List<Object> partitions = Output.objects(keys, rows);
                    Map<String, Object> json = new LinkedHashMap<>();
                    json.put("topic", topic);
                    json.put("topicId", d.topicId().toString());
                    json.put("internal", d.isInternal());
                    json.put("configs", overrides);
                    json.put("partitions", partitions);
                    out.value(json, () -> { });
                } else {
                    out.line("Topic: " + topic + "  Id: " + d.topicId() + "  Partitions: " + d.partitions().size()
                            + "  Configs: " + (overrides.isEmpty() ? "-" : String.join(",", overrides.entrySet()
                                    .stream().map(e -> e.getKey() + "=" + e.getValue()).toList())));
                    out.table(List.of("PARTITION", "LEADER", "REPLICAS", "ISR", "START", "END"), keys, rows);
                }
            }
            return 0;
        }

        private static List<Integer> ids(List<Node> nodes) {
            return nodes.stream().map(Node::id).toList();
        }
    }

    @Command(name = "alter", description = "Add partitions to a topic or change its configs.",
            mixinStandardHelpOptions = true)
    static final class Alter implements Callable<Integer> {
        @Mixin ClientOptions client;
        @Parameters(paramLabel = "TOPIC") String topic;
        @Option(names = {"-p", "--partitions"}, description = "The new, larger partition count") Integer partitions;
        @Option(names = {"-c", "--config"}, paramLabel = "KEY=VALUE", description = "Set a topic config; repeatable")
        List<String> config = new ArrayList<>();
        @Option(names = "--delete-config", paramLabel = "KEY", description = "Remove a topic config; repeatable")
        List<String> deleteConfig = new ArrayList<>();

        @Override
        public Integer call() {
            if (partitions == null && config.isEmpty() && deleteConfig.isEmpty()) {
                throw new CliException(CliException.USAGE,
                        "Nothing to alter: give --partitions, --config or --delete-config");
            }
            try (Admin admin = client.admin()) {
                List<String> done = new ArrayList<>();
                if (partitions != null) {
                    client.await(admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(partitions))).all(),
                            "adding partitions to " + topic);
                    done.add("partitions=" + partitions);
                }
                if (!config.isEmpty() || !deleteConfig.isEmpty()) {
                    List<AlterConfigOp> ops = new ArrayList<>();
                    configs(config).forEach((k, v) -> ops.add(new AlterConfigOp(new ConfigEntry(k, v),
                            AlterConfigOp.OpType.SET)));
                    deleteConfig.forEach(k -> ops.add(new AlterConfigOp(new ConfigEntry(k, ""),
                            AlterConfigOp.OpType.DELETE)));
                    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
                    client.await(admin.incrementalAlterConfigs(Map.of(resource, ops)).all(),
                            "altering the configs of " + topic);
                    done.addAll(config);
                    deleteConfig.forEach(k -> done.add("-" + k));
                }
                client.output().value(Map.of("topic", topic, "altered", done),
                        () -> client.output().line("Altered topic " + topic + ": " + String.join(", ", done) + "."));
            }
            return 0;
        }
    }

    @Command(name = "delete", description = "Delete topics.", mixinStandardHelpOptions = true)
    static final class Delete implements Callable<Integer> {
        @Mixin ClientOptions client;
        @Parameters(paramLabel = "TOPIC", arity = "1..*") List<String> topics;

        @Override
        public Integer call() {
            try (Admin admin = client.admin()) {
                client.await(admin.deleteTopics(topics).all(), "deleting " + String.join(", ", topics));
                client.output().value(Map.of("deleted", topics),
                        () -> client.output().line("Deleted " + String.join(", ", topics) + "."));
            }
            return 0;
        }
    }
}
