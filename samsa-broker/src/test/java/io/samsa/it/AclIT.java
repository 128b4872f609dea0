package io.samsa.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

/**
 * The ACL authorizer with the real kafka-clients over SASL_PLAINTEXT (PLAIN users): an authorization matrix where,
 * for each API a client uses, a principal with the ACL succeeds and one without gets the exact error a Kafka client
 * expects; ACLs managed with CreateAcls, DescribeAcls and DeleteAcls by a super user; DENY winning over ALLOW;
 * PREFIXED patterns; ACLs surviving a restart.
 */
class AclIT {

    private static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required"
            + " user_admin=\"admin-pw\" user_alice=\"alice-pw\" user_bob=\"bob-pw\";";

    static Map<String, String> broker() {
        Map<String, String> settings = new HashMap<>();
        settings.put("listeners", "SASL_PLAINTEXT://127.0.0.1:0");
        settings.put("sasl.enabled.mechanisms", "PLAIN");
        settings.put("listener.name.sasl_plaintext.plain.sasl.jaas.config", JAAS);
        settings.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        settings.put("super.users", "User:admin");
        settings.put("connection.failed.authentication.delay.ms", "0");
        return settings;
    }

    static Map<String, Object> as(BrokerFixture broker, String user) {
        Map<String, Object> props = new HashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
        props.put(SaslConfigs.SASL_MECHANISM, "PLAIN");
        props.put(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.plain.PlainLoginModule required"
                + " username=\"" + user + "\" password=\"" + user + "-pw\";");
        return props;
    }

    static AclBinding allow(ResourceType type, String name, PatternType pattern, String user,
            AclOperation operation) {
        return new AclBinding(new ResourcePattern(type, name, pattern),
                new AccessControlEntry("User:" + user, "*", operation, AclPermissionType.ALLOW));
    }

    @Test
    void eachApiIsAllowedWithItsAclAndDeniedWithKafkasErrorWithout() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(broker())) {
            Admin admin = broker.admin(as(broker, "admin"));
            admin.createAcls(List.of(
                    allow(ResourceType.TOPIC, "alice-", PatternType.PREFIXED, "alice", AclOperation.ALL),
                    allow(ResourceType.GROUP, "alice-group", PatternType.LITERAL, "alice", AclOperation.READ),
                    allow(ResourceType.TRANSACTIONAL_ID, "alice-tx", PatternType.LITERAL, "alice",
                            AclOperation.WRITE))).all().get();
            assertThat(admin.describeAcls(AclBindingFilter.ANY).values().get()).hasSize(3);

            // CreateTopics: CREATE on the topic (prefixed ACL) or TOPIC_AUTHORIZATION_FAILED.
            Admin alice = broker.admin(as(broker, "alice"));
            Admin bob = broker.admin(as(broker, "bob"));
            alice.createTopics(List.of(new NewTopic("alice-topic", 1, (short) 1))).all().get();
            assertThatThrownBy(() -> bob.createTopics(List.of(new NewTopic("bob-topic", 1, (short) 1))).all().get())
                    .hasCauseInstanceOf(TopicAuthorizationException.class);

            // Metadata: a topic the caller may not DESCRIBE is left out of the full list.
            assertThat(alice.listTopics().names().get()).contains("alice-topic");
            assertThat(bob.listTopics().names().get()).doesNotContain("alice-topic");

            // Produce (WRITE) with an idempotent producer (InitProducerId allowed by WRITE on a topic).
            Map<String, Object> aliceProducer = new HashMap<>(as(broker, "alice"));
            try (KafkaProducer<String, String> producer = broker.producer(aliceProducer)) {
                assertThat(producer.send(new ProducerRecord<>("alice-topic", 0, "k", "v0")).get().offset())
                        .isZero();
            }
            // bob may see the topic from here on (DESCRIBE), so that his requests reach Produce, InitProducerId
            // and Fetch themselves rather than stop at Metadata.
            admin.createAcls(List.of(allow(ResourceType.TOPIC, "alice-topic", PatternType.LITERAL, "bob",
                    AclOperation.DESCRIBE))).all().get();
            // bob, idempotent: InitProducerId refused (no IDEMPOTENT_WRITE, no WRITE on any topic).
            try (KafkaProducer<String, String> producer = broker.producer(as(broker, "bob"))) {
                assertThatThrownBy(() -> producer.send(new ProducerRecord<>("alice-topic", 0, "k", "x")).get())
                        .hasCauseInstanceOf(ClusterAuthorizationException.class);
            }
            // bob, not idempotent: Produce refused on the topic.
            Map<String, Object> bobPlain = new HashMap<>(as(broker, "bob"));
            bobPlain.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
            bobPlain.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
            try (KafkaProducer<String, String> producer = broker.producer(bobPlain)) {
                assertThatThrownBy(() -> producer.send(new ProducerRecord<>("alice-topic", 0, "k", "x")).get())
                        .hasCauseInstanceOf(TopicAuthorizationException.class);
            }

            // Fetch (READ) and the group APIs (READ on the group).
            TopicPartition tp = new TopicPartition("alice-topic", 0);
            Map<String, Object> aliceConsumer = new HashMap<>(as(broker, "alice"));
            aliceConsumer.put(ConsumerConfig.GROUP_ID_CONFIG, "alice-group");
            try (KafkaConsumer<String, String> consumer = broker.consumer(aliceConsumer)) {
                consumer.subscribe(List.of("alice-topic"));
                List<String> values = new java.util.ArrayList<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (values.isEmpty() && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
                }
                assertThat(values).containsExactly("v0");
                consumer.commitSync();
                assertThat(consumer.committed(Set.of(tp)).get(tp).offset()).isEqualTo(1);
            }
            Map<String, Object> bobConsumer = new HashMap<>(as(broker, "bob"));
            bobConsumer.put(ConsumerConfig.GROUP_ID_CONFIG, "alice-group");
            try (KafkaConsumer<String, String> consumer = broker.consumer(bobConsumer)) {
                consumer.subscribe(List.of("alice-topic"));
                assertThatThrownBy(() -> consumer.poll(Duration.ofSeconds(10)))
                        .isInstanceOf(GroupAuthorizationException.class);
            }
            try (KafkaConsumer<String, String> consumer = broker.consumer(as(broker, "bob"))) {
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                assertThatThrownBy(() -> {
                    for (int i = 0; i < 50; i++) {
                        consumer.poll(Duration.ofMillis(200));
                    }
                }).isInstanceOf(TopicAuthorizationException.class);
            }

            // Transactions: WRITE on the transactional id.
            Map<String, Object> aliceTx = new HashMap<>(as(broker, "alice"));
            aliceTx.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "alice-tx");
            try (KafkaProducer<String, String> producer = broker.producer(aliceTx)) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>("alice-topic", 0, "k", "tx"));
                producer.commitTransaction();
            }
            Map<String, Object> bobTx = new HashMap<>(as(broker, "bob"));
            bobTx.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "alice-tx");
            try (KafkaProducer<String, String> producer = broker.producer(bobTx)) {
                assertThatThrownBy(producer::initTransactions)
                        .isInstanceOf(TransactionalIdAuthorizationException.class);
            }

            assertThat(admin.deleteAcls(List.of(new AclBindingFilter(ResourcePatternFilter.ANY,
                    new AccessControlEntryFilter("User:bob", null, AclOperation.ANY, AclPermissionType.ANY))))
                    .all().get()).hasSize(1);

            // The ACL APIs need ALTER / DESCRIBE on the cluster.
            assertThatThrownBy(() -> alice.describeAcls(AclBindingFilter.ANY).values().get())
                    .hasCauseInstanceOf(ClusterAuthorizationException.class);
            assertThatThrownBy(() -> bob.createAcls(List.of(allow(ResourceType.TOPIC, "*", PatternType.LITERAL,
                    "bob", AclOperation.ALL))).all().get()).hasCauseInstanceOf(ClusterAuthorizationException.class);

            // DENY wins over ALLOW.
            admin.createAcls(List.of(new AclBinding(new ResourcePattern(ResourceType.TOPIC, "alice-topic",
                    PatternType.LITERAL), new AccessControlEntry("User:alice", "*", AclOperation.DELETE,
                            AclPermissionType.DENY)))).all().get();
            assertThatThrownBy(() -> alice.deleteTopics(List.of("alice-topic")).all().get())
                    .hasCauseInstanceOf(TopicAuthorizationException.class);

            // ACLs are in the metadata log: a restart keeps them.
            broker.restart();
            Admin adminAgain = broker.admin(as(broker, "admin"));
            assertThat(adminAgain.describeAcls(new AclBindingFilter(new ResourcePatternFilter(ResourceType.TOPIC,
                    null, PatternType.ANY), AccessControlEntryFilter.ANY)).values().get()).hasSize(2);
            assertThat(broker.admin(as(broker, "bob")).listTopics().names().get()).doesNotContain("alice-topic");

            // DeleteAcls removes what its filter matches; then the denial is gone and the ALL grant deletes.
            assertThat(adminAgain.deleteAcls(List.of(new AclBindingFilter(ResourcePatternFilter.ANY,
                    new AccessControlEntryFilter("User:alice", null, AclOperation.DELETE, AclPermissionType.DENY))))
                    .all().get()).hasSize(1);
            broker.admin(as(broker, "alice")).deleteTopics(List.of("alice-topic")).all().get();
        }
    }

    @Test
    void adminApisOnTopicsAndGroupsAreAllowedByTheirAclsAndDeniedWithKafkasErrors() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(broker())) {
            Admin admin = broker.admin(as(broker, "admin"));
            admin.createAcls(List.of(
                    allow(ResourceType.TOPIC, "alice-", PatternType.PREFIXED, "alice", AclOperation.ALL),
                    allow(ResourceType.GROUP, "alice-group", PatternType.LITERAL, "alice", AclOperation.READ),
                    allow(ResourceType.TOPIC, "alice-topic", PatternType.LITERAL, "bob", AclOperation.READ)))
                    .all().get();
            admin.createTopics(List.of(new NewTopic("alice-topic", 1, (short) 1))).all().get();
            Admin alice = broker.admin(as(broker, "alice"));
            Admin bob = broker.admin(as(broker, "bob"));
            org.apache.kafka.common.config.ConfigResource topic = new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.TOPIC, "alice-topic");

            // DescribeConfigs: DESCRIBE_CONFIGS (implied by ALL) or TOPIC_AUTHORIZATION_FAILED.
            assertThat(alice.describeConfigs(List.of(topic)).all().get().get(topic).get("cleanup.policy").value())
                    .isEqualTo("delete");
            assertThatThrownBy(() -> bob.describeConfigs(List.of(topic)).all().get())
                    .hasCauseInstanceOf(TopicAuthorizationException.class);
            // CreatePartitions: ALTER.
            alice.createPartitions(Map.of("alice-topic", org.apache.kafka.clients.admin.NewPartitions.increaseTo(2)))
                    .all().get();
            assertThatThrownBy(() -> bob.createPartitions(Map.of("alice-topic",
                    org.apache.kafka.clients.admin.NewPartitions.increaseTo(3))).all().get())
                    .hasCauseInstanceOf(TopicAuthorizationException.class);
            assertThat(admin.describeTopics(List.of("alice-topic")).allTopicNames().get().get("alice-topic")
                    .partitions()).hasSize(2);
            // DeleteRecords: DELETE.
            TopicPartition tp = new TopicPartition("alice-topic", 0);
            alice.deleteRecords(Map.of(tp, org.apache.kafka.clients.admin.RecordsToDelete.beforeOffset(0))).all()
                    .get();
            assertThatThrownBy(() -> bob.deleteRecords(Map.of(tp,
                    org.apache.kafka.clients.admin.RecordsToDelete.beforeOffset(0))).all().get())
                    .hasCauseInstanceOf(TopicAuthorizationException.class);
            // DescribeGroups: DESCRIBE on the group (implied by READ) or GROUP_AUTHORIZATION_FAILED.
            // (alice is let through to the coordinator, which has no such group; bob is stopped before it.)
            assertThatThrownBy(() -> alice.describeConsumerGroups(List.of("alice-group")).all().get())
                    .hasCauseInstanceOf(org.apache.kafka.common.errors.GroupIdNotFoundException.class);
            assertThatThrownBy(() -> bob.describeConsumerGroups(List.of("alice-group")).all().get())
                    .hasCauseInstanceOf(GroupAuthorizationException.class);
            // The SCRAM APIs: ALTER / DESCRIBE on the cluster.
            assertThatThrownBy(() -> bob.describeUserScramCredentials().all().get())
                    .hasCauseInstanceOf(ClusterAuthorizationException.class);
        }
    }
}
