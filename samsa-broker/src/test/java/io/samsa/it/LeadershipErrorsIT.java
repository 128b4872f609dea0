package io.samsa.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.samsa.it.LeadershipIT.Assignment;
import io.samsa.it.LeadershipIT.Cluster;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteRecordsResponse;
import org.apache.kafka.common.requests.DescribeClusterResponse;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.JoinGroupResponse;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochResponse;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The exact answers of a broker (node 1) for partitions it does not lead, byte for byte as Kafka gives them: error
 * codes, the KIP-951 current leader and node endpoints, leader-epoch checks in Kafka's order (epoch first, then
 * leadership), and coordinator requests for keys whose internal partition node 2 leads.
 *
 * <p>Topic {@code led} has partition 0 on nodes 2 and 1, led by 2 at epoch 5 (node 1 hosts it as a follower),
 * partition 1 on node 2 alone, led by it at epoch 3 (node 1 does not host it), and partition 2 on nodes 1 and 2, led
 * by 1 at epoch 4.
 */
class LeadershipErrorsIT {

    static final String TOPIC = "led";
    static Cluster cluster;
    static UUID topicId;
    static int portOfTwo;
    static int portOfOne;

    @BeforeAll
    static void start() {
        cluster = Cluster.start(Map.of("offsets.topic.num.partitions", "2",
                "transaction.state.log.num.partitions", "2"));
        topicId = cluster.createTopic(TOPIC, new Assignment(List.of(2, 1), List.of(2), 2, 5),
                new Assignment(List.of(2), List.of(2), 2, 3), new Assignment(List.of(1, 2), List.of(1), 1, 4));
        // Group partition 0 is led by node 2, group partition 1 has no leader; transaction partition 0 is led by
        // node 2 and transaction partition 1 by node 1.
        cluster.createTopic("__consumer_offsets", new Assignment(List.of(2, 1), List.of(2), 2, 1),
                new Assignment(List.of(2), List.of(), -1, 2));
        cluster.createTopic("__transaction_state", new Assignment(List.of(2, 1), List.of(2), 2, 1),
                new Assignment(List.of(1), List.of(1), 1, 1));
        portOfOne = cluster.one.broker().address().getPort();
        portOfTwo = cluster.two.broker().address().getPort();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    /** Another broker's registration as the response's NodeEndpoints carry it. */
    private static ProduceResponseData.NodeEndpoint produceEndpointOfTwo() {
        return new ProduceResponseData.NodeEndpoint().setNodeId(2).setHost("127.0.0.1").setPort(portOfTwo);
    }

    @Test
    void produceToANonLeaderIsRefusedWithTheCurrentLeaderAndItsEndpoint() throws Exception {
        try (RawClient raw = new RawClient(cluster.one.bootstrap())) {
            ProduceResponse response = (ProduceResponse) raw.call(ApiKeys.PRODUCE, (short) 12,
                    produce(0, 1, 2, 7));
            List<ProduceResponseData.PartitionProduceResponse> results =
                    response.data().responses().iterator().next().partitionResponses();
            assertThat(results).extracting(p -> Errors.forCode(p.errorCode())).containsExactly(
                    Errors.NOT_LEADER_OR_FOLLOWER, Errors.NOT_LEADER_OR_FOLLOWER, Errors.NONE,
                    Errors.UNKNOWN_TOPIC_OR_PARTITION);
            assertThat(results).extracting(p -> p.currentLeader().leaderId() + "@" + p.currentLeader().leaderEpoch())
                    .containsExactly("2@5", "2@3", "-1@-1", "-1@-1");
            assertThat(results.get(0).baseOffset()).isEqualTo(-1);
            assertThat(results.get(2).baseOffset()).isZero();
            assertThat(response.data().nodeEndpoints()).containsExactly(produceEndpointOfTwo());
        }
    }

    @Test
    void produceBeforeVersion10CarriesNoLeaderHint() throws Exception {
        try (RawClient raw = new RawClient(cluster.one.bootstrap())) {
            ProduceResponse response = (ProduceResponse) raw.call(ApiKeys.PRODUCE, (short) 9, produce(0));
            ProduceResponseData.PartitionProduceResponse result =
                    response.data().responses().iterator().next().partitionResponses().get(0);
            assertThat(Errors.forCode(result.errorCode())).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
            assertThat(result.currentLeader().leaderId()).isEqualTo(-1);
            assertThat(response.data().nodeEndpoints()).isEmpty();
        }
    }

    @Test
    void fetchChecksTheLeaderEpochFirstThenLeadershipAndNamesTheLeader() throws Exception {
        try (RawClient raw = new RawClient(cluster.one.bootstrap())) {
            // partition, the client's current leader epoch
            int[][] asked = {{0, -1}, {0, 4}, {0, 5}, {0, 6}, {1, -1}, {1, 2}, {2, 3}, {2, 4}, {2, 5}, {2, -1}};
            FetchResponse response = (FetchResponse) raw.call(ApiKeys.FETCH, (short) 16, fetch(asked));
            List<FetchResponseData.PartitionData> results = response.data().responses().get(0).partitions();
            assertThat(results).extracting(p -> Errors.forCode(p.errorCode())).containsExactly(
                    Errors.NOT_LEADER_OR_FOLLOWER, Errors.FENCED_LEADER_EPOCH, Errors.NOT_LEADER_OR_FOLLOWER,
                    Errors.UNKNOWN_LEADER_EPOCH, Errors.NOT_LEADER_OR_FOLLOWER, Errors.NOT_LEADER_OR_FOLLOWER,
                    Errors.FENCED_LEADER_EPOCH, Errors.NONE, Errors.UNKNOWN_LEADER_EPOCH, Errors.NONE);
            // As Kafka: the hint goes with NOT_LEADER_OR_FOLLOWER and FENCED_LEADER_EPOCH only.
            assertThat(results).extracting(p -> p.currentLeader().leaderId() + "@" + p.currentLeader().leaderEpoch())
                    .containsExactly("2@5", "2@5", "2@5", "-1@-1", "2@3", "2@3", "1@4", "-1@-1", "-1@-1", "-1@-1");
            assertThat(response.data().nodeEndpoints()).containsExactlyInAnyOrder(
                    new FetchResponseData.NodeEndpoint().setNodeId(2).setHost("127.0.0.1").setPort(portOfTwo),
                    new FetchResponseData.NodeEndpoint().setNodeId(1).setHost("127.0.0.1").setPort(portOfOne));
        }
    }

    @Test
    void fetchBeforeVersion16CarriesNoLeaderHint() throws Exception {
        try (RawClient raw = new RawClient(cluster.one.bootstrap())) {
            FetchResponse response = (FetchResponse) raw.call(ApiKeys.FETCH, (short) 15, fetch(new int[][] {{0, -1}}));
            FetchResponseData.PartitionData result = response.data().responses().get(0).partitions().get(0);
            assertThat(Errors.forCode(result.errorCode())).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
            assertThat(result.currentLeader().leaderId()).isEqualTo(-1);
            assertThat(response.data().nodeEndpoints()).isEmpty();
        }
    }

    @Test
    void listOffsetsAnswersOnTheLeaderAtItsEpochOnly() throws Exception {
        try (RawClient raw = new RawClient(cluster.one.bootstrap())) {
            int[][] asked = {{0, -1}, {0, 4}, {0, 6}, {1, -1}, {2, 3}, {2, 5}, {2, 4}, {2, -1}, {7, -1}};
            ListOffsetsResponse response = (ListOffsetsResponse) raw.call(ApiKeys.LIST_OFFSETS, (short) 9,
                    listOffsets(-1, asked));
            List<ListOffsetsResponseData.ListOffsetsPartitionResponse> results =
                    response.data().topics().get(0).partitions();
            assertThat(results).extracting(p -> Errors.forCode(p.errorCode())).containsExactly(
                    Errors.NOT_LEADER_OR_FOLLOWER, Errors.FENCED_LEADER_EPOCH, Errors.UNKNOWN_LEADER_EPOCH,
                    Errors.NOT_LEADER_OR_FOLLOWER, Errors.FENCED_LEADER_EPOCH, Errors.UNKNOWN_LEADER_EPOCH,
                    Errors.NONE, Errors.NONE, Errors.UNKNOWN_TOPIC_OR_PARTITION);
            assertThat(results.get(6).leaderEpoch()).isEqualTo(4);
            // A debugging tool (replica id -2) may read a follower's offsets.
            ListOffsetsResponse debugging = (ListOffsetsResponse) raw.call(ApiKeys.LIST_OFFSETS, (short) 9,
                    listOffsets(-2, new int[][] {{0, -1}}));
            assertThat(Errors.forCode(debugging.data().topics().get(0).partitions().get(0).errorCode()))
                    .isEqualTo(Errors.NONE);
        }
    }

    @Test
    void offsetForLeaderEpochAnswersOnTheLeaderAtItsEpochOnly() throws Exception {
        try (RawClient raw = new RawClient(cluster.one.bootstrap())) {
            int[][] asked = {{0, -1}, {0, 4}, {0, 6}, {1, -1}, {2, 3}, {2, 5}, {2, 4}, {7, -1}};
            OffsetForLeaderEpochRequestData request = new OffsetForLeaderEpochRequestData().setReplicaId(-1);
            OffsetForLeaderEpochRequestData.OffsetForLeaderTopic topic =
                    new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic().setTopic(TOPIC);
            for (int[] a : asked) {
                topic.partitions().add(new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition()
                        .setPartition(a[0]).setCurrentLeaderEpoch(a[1]).setLeaderEpoch(4));
            }
            request.topics().add(topic);
            OffsetsForLeaderEpochResponse response = (OffsetsForLeaderEpochResponse) raw.call(
                    ApiKeys.OFFSET_FOR_LEADER_EPOCH, (short) 4, request);
            List<OffsetForLeaderEpochResponseData.EpochEndOffset> results =
                    response.data().topics().iterator().next().partitions();
            assertThat(results).extracting(p -> Errors.forCode(p.errorCode())).containsExactly(
                    Errors.NOT_LEADER_OR_FOLLOWER, Errors.FENCED_LEADER_EPOCH, Errors.UNKNOWN_LEADER_EPOCH,
                    Errors.NOT_LEADER_OR_FOLLOWER, Errors.FENCED_LEADER_EPOCH, Errors.UNKNOWN_LEADER_EPOCH,
                    Errors.NONE, Errors.UNKNOWN_TOPIC_OR_PARTITION);
            assertThat(results).extracting(p -> p.leaderEpoch() + "@" + p.endOffset()).element(0)
                    .isEqualTo("-1@-1");
            // Epoch 4 is the leader's: it ends at the log end offset, recorded when node 1 became leader.
            assertThat(results.get(6).leaderEpoch()).isEqualTo(4);
        }
    }

    @Test
    void deleteRecordsOnANonLeaderIsRefused() throws Exception {
        try (RawClient raw = new RawClient(cluster.one.bootstrap())) {
            DeleteRecordsRequestData request = new DeleteRecordsRequestData().setTimeoutMs(5000);
            DeleteRecordsRequestData.DeleteRecordsTopic topic =
                    new DeleteRecordsRequestData.DeleteRecordsTopic().setName(TOPIC);
            for (int p : new int[] {0, 1, 2, 7}) {
                topic.partitions().add(new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(p)
                        .setOffset(0));
            }
            request.topics().add(topic);
            DeleteRecordsResponse response = (DeleteRecordsResponse) raw.call(ApiKeys.DELETE_RECORDS, (short) 2,
                    request);
            assertThat(response.data().topics().iterator().next().partitions())
                    .extracting(p -> Errors.forCode(p.errorCode())).containsExactly(Errors.NOT_LEADER_OR_FOLLOWER,
                            Errors.NOT_LEADER_OR_FOLLOWER, Errors.NONE, Errors.UNKNOWN_TOPIC_OR_PARTITION);
        }
    }

    @Test
    void metadataListsLeadersEpochsAndOfflineReplicas() throws Exception {
        // Broker 3 was never registered: its replica is offline and a partition it leads has no leader.
        UUID other = cluster.createTopic("with-three", new Assignment(List.of(1, 3), List.of(1, 3), 1, 9),
                new Assignment(List.of(3, 2), List.of(3), 3, 2));
        try (RawClient raw = new RawClient(cluster.one.bootstrap())) {
            for (short version : new short[] {12, 0}) {
                MetadataRequestData request = new MetadataRequestData().setTopics(List.of(
                        new MetadataRequestData.MetadataRequestTopic().setName("with-three"),
                        new MetadataRequestData.MetadataRequestTopic().setName(TOPIC)));
                MetadataResponse response = (MetadataResponse) raw.call(ApiKeys.METADATA, version, request);
                MetadataResponseData data = response.data();
                assertThat(data.brokers()).extracting(b -> b.nodeId() + "@" + b.port()).containsExactlyInAnyOrder(
                        "1@" + portOfOne, "2@" + portOfTwo);
                MetadataResponseData.MetadataResponseTopic withThree = data.topics().find("with-three");
                List<String> partitions = withThree.partitions().stream().map(p -> Errors.forCode(p.errorCode())
                        + " " + p.leaderId() + "@" + p.leaderEpoch() + " " + p.replicaNodes() + " " + p.isrNodes()
                        + " " + p.offlineReplicas()).toList();
                if (version == 12) {
                    assertThat(data.controllerId()).isEqualTo(1);
                    assertThat(withThree.topicId()).isEqualTo(new Uuid(other.getMostSignificantBits(),
                            other.getLeastSignificantBits()));
                    assertThat(partitions).containsExactly("NONE 1@9 [1, 3] [1, 3] [3]",
                            "LEADER_NOT_AVAILABLE -1@2 [3, 2] [3] [3]");
                    assertThat(data.topics().find(TOPIC).partitions()).extracting(p -> p.leaderId() + "@"
                            + p.leaderEpoch()).containsExactly("2@5", "2@3", "1@4");
                } else {
                    // Version 0 lists live replicas only, has neither epochs nor offline replicas.
                    assertThat(partitions).containsExactly("REPLICA_NOT_AVAILABLE 1@-1 [1] [1] []",
                            "LEADER_NOT_AVAILABLE -1@-1 [2] [] []");
                }
            }
        }
    }

    @Test
    void describeClusterNamesTheControllerAndTheLiveBrokers() throws Exception {
        try (RawClient raw = new RawClient(cluster.one.bootstrap())) {
            DescribeClusterResponse response = (DescribeClusterResponse) raw.call(ApiKeys.DESCRIBE_CLUSTER,
                    (short) 2, new DescribeClusterRequestData().setIncludeFencedBrokers(true));
            assertThat(response.data().controllerId()).isEqualTo(1);
            assertThat(response.data().brokers()).extracting(b -> b.brokerId() + "@" + b.port() + " " + b.isFenced())
                    .containsExactlyInAnyOrder("1@" + portOfOne + " false", "2@" + portOfTwo + " false");
        }
    }

    @Test
    void findCoordinatorNamesTheLeaderOfTheKeysPartition() throws Exception {
        String groupOfTwo = keyFor(0);
        String groupWithoutLeader = keyFor(1);
        String txnOfTwo = keyFor(0);
        String txnOfOne = keyFor(1);
        try (RawClient raw = new RawClient(cluster.one.bootstrap())) {
            FindCoordinatorResponse groups = (FindCoordinatorResponse) raw.call(ApiKeys.FIND_COORDINATOR, (short) 4,
                    new FindCoordinatorRequestData().setKeyType((byte) 0)
                            .setCoordinatorKeys(List.of(groupOfTwo, groupWithoutLeader)));
            assertThat(groups.data().coordinators()).extracting(FindCoordinatorLine::of).containsExactly(
                    new FindCoordinatorLine(groupOfTwo, Errors.NONE, 2, portOfTwo),
                    new FindCoordinatorLine(groupWithoutLeader, Errors.COORDINATOR_NOT_AVAILABLE, -1, -1));
            FindCoordinatorResponse txns = (FindCoordinatorResponse) raw.call(ApiKeys.FIND_COORDINATOR, (short) 4,
                    new FindCoordinatorRequestData().setKeyType((byte) 1)
                            .setCoordinatorKeys(List.of(txnOfTwo, txnOfOne)));
            assertThat(txns.data().coordinators()).extracting(FindCoordinatorLine::of).containsExactly(
                    new FindCoordinatorLine(txnOfTwo, Errors.NONE, 2, portOfTwo),
                    new FindCoordinatorLine(txnOfOne, Errors.NONE, 1, portOfOne));
            // Version 3 and below: one key, the answer at the top level.
            FindCoordinatorResponse v3 = (FindCoordinatorResponse) raw.call(ApiKeys.FIND_COORDINATOR, (short) 3,
                    new FindCoordinatorRequestData().setKeyType((byte) 0).setKey(groupOfTwo));
            assertThat(v3.data().nodeId()).isEqualTo(2);
            assertThat(v3.data().port()).isEqualTo(portOfTwo);
        }
    }

    @Test
    void coordinatorRequestsForKeysLedElsewhereGetNotCoordinator() throws Exception {
        try (RawClient raw = new RawClient(cluster.one.bootstrap())) {
            JoinGroupRequestData join = new JoinGroupRequestData().setGroupId(keyFor(0)).setMemberId("")
                    .setSessionTimeoutMs(10_000).setRebalanceTimeoutMs(10_000).setProtocolType("consumer");
            join.protocols().add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range")
                    .setMetadata(new byte[0]));
            JoinGroupResponse joined = (JoinGroupResponse) raw.call(ApiKeys.JOIN_GROUP, (short) 9, join);
            assertThat(Errors.forCode(joined.data().errorCode())).isEqualTo(Errors.NOT_COORDINATOR);
            InitProducerIdResponse elsewhere = (InitProducerIdResponse) raw.call(ApiKeys.INIT_PRODUCER_ID, (short) 5,
                    new InitProducerIdRequestData().setTransactionalId(keyFor(0)).setTransactionTimeoutMs(10_000)
                            .setProducerId(-1).setProducerEpoch((short) -1));
            assertThat(Errors.forCode(elsewhere.data().errorCode())).isEqualTo(Errors.NOT_COORDINATOR);
            InitProducerIdResponse here = (InitProducerIdResponse) raw.call(ApiKeys.INIT_PRODUCER_ID, (short) 5,
                    new InitProducerIdRequestData().setTransactionalId(keyFor(1)).setTransactionTimeoutMs(10_000)
                            .setProducerId(-1).setProducerEpoch((short) -1));
            assertThat(Errors.forCode(here.data().errorCode())).isEqualTo(Errors.NONE);
            // An idempotent producer has no coordinator: any broker answers.
            InitProducerIdResponse idempotent = (InitProducerIdResponse) raw.call(ApiKeys.INIT_PRODUCER_ID,
                    (short) 5, new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(10_000)
                            .setProducerId(-1).setProducerEpoch((short) -1));
            assertThat(Errors.forCode(idempotent.data().errorCode())).isEqualTo(Errors.NONE);
        }
    }

    /** A key that hashes to {@code partition} of an internal topic with two partitions, as Kafka's coordinators hash. */
    static String keyFor(int partition) {
        for (int i = 0; ; i++) {
            String key = "key-" + i;
            int hash = key.hashCode();
            if ((hash == Integer.MIN_VALUE ? 0 : Math.abs(hash)) % 2 == partition) {
                return key;
            }
        }
    }

    /** One coordinator of a FindCoordinator answer. */
    record FindCoordinatorLine(String key, Errors error, int nodeId, int port) {
        static FindCoordinatorLine of(FindCoordinatorResponseData.Coordinator c) {
            return new FindCoordinatorLine(c.key(), Errors.forCode(c.errorCode()), c.nodeId(), c.port());
        }
    }

    private static org.apache.kafka.common.message.ProduceRequestData produce(int... partitions) {
        org.apache.kafka.common.message.ProduceRequestData request = LeadershipIT.produce(TOPIC, partitions[0], "v");
        org.apache.kafka.common.message.ProduceRequestData.TopicProduceData data = request.topicData().iterator()
                .next();
        for (int i = 1; i < partitions.length; i++) {
            data.partitionData().add(LeadershipIT.produce(TOPIC, partitions[i], "v").topicData().iterator().next()
                    .partitionData().get(0));
        }
        return request;
    }

    private static FetchRequestData fetch(int[][] asked) {
        FetchRequestData request = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(0).setMinBytes(0)
                .setMaxBytes(1 << 20).setIsolationLevel((byte) 0).setSessionId(0).setSessionEpoch(-1);
        FetchRequestData.FetchTopic topic = new FetchRequestData.FetchTopic().setTopic(TOPIC)
                .setTopicId(new Uuid(topicId.getMostSignificantBits(), topicId.getLeastSignificantBits()));
        for (int[] a : asked) {
            topic.partitions().add(new FetchRequestData.FetchPartition().setPartition(a[0]).setFetchOffset(0)
                    .setPartitionMaxBytes(1 << 16).setCurrentLeaderEpoch(a[1]).setLogStartOffset(-1));
        }
        request.topics().add(topic);
        return request;
    }

    private static ListOffsetsRequestData listOffsets(int replicaId, int[][] asked) {
        ListOffsetsRequestData request = new ListOffsetsRequestData().setReplicaId(replicaId);
        ListOffsetsRequestData.ListOffsetsTopic topic = new ListOffsetsRequestData.ListOffsetsTopic().setName(TOPIC);
        for (int[] a : asked) {
            topic.partitions().add(new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(a[0])
                    .setCurrentLeaderEpoch(a[1]).setTimestamp(-1));
        }
        request.topics().add(topic);
        return request;
    }
}
