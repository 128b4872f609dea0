package io.samsa.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Topics, partitions and configs through the real Admin client, with Kafka's exact errors. */
class AdminIT {

    private static BrokerFixture samsa;
    private static Admin admin;

    @BeforeAll
    static void start() {
        samsa = BrokerFixture.start(Map.of("num.partitions", "3", "log.retention.hours", "48"));
        admin = samsa.admin();
    }

    @AfterAll
    static void stop() {
        samsa.close();
    }

    @Test
    void createDescribeAndDeleteATopic() throws Exception {
        CreateTopicsResult created = admin.createTopics(List.of(new NewTopic("orders", 6, (short) 1)));
        created.all().get();
        assertThat(created.numPartitions("orders").get()).isEqualTo(6);
        assertThat(created.replicationFactor("orders").get()).isEqualTo(1);
        TopicDescription description = admin.describeTopics(List.of("orders")).allTopicNames().get().get("orders");
        assertThat(description.partitions()).hasSize(6);
        assertThat(description.topicId()).isEqualTo(created.topicId("orders").get());
        for (int p = 0; p < 6; p++) {
            assertThat(description.partitions().get(p).partition()).isEqualTo(p);
            assertThat(description.partitions().get(p).leader().id()).isEqualTo(1);
            assertThat(description.partitions().get(p).isr()).extracting(n -> n.id()).containsExactly(1);
        }
        assertThat(admin.listTopics().names().get()).contains("orders");

        admin.deleteTopics(List.of("orders")).all().get();
        assertThat(admin.listTopics().names().get()).doesNotContain("orders");
        assertThatThrownBy(() -> admin.describeTopics(List.of("orders")).allTopicNames().get())
                .hasCauseInstanceOf(UnknownTopicOrPartitionException.class);
        // The name is free again, and the new topic starts empty.
        admin.createTopics(List.of(new NewTopic("orders", 1, (short) 1))).all().get();
        assertThat(admin.listOffsets(Map.of(new org.apache.kafka.common.TopicPartition("orders", 0),
                org.apache.kafka.clients.admin.OffsetSpec.latest())).all().get().values().iterator().next().offset())
                .isZero();
    }

    @Test
    void defaultsComeFromTheBrokerConfig() throws Exception {
        admin.createTopics(List.of(new NewTopic("defaults", Optional.empty(), Optional.empty()))).all().get();
        assertThat(admin.describeTopics(List.of("defaults")).allTopicNames().get().get("defaults").partitions())
                .hasSize(3);
        Config config = topicConfig("defaults");
        ConfigEntry retention = config.get("retention.ms");
        assertThat(retention.value()).isEqualTo(String.valueOf(48L * 3600 * 1000));
        assertThat(retention.source()).isEqualTo(ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG);
        assertThat(config.get("segment.bytes").value()).isEqualTo("1073741824");
        assertThat(config.get("segment.bytes").source()).isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);
    }

    @Test
    void createErrorsAreKafkas() throws Exception {
        admin.createTopics(List.of(new NewTopic("exists", 1, (short) 1))).all().get();
        assertCreateFails(new NewTopic("exists", 1, (short) 1), TopicExistsException.class);
        assertCreateFails(new NewTopic("bad name!", 1, (short) 1), InvalidTopicException.class);
        assertCreateFails(new NewTopic("x".repeat(250), 1, (short) 1), InvalidTopicException.class);
        assertCreateFails(new NewTopic("..", 1, (short) 1), InvalidTopicException.class);
        assertCreateFails(new NewTopic("zero-partitions", 0, (short) 1), InvalidPartitionsException.class);
        assertCreateFails(new NewTopic("rf-three", 1, (short) 3), InvalidReplicationFactorException.class);
        assertCreateFails(new NewTopic("bad-config", 1, (short) 1).configs(Map.of("retention.ms", "soon")),
                InvalidConfigurationException.class);
        assertCreateFails(new NewTopic("unknown-config", 1, (short) 1).configs(Map.of("no.such.key", "1")),
                InvalidConfigurationException.class);
        assertCreateFails(new NewTopic("out-of-range", 1, (short) 1).configs(Map.of("segment.bytes", "10")),
                InvalidConfigurationException.class);
        admin.createTopics(List.of(new NewTopic("a.b", 1, (short) 1))).all().get();
        assertCreateFails(new NewTopic("a_b", 1, (short) 1), InvalidTopicException.class);
        assertThat(admin.listTopics().names().get()).doesNotContain("bad-config", "zero-partitions", "rf-three",
                "a_b");
    }

    @Test
    void validateOnlyCreatesNothing() throws Exception {
        CreateTopicsResult result = admin.createTopics(List.of(new NewTopic("dry-run", 4, (short) 1)),
                new CreateTopicsOptions().validateOnly(true));
        result.all().get();
        assertThat(result.numPartitions("dry-run").get()).isEqualTo(4);
        assertThat(admin.listTopics().names().get()).doesNotContain("dry-run");
    }

    @Test
    void createPartitionsGrowsATopicAndRefusesToShrink() throws Exception {
        admin.createTopics(List.of(new NewTopic("growing", 2, (short) 1))).all().get();
        admin.createPartitions(Map.of("growing", NewPartitions.increaseTo(5))).all().get();
        assertThat(admin.describeTopics(List.of("growing")).allTopicNames().get().get("growing").partitions())
                .hasSize(5);
        assertThatThrownBy(() -> admin.createPartitions(Map.of("growing", NewPartitions.increaseTo(3))).all().get())
                .hasCauseInstanceOf(InvalidPartitionsException.class);
        assertThatThrownBy(() -> admin.createPartitions(Map.of("growing", NewPartitions.increaseTo(5))).all().get())
                .hasCauseInstanceOf(InvalidPartitionsException.class);
        assertThatThrownBy(() -> admin.createPartitions(Map.of("missing", NewPartitions.increaseTo(5))).all().get())
                .hasCauseInstanceOf(UnknownTopicOrPartitionException.class);
        // The new partitions take writes.
        var producer = samsa.producer(Map.of());
        assertThat(producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>("growing", 4, "k", "v"))
                .get().offset()).isZero();
    }

    @Test
    void incrementalAlterConfigsSetsDeletesAppendsAndSubtracts() throws Exception {
        admin.createTopics(List.of(new NewTopic("configured", 1, (short) 1).configs(Map.of("retention.ms", "1000"))))
                .all().get();
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "configured");
        assertThat(topicConfig("configured").get("retention.ms").value()).isEqualTo("1000");
        assertThat(topicConfig("configured").get("retention.ms").source())
                .isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);

        admin.incrementalAlterConfigs(Map.of(resource, List.of(
                new AlterConfigOp(new ConfigEntry("segment.ms", "60000"), AlterConfigOp.OpType.SET),
                new AlterConfigOp(new ConfigEntry("retention.ms", null), AlterConfigOp.OpType.DELETE),
                new AlterConfigOp(new ConfigEntry("cleanup.policy", "compact"), AlterConfigOp.OpType.APPEND))))
                .all().get();
        Config config = topicConfig("configured");
        assertThat(config.get("segment.ms").value()).isEqualTo("60000");
        assertThat(config.get("retention.ms").value()).isEqualTo(String.valueOf(48L * 3600 * 1000));
        assertThat(config.get("cleanup.policy").value()).isEqualTo("delete,compact");

        admin.incrementalAlterConfigs(Map.of(resource, List.of(
                new AlterConfigOp(new ConfigEntry("cleanup.policy", "delete"), AlterConfigOp.OpType.SUBTRACT))))
                .all().get();
        assertThat(topicConfig("configured").get("cleanup.policy").value()).isEqualTo("compact");

        assertThatThrownBy(() -> admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(
                new ConfigEntry("max.message.bytes", "-5"), AlterConfigOp.OpType.SET)))).all().get())
                .hasCauseInstanceOf(InvalidConfigurationException.class);
        assertThatThrownBy(() -> admin.incrementalAlterConfigs(Map.of(
                new ConfigResource(ConfigResource.Type.TOPIC, "nope"), List.of(new AlterConfigOp(
                        new ConfigEntry("segment.ms", "1"), AlterConfigOp.OpType.SET)))).all().get())
                .hasCauseInstanceOf(UnknownTopicOrPartitionException.class);
    }

    @Test
    void legacyAlterConfigsReplacesAllOverrides() throws Exception {
        admin.createTopics(List.of(new NewTopic("legacy", 1, (short) 1).configs(Map.of("retention.ms", "1000",
                "segment.ms", "5000")))).all().get();
        // Admin dropped alterConfigs in 4.0; older clients and tools still send AlterConfigs.
        org.apache.kafka.common.message.AlterConfigsRequestData request =
                new org.apache.kafka.common.message.AlterConfigsRequestData();
        org.apache.kafka.common.message.AlterConfigsRequestData.AlterConfigsResource resource =
                new org.apache.kafka.common.message.AlterConfigsRequestData.AlterConfigsResource()
                        .setResourceType((byte) 2).setResourceName("legacy");
        resource.configs().add(new org.apache.kafka.common.message.AlterConfigsRequestData.AlterableConfig()
                .setName("flush.messages").setValue("10"));
        request.resources().add(resource);
        try (RawClient raw = new RawClient(samsa.bootstrap())) {
            var response = (org.apache.kafka.common.requests.AlterConfigsResponse) raw.call(
                    org.apache.kafka.common.protocol.ApiKeys.ALTER_CONFIGS, (short) 2, request);
            assertThat(response.data().responses().get(0).errorCode()).isZero();
        }
        Config config = topicConfig("legacy");
        assertThat(config.get("flush.messages").value()).isEqualTo("10");
        assertThat(config.get("retention.ms").source()).isNotEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
        assertThat(config.get("segment.ms").source()).isNotEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
    }

    @Test
    void configsSurviveARestart() throws Exception {
        BrokerFixture own = BrokerFixture.start();
        try {
            try (Admin a = own.admin()) {
                a.createTopics(List.of(new NewTopic("durable", 2, (short) 1).configs(Map.of("retention.ms",
                        "123456")))).all().get();
            }
            own.restart();
            try (Admin a = own.admin()) {
                assertThat(a.describeTopics(List.of("durable")).allTopicNames().get().get("durable").partitions())
                        .hasSize(2);
                Config config = a.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, "durable")))
                        .all().get().values().iterator().next();
                assertThat(config.get("retention.ms").value()).isEqualTo("123456");
            }
        } finally {
            own.close();
        }
    }

    @Test
    void describeClusterAndBrokerConfigs() throws Exception {
        DescribeClusterResult cluster = admin.describeCluster();
        assertThat(cluster.clusterId().get()).isEqualTo(samsa.broker().clusterId());
        assertThat(cluster.controller().get().id()).isEqualTo(1);
        assertThat(cluster.nodes().get()).extracting(n -> n.id()).containsExactly(1);
        Config broker = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.BROKER, "1"))).all()
                .get().values().iterator().next();
        assertThat(broker.get("num.partitions").value()).isEqualTo("3");
        assertThat(broker.get("num.partitions").source()).isEqualTo(ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG);
        assertThat(broker.get("auto.create.topics.enable").value()).isEqualTo("true");
    }

    private static Config topicConfig(String topic) throws Exception {
        return admin.describeConfigs(Set.of(new ConfigResource(ConfigResource.Type.TOPIC, topic))).all().get()
                .values().iterator().next();
    }

    private static void assertCreateFails(NewTopic topic, Class<? extends Throwable> error) {
        assertThatThrownBy(() -> admin.createTopics(List.of(topic)).all().get())
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(error);
    }
}
