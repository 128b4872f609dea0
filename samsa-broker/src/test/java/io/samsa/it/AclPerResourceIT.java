package io.samsa.it;

import static io.samsa.it.AclIT.allow;
import static io.samsa.it.AclIT.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.AlterConfigsResult;
import org.apache.kafka.clients.admin.AlterConsumerGroupOffsetsResult;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreatePartitionsResult;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.DeleteConsumerGroupOffsetsResult;
import org.apache.kafka.clients.admin.DeleteRecordsResult;
import org.apache.kafka.clients.admin.DeleteTopicsResult;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeConfigsResult;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.message.ConsumerGroupDescribeRequestData;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.requests.ConsumerGroupDescribeResponse;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.DescribeTransactionsRequestData;
import org.apache.kafka.common.message.DescribeTransactionsResponseData.TransactionState;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AddOffsetsToTxnResponse;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;
import org.apache.kafka.common.requests.DeleteGroupsResponse;
import org.apache.kafka.common.requests.DescribeGroupsResponse;
import org.apache.kafka.common.requests.DescribeTransactionsResponse;
import org.apache.kafka.common.requests.EndTxnResponse;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.SaslAuthenticateResponse;
import org.apache.kafka.common.requests.TxnOffsetCommitResponse;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

/**
 * The authorization matrix for the APIs that name several resources: in one request, the resources the principal may
 * use proceed and the others get the error Kafka gives for each, with Kafka's order of checks (a topic the principal
 * may not DESCRIBE is TOPIC_AUTHORIZATION_FAILED whether it exists or not; one it may DESCRIBE and that does not exist
 * is UNKNOWN_TOPIC_OR_PARTITION). The admin client is used wherever it sends such a mixed request; where it first
 * filters the resources itself (FindCoordinator keeps the groups and transactional ids it may not DESCRIBE from ever
 * reaching DescribeGroups, ConsumerGroupDescribe, DeleteGroups or DescribeTransactions), the request is sent raw. Also
 * the authorized operations (KIP-430) of the cluster, topics and groups, and Kafka 4.1's ConsumerGroupDescribe rule: a
 * group whose assignments name a topic the caller may not DESCRIBE is TOPIC_AUTHORIZATION_FAILED, without members.
 *
 * <p>alice may do anything on topics {@code alice-*} and groups {@code alice-*}, DESCRIBE topics {@code seen-*},
 * CREATE topics {@code nocfg-*} and WRITE the transactional id {@code alice-tx}; nothing else.
 */
class AclPerResourceIT {

    private static final Set<AclOperation> TOPIC_OPERATIONS = Set.of(AclOperation.READ, AclOperation.WRITE,
            AclOperation.CREATE, AclOperation.DELETE, AclOperation.ALTER, AclOperation.DESCRIBE,
            AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS);
    private static final Set<AclOperation> GROUP_OPERATIONS = Set.of(AclOperation.READ, AclOperation.DELETE,
            AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS);
    private static final Set<AclOperation> CLUSTER_OPERATIONS = Set.of(AclOperation.CREATE,
            AclOperation.CLUSTER_ACTION, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS,
            AclOperation.IDEMPOTENT_WRITE, AclOperation.ALTER, AclOperation.DESCRIBE);

    private static final TopicPartition ALICE_A = new TopicPartition("alice-a", 0);
    private static final TopicPartition SEEN_B = new TopicPartition("seen-b", 0);
    private static final TopicPartition OTHER_B = new TopicPartition("other-b", 0);

    private static final List<AclBinding> ACLS = List.of(
            allow(ResourceType.TOPIC, "alice-", PatternType.PREFIXED, "alice", AclOperation.ALL),
            allow(ResourceType.TOPIC, "seen-", PatternType.PREFIXED, "alice", AclOperation.DESCRIBE),
            allow(ResourceType.TOPIC, "nocfg-", PatternType.PREFIXED, "alice", AclOperation.CREATE),
            allow(ResourceType.GROUP, "alice-", PatternType.PREFIXED, "alice", AclOperation.ALL),
            allow(ResourceType.TRANSACTIONAL_ID, "alice-tx", PatternType.LITERAL, "alice", AclOperation.WRITE));

    /** A broker with alice's ACLs and the topics alice-a, alice-a2, seen-b and other-b, one record in each. */
    private static BrokerFixture brokerWithTopics() throws Exception {
        BrokerFixture broker = BrokerFixture.start(AclIT.broker());
        Admin admin = broker.admin(as(broker, "admin"));
        admin.createAcls(ACLS).all().get();
        admin.createTopics(List.of(new NewTopic("alice-a", 1, (short) 1), new NewTopic("alice-a2", 1, (short) 1),
                new NewTopic("seen-b", 1, (short) 1), new NewTopic("other-b", 1, (short) 1))).all().get();
        try (KafkaProducer<String, String> producer = broker.producer(as(broker, "admin"))) {
            for (String topic : List.of("alice-a", "alice-a2", "seen-b", "other-b")) {
                producer.send(new ProducerRecord<>(topic, 0, "k", "v")).get();
            }
        }
        return broker;
    }

    @Test
    void topicApisAnswerEachTopicAsKafkaDoes() throws Exception {
        try (BrokerFixture broker = brokerWithTopics()) {
            Admin admin = broker.admin(as(broker, "admin"));
            Admin alice = broker.admin(as(broker, "alice"));

            // CreateTopics: CREATE per topic; created without DESCRIBE_CONFIGS, the answer hides the topic's
            // partitions, replication factor and configs (TOPIC_AUTHORIZATION_FAILED as the config error).
            CreateTopicsResult created = alice.createTopics(List.of(new NewTopic("alice-new", 2, (short) 1),
                    new NewTopic("other-new", 1, (short) 1), new NewTopic("nocfg-new", 3, (short) 1)));
            assertThat(created.numPartitions("alice-new").get()).isEqualTo(2);
            assertThat(created.config("alice-new").get().get("cleanup.policy").value()).isEqualTo("delete");
            failsWith(created.values().get("other-new"), TopicAuthorizationException.class);
            created.values().get("nocfg-new").get();
            failsWith(created.numPartitions("nocfg-new"), TopicAuthorizationException.class);
            failsWith(created.config("nocfg-new"), TopicAuthorizationException.class);
            assertThat(admin.listTopics().names().get()).contains("alice-new", "nocfg-new")
                    .doesNotContain("other-new");
            assertThat(partitions(admin, "nocfg-new")).isEqualTo(3);

            // DeleteTopics: not DESCRIBE-able → TOPIC_AUTHORIZATION_FAILED, existing or not; DESCRIBE-able but
            // missing → UNKNOWN_TOPIC_OR_PARTITION; DESCRIBE-able without DELETE → TOPIC_AUTHORIZATION_FAILED.
            DeleteTopicsResult deleted = alice.deleteTopics(List.of("alice-a2", "other-b", "seen-b", "seen-missing",
                    "hidden-missing"));
            deleted.topicNameValues().get("alice-a2").get();
            failsWith(deleted.topicNameValues().get("other-b"), TopicAuthorizationException.class);
            failsWith(deleted.topicNameValues().get("seen-b"), TopicAuthorizationException.class);
            failsWith(deleted.topicNameValues().get("seen-missing"), UnknownTopicOrPartitionException.class);
            failsWith(deleted.topicNameValues().get("hidden-missing"), TopicAuthorizationException.class);
            assertThat(admin.listTopics().names().get()).contains("other-b", "seen-b").doesNotContain("alice-a2");

            // CreatePartitions: ALTER per topic.
            CreatePartitionsResult grown = alice.createPartitions(Map.of("alice-a", NewPartitions.increaseTo(2),
                    "seen-b", NewPartitions.increaseTo(2), "other-b", NewPartitions.increaseTo(2)));
            grown.values().get("alice-a").get();
            failsWith(grown.values().get("seen-b"), TopicAuthorizationException.class);
            failsWith(grown.values().get("other-b"), TopicAuthorizationException.class);
            assertThat(partitions(admin, "alice-a")).isEqualTo(2);
            assertThat(partitions(admin, "seen-b")).isEqualTo(1);
            assertThat(partitions(admin, "other-b")).isEqualTo(1);

            // DescribeConfigs: DESCRIBE_CONFIGS per resource (DESCRIBE does not imply it); the broker is the
            // cluster's resource.
            ConfigResource aliceTopic = new ConfigResource(ConfigResource.Type.TOPIC, "alice-a");
            ConfigResource seenTopic = new ConfigResource(ConfigResource.Type.TOPIC, "seen-b");
            ConfigResource otherTopic = new ConfigResource(ConfigResource.Type.TOPIC, "other-b");
            String nodeId = admin.describeCluster().nodes().get().iterator().next().idString();
            ConfigResource brokerResource = new ConfigResource(ConfigResource.Type.BROKER, nodeId);
            DescribeConfigsResult described = alice.describeConfigs(List.of(aliceTopic, seenTopic, otherTopic,
                    brokerResource));
            assertThat(described.values().get(aliceTopic).get().get("cleanup.policy").value()).isEqualTo("delete");
            failsWith(described.values().get(seenTopic), TopicAuthorizationException.class);
            failsWith(described.values().get(otherTopic), TopicAuthorizationException.class);
            failsWith(described.values().get(brokerResource), ClusterAuthorizationException.class);

            // IncrementalAlterConfigs: ALTER_CONFIGS per resource; the denied ones are left as they were.
            List<AlterConfigOp> hour = List.of(new AlterConfigOp(new ConfigEntry("retention.ms", "3600000"),
                    AlterConfigOp.OpType.SET));
            AlterConfigsResult altered = alice.incrementalAlterConfigs(Map.of(aliceTopic, hour, seenTopic, hour,
                    brokerResource, List.of(new AlterConfigOp(new ConfigEntry("log.retention.ms", "3600000"),
                            AlterConfigOp.OpType.SET))));
            altered.values().get(aliceTopic).get();
            failsWith(altered.values().get(seenTopic), TopicAuthorizationException.class);
            failsWith(altered.values().get(brokerResource), ClusterAuthorizationException.class);
            Map<ConfigResource, org.apache.kafka.clients.admin.Config> now = admin.describeConfigs(
                    List.of(aliceTopic, seenTopic)).all().get();
            assertThat(now.get(aliceTopic).get("retention.ms").value()).isEqualTo("3600000");
            assertThat(now.get(seenTopic).get("retention.ms").value()).isEqualTo("604800000");

            // DeleteRecords: DELETE per topic; seen-b is visible but not deletable, other-b not even visible.
            DeleteRecordsResult trimmed = alice.deleteRecords(Map.of(ALICE_A, RecordsToDelete.beforeOffset(1),
                    SEEN_B, RecordsToDelete.beforeOffset(1), OTHER_B, RecordsToDelete.beforeOffset(1)));
            assertThat(trimmed.lowWatermarks().get(ALICE_A).get().lowWatermark()).isEqualTo(1);
            failsWith(trimmed.lowWatermarks().get(SEEN_B), TopicAuthorizationException.class);
            failsWith(trimmed.lowWatermarks().get(OTHER_B), TopicAuthorizationException.class);
            assertThat(admin.listOffsets(Map.of(SEEN_B, OffsetSpec.earliest())).partitionResult(SEEN_B).get()
                    .offset()).isZero();

            // ListOffsets: DESCRIBE per topic.
            ListOffsetsResult offsets = alice.listOffsets(Map.of(ALICE_A, OffsetSpec.latest(),
                    SEEN_B, OffsetSpec.latest(), OTHER_B, OffsetSpec.latest()));
            assertThat(offsets.partitionResult(ALICE_A).get().offset()).isEqualTo(1);
            assertThat(offsets.partitionResult(SEEN_B).get().offset()).isEqualTo(1);
            failsWith(offsets.partitionResult(OTHER_B), TopicAuthorizationException.class);

            // KIP-430: the operations alice may do on each topic, only when asked for.
            Map<String, TopicDescription> topics = alice.describeTopics(List.of("alice-a", "seen-b"),
                    new DescribeTopicsOptions().includeAuthorizedOperations(true)).allTopicNames().get();
            assertThat(topics.get("alice-a").authorizedOperations()).containsExactlyInAnyOrderElementsOf(
                    TOPIC_OPERATIONS);
            assertThat(topics.get("seen-b").authorizedOperations()).containsExactly(AclOperation.DESCRIBE);
            assertThat(alice.describeTopics(List.of("alice-a")).allTopicNames().get().get("alice-a")
                    .authorizedOperations()).isNull();
        }
    }

    @Test
    void groupAndTransactionApisAnswerEachResourceAsKafkaDoes() throws Exception {
        try (BrokerFixture broker = brokerWithTopics()) {
            Admin admin = broker.admin(as(broker, "admin"));
            Admin alice = broker.admin(as(broker, "alice"));
            admin.alterConsumerGroupOffsets("alice-g", Map.of(ALICE_A, new OffsetAndMetadata(0),
                    OTHER_B, new OffsetAndMetadata(7))).all().get();
            admin.alterConsumerGroupOffsets("other-g", Map.of(ALICE_A, new OffsetAndMetadata(0))).all().get();

            // OffsetCommit: READ per topic (seen-b is only DESCRIBE-able).
            AlterConsumerGroupOffsetsResult committed = alice.alterConsumerGroupOffsets("alice-g",
                    Map.of(ALICE_A, new OffsetAndMetadata(1), SEEN_B, new OffsetAndMetadata(1)));
            committed.partitionResult(ALICE_A).get();
            failsWith(committed.partitionResult(SEEN_B), TopicAuthorizationException.class);

            // OffsetFetch: the topics alice may not DESCRIBE are left out of "all", and refused when named
            // (the admin client then skips them).
            assertThat(alice.listConsumerGroupOffsets("alice-g").partitionsToOffsetAndMetadata().get())
                    .isEqualTo(Map.of(ALICE_A, new OffsetAndMetadata(1)));
            assertThat(alice.listConsumerGroupOffsets(Map.of("alice-g", new ListConsumerGroupOffsetsSpec()
                    .topicPartitions(List.of(ALICE_A, OTHER_B)))).partitionsToOffsetAndMetadata("alice-g").get())
                    .isEqualTo(Map.of(ALICE_A, new OffsetAndMetadata(1)));
            assertThat(admin.listConsumerGroupOffsets("alice-g").partitionsToOffsetAndMetadata().get())
                    .isEqualTo(Map.of(ALICE_A, new OffsetAndMetadata(1), OTHER_B, new OffsetAndMetadata(7)));

            // OffsetDelete: DELETE on the group, READ per topic, then the topic must exist.
            TopicPartition missing = new TopicPartition("alice-missing", 0);
            DeleteConsumerGroupOffsetsResult offsetsDeleted = alice.deleteConsumerGroupOffsets("alice-g",
                    Set.of(ALICE_A, SEEN_B, missing));
            offsetsDeleted.partitionResult(ALICE_A).get();
            failsWith(offsetsDeleted.partitionResult(SEEN_B), TopicAuthorizationException.class);
            failsWith(offsetsDeleted.partitionResult(missing), UnknownTopicOrPartitionException.class);
            assertThat(admin.listConsumerGroupOffsets("alice-g").partitionsToOffsetAndMetadata().get())
                    .isEqualTo(Map.of(OTHER_B, new OffsetAndMetadata(7)));

            // ListGroups: without DESCRIBE on the cluster, only the groups alice may DESCRIBE.
            assertThat(alice.listGroups().all().get().stream().map(g -> g.groupId()).toList())
                    .containsExactly("alice-g");
            assertThat(admin.listGroups().all().get().stream().map(g -> g.groupId()).collect(Collectors.toSet()))
                    .isEqualTo(Set.of("alice-g", "other-g"));

            // KIP-430: cluster operations (none without DESCRIBE on the cluster, which DescribeCluster itself
            // does not need), and a group's.
            assertThat(alice.describeCluster(new DescribeClusterOptions().includeAuthorizedOperations(true))
                    .authorizedOperations().get()).isEmpty();
            assertThat(alice.describeCluster().authorizedOperations().get()).isNull();
            assertThat(admin.describeCluster(new DescribeClusterOptions().includeAuthorizedOperations(true))
                    .authorizedOperations().get()).containsExactlyInAnyOrderElementsOf(CLUSTER_OPERATIONS);
            assertThat(alice.describeConsumerGroups(List.of("alice-g"), new DescribeConsumerGroupsOptions()
                    .includeAuthorizedOperations(true)).describedGroups().get("alice-g").get()
                    .authorizedOperations()).containsExactlyInAnyOrderElementsOf(GROUP_OPERATIONS);

            Map<String, Object> otherTx = new HashMap<>(as(broker, "admin"));
            otherTx.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "other-tx");
            try (KafkaProducer<String, String> other = broker.producer(otherTx)) {
                other.initTransactions();
                try (RawClient raw = new RawClient(broker.bootstrap())) {
                    authenticate(raw, "alice");
                    rawGroupAndTransactionRequests(raw);
                }
            }
            // ListTransactions: only the transactional ids alice may DESCRIBE.
            assertThat(alice.listTransactions().all().get().stream().map(TransactionListing::transactionalId)
                    .toList()).containsExactly("alice-tx");
            assertThat(admin.listTransactions().all().get().stream().map(TransactionListing::transactionalId)
                    .collect(Collectors.toSet())).isEqualTo(Set.of("alice-tx", "other-tx"));
        }
    }

    @Test
    void consumerGroupDescribeHidesAGroupWhoseAssignmentsNameATopicTheCallerMayNotDescribe() throws Exception {
        try (BrokerFixture broker = brokerWithTopics()) {
            Admin admin = broker.admin(as(broker, "admin"));
            Admin alice = broker.admin(as(broker, "alice"));
            Map<String, Object> aliceConsumer = new HashMap<>(as(broker, "alice"));
            aliceConsumer.put(ConsumerConfig.GROUP_ID_CONFIG, "alice-g");
            aliceConsumer.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
            // A group alice may DESCRIBE, but whose member (the admin) is assigned a topic alice may not.
            Map<String, Object> adminConsumer = new HashMap<>(as(broker, "admin"));
            adminConsumer.put(ConsumerConfig.GROUP_ID_CONFIG, "alice-g2");
            adminConsumer.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
            try (KafkaConsumer<String, String> mine = broker.consumer(aliceConsumer);
                    KafkaConsumer<String, String> theirs = broker.consumer(adminConsumer)) {
                mine.subscribe(List.of("alice-a"));
                theirs.subscribe(List.of("other-b"));
                for (KafkaConsumer<String, String> consumer : List.of(mine, theirs)) {
                    await().atMost(Duration.ofSeconds(30)).until(() -> {
                        consumer.poll(Duration.ofMillis(100));
                        return !consumer.assignment().isEmpty();
                    });
                }
                ConsumerGroupDescription described = alice.describeConsumerGroups(List.of("alice-g"),
                        new DescribeConsumerGroupsOptions().includeAuthorizedOperations(true)).describedGroups()
                        .get("alice-g").get();
                assertThat(described.type()).isEqualTo(GroupType.CONSUMER);
                assertThat(described.members()).hasSize(1);
                assertThat(described.members().iterator().next().assignment().topicPartitions())
                        .containsExactly(ALICE_A);
                assertThat(described.authorizedOperations()).containsExactlyInAnyOrderElementsOf(GROUP_OPERATIONS);
                failsWith(alice.describeConsumerGroups(List.of("alice-g2")).describedGroups().get("alice-g2"),
                        TopicAuthorizationException.class);
                assertThat(admin.describeConsumerGroups(List.of("alice-g2")).describedGroups().get("alice-g2").get()
                        .members()).hasSize(1);

                try (RawClient raw = new RawClient(broker.bootstrap())) {
                    authenticate(raw, "alice");
                    Map<String, ConsumerGroupDescribeResponseData.DescribedGroup> groups =
                            ((ConsumerGroupDescribeResponse) raw.call(ApiKeys.CONSUMER_GROUP_DESCRIBE, (short) 0,
                                    new ConsumerGroupDescribeRequestData().setGroupIds(List.of("alice-g2",
                                            "other-g")))).data().groups().stream().collect(Collectors.toMap(
                                                    ConsumerGroupDescribeResponseData.DescribedGroup::groupId,
                                                    g -> g));
                    assertThat(groups.get("alice-g2").errorCode())
                            .isEqualTo(Errors.TOPIC_AUTHORIZATION_FAILED.code());
                    assertThat(groups.get("alice-g2").members()).isEmpty();
                    assertThat(groups.get("other-g").errorCode()).isEqualTo(Errors.GROUP_AUTHORIZATION_FAILED.code());
                }
            }
        }
    }

    /** The mixed requests that the admin client and the producer never send, as alice. */
    private static void rawGroupAndTransactionRequests(RawClient raw) throws Exception {
        // DescribeGroups: DESCRIBE per group, with the operations when asked for.
        Map<String, DescribedGroup> groups = ((DescribeGroupsResponse) raw.call(ApiKeys.DESCRIBE_GROUPS, (short) 5,
                new DescribeGroupsRequestData().setGroups(List.of("alice-g", "other-g"))
                        .setIncludeAuthorizedOperations(true))).data().groups().stream()
                .collect(Collectors.toMap(DescribedGroup::groupId, g -> g));
        assertThat(groups.get("alice-g").errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(groups.get("alice-g").groupState()).isEqualTo("Empty");
        assertThat(groups.get("alice-g").authorizedOperations()).isEqualTo(bits(GROUP_OPERATIONS));
        assertThat(groups.get("other-g").errorCode()).isEqualTo(Errors.GROUP_AUTHORIZATION_FAILED.code());
        assertThat(groups.get("other-g").groupState()).isEmpty();
        assertThat(groups.get("other-g").authorizedOperations()).isEqualTo(Integer.MIN_VALUE);

        // A transaction of alice-tx.
        raw.call(ApiKeys.FIND_COORDINATOR, (short) 4, new FindCoordinatorRequestData().setKeyType((byte) 1)
                .setCoordinatorKeys(List.of("alice-tx")));
        InitProducerIdResponseData producer = await().atMost(Duration.ofSeconds(30)).until(() ->
                ((InitProducerIdResponse) raw.call(ApiKeys.INIT_PRODUCER_ID, (short) 4, new InitProducerIdRequestData()
                        .setTransactionalId("alice-tx").setTransactionTimeoutMs(60_000).setProducerId(-1)
                        .setProducerEpoch((short) -1))).data(), d -> d.errorCode() == Errors.NONE.code());
        long pid = producer.producerId();
        short epoch = producer.producerEpoch();

        // AddPartitionsToTxn: WRITE per topic, an internal topic never; one refusal and nothing is added.
        Map<TopicPartition, Errors> added = addPartitions(raw, "alice-tx", pid, epoch, "alice-a", "seen-b",
                "__consumer_offsets");
        assertThat(added).isEqualTo(Map.of(ALICE_A, Errors.OPERATION_NOT_ATTEMPTED,
                SEEN_B, Errors.TOPIC_AUTHORIZATION_FAILED,
                new TopicPartition("__consumer_offsets", 0), Errors.TOPIC_AUTHORIZATION_FAILED));
        assertThat(addPartitions(raw, "other-tx", pid, epoch, "alice-a"))
                .isEqualTo(Map.of(ALICE_A, Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED));
        assertThat(addPartitions(raw, "alice-tx", pid, epoch, "alice-a")).isEqualTo(Map.of(ALICE_A, Errors.NONE));

        // TxnOffsetCommit: READ per topic once the transactional id and the group are allowed.
        assertThat(((AddOffsetsToTxnResponse) raw.call(ApiKeys.ADD_OFFSETS_TO_TXN, (short) 3,
                new AddOffsetsToTxnRequestData().setTransactionalId("alice-tx").setProducerId(pid)
                        .setProducerEpoch(epoch).setGroupId("alice-g"))).data().errorCode())
                .isEqualTo(Errors.NONE.code());
        TxnOffsetCommitRequestData commit = new TxnOffsetCommitRequestData().setTransactionalId("alice-tx")
                .setGroupId("alice-g").setProducerId(pid).setProducerEpoch(epoch).setGenerationId(-1).setMemberId("")
                .setTopics(List.of(txnOffsets("alice-a"), txnOffsets("seen-b")));
        assertThat(((TxnOffsetCommitResponse) raw.call(ApiKeys.TXN_OFFSET_COMMIT, (short) 3, commit)).errors())
                .isEqualTo(Map.of(ALICE_A, Errors.NONE, SEEN_B, Errors.TOPIC_AUTHORIZATION_FAILED));

        // DescribeTransactions: DESCRIBE per id; the partitions of topics alice may not DESCRIBE (here the
        // group's __consumer_offsets partition) are left out.
        Map<String, TransactionState> states = ((DescribeTransactionsResponse) raw.call(
                ApiKeys.DESCRIBE_TRANSACTIONS, (short) 0, new DescribeTransactionsRequestData()
                        .setTransactionalIds(List.of("alice-tx", "other-tx")))).data().transactionStates().stream()
                .collect(Collectors.toMap(TransactionState::transactionalId, s -> s));
        assertThat(states.get("alice-tx").errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(states.get("alice-tx").transactionState()).isEqualTo("Ongoing");
        assertThat(states.get("alice-tx").topics()).hasSize(1);
        assertThat(states.get("alice-tx").topics().iterator().next().topic()).isEqualTo("alice-a");
        assertThat(states.get("other-tx").errorCode()).isEqualTo(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code());

        assertThat(((EndTxnResponse) raw.call(ApiKeys.END_TXN, (short) 3, new EndTxnRequestData()
                .setTransactionalId("alice-tx").setProducerId(pid).setProducerEpoch(epoch).setCommitted(false)))
                .data().errorCode()).isEqualTo(Errors.NONE.code());

        // DeleteGroups: DELETE per group.
        assertThat(((DeleteGroupsResponse) raw.call(ApiKeys.DELETE_GROUPS, (short) 2, new DeleteGroupsRequestData()
                .setGroupsNames(List.of("alice-g", "other-g")))).errors())
                .isEqualTo(Map.of("alice-g", Errors.NONE, "other-g", Errors.GROUP_AUTHORIZATION_FAILED));
    }

    private static Map<TopicPartition, Errors> addPartitions(RawClient raw, String transactionalId, long pid,
            short epoch, String... topics) throws Exception {
        AddPartitionsToTxnTopicCollection collection = new AddPartitionsToTxnTopicCollection();
        for (String topic : topics) {
            collection.add(new AddPartitionsToTxnTopic().setName(topic).setPartitions(List.of(0)));
        }
        AddPartitionsToTxnResponse response = (AddPartitionsToTxnResponse) raw.call(ApiKeys.ADD_PARTITIONS_TO_TXN,
                (short) 3, new AddPartitionsToTxnRequestData().setV3AndBelowTransactionalId(transactionalId)
                        .setV3AndBelowProducerId(pid).setV3AndBelowProducerEpoch(epoch)
                        .setV3AndBelowTopics(collection));
        return response.errors().get(AddPartitionsToTxnResponse.V3_AND_BELOW_TXN_ID);
    }

    private static TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic txnOffsets(String topic) {
        return new TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic().setName(topic).setPartitions(List.of(
                new TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition().setPartitionIndex(0)
                        .setCommittedOffset(1).setCommittedLeaderEpoch(-1)));
    }

    private static int bits(Set<AclOperation> operations) {
        int bits = 0;
        for (AclOperation operation : operations) {
            bits |= 1 << operation.code();
        }
        return bits;
    }

    private static int partitions(Admin admin, String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
    }

    private static void failsWith(KafkaFuture<?> future, Class<? extends Throwable> error) {
        assertThatThrownBy(future::get).hasCauseInstanceOf(error);
    }

    private static void authenticate(RawClient raw, String user) throws Exception {
        raw.call(ApiKeys.SASL_HANDSHAKE, (short) 1, new SaslHandshakeRequestData().setMechanism("PLAIN"));
        byte[] token = ("\u0000" + user + "\u0000" + user + "-pw").getBytes(StandardCharsets.UTF_8);
        SaslAuthenticateResponse response = (SaslAuthenticateResponse) raw.call(ApiKeys.SASL_AUTHENTICATE,
                (short) 2, new SaslAuthenticateRequestData().setAuthBytes(token));
        assertThat(response.data().errorCode()).isEqualTo(Errors.NONE.code());
    }
}
