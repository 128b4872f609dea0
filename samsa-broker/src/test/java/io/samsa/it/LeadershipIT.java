package io.samsa.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.samsa.metadata.MetadataRecord;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.apache.kafka.common.requests.OffsetFetchResponse;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochResponse;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A broker acts on partition leadership as its metadata image records it. Two in-process brokers (node 1 and node 2)
 * are given the same metadata by hand, as the quorum will give it to them: each knows the other as a registered
 * broker, and a partition's leader moves between them. Real kafka-clients producers and consumers follow the leader;
 * the exact error codes and KIP-951 hints are checked with raw requests in {@link LeadershipErrorsIT}.
 */
class LeadershipIT {

    static final String TOPIC = "orders";

    Cluster cluster;

    @BeforeEach
    void start() {
        cluster = Cluster.start(Map.of());
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    @Test
    void metadataAndDescribeClusterNameTheLeaderTheImageRecords() throws Exception {
        UUID id = cluster.createTopic(TOPIC, new Assignment(List.of(2, 1), List.of(2), 2, 7),
                new Assignment(List.of(1, 3), List.of(1), 1, 4));
        Admin admin = cluster.one.admin();
        TopicDescription described = admin.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC);
        assertThat(described.topicId()).isEqualTo(new Uuid(id.getMostSignificantBits(), id.getLeastSignificantBits()));
        TopicPartitionInfo p0 = described.partitions().get(0);
        assertThat(p0.leader().id()).isEqualTo(2);
        assertThat(p0.leader().port()).isEqualTo(cluster.two.broker().address().getPort());
        assertThat(p0.replicas()).extracting(Node::id).containsExactly(2, 1);
        assertThat(p0.isr()).extracting(Node::id).containsExactly(2);
        TopicPartitionInfo p1 = described.partitions().get(1);
        assertThat(p1.leader().id()).isEqualTo(1);
        // Broker 3 is not registered: its replica is offline, and it is not among the brokers.
        assertThat(p1.replicas()).extracting(Node::id).containsExactly(1, 3);
        DescribeClusterResult describedCluster = admin.describeCluster();
        assertThat(describedCluster.nodes().get()).extracting(Node::id).containsExactlyInAnyOrder(1, 2);
        assertThat(describedCluster.controller().get().id()).isEqualTo(1);
    }

    @Test
    void aProducerFollowsTheLeaderWhenItMovesToAnotherBroker() throws Exception {
        cluster.createTopic(TOPIC, new Assignment(List.of(1, 2), List.of(1), 1, 0));
        KafkaProducer<String, String> producer = cluster.one.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 0));
        RecordMetadata first = producer.send(new ProducerRecord<>(TOPIC, 0, "k", "on-one")).get(10, TimeUnit.SECONDS);
        assertThat(first.offset()).isZero();

        cluster.moveLeader(TOPIC, 0, new Assignment(List.of(1, 2), List.of(2), 2, 1));

        // Broker 1 refuses the next batch with NOT_LEADER_OR_FOLLOWER and names broker 2: the producer retries there.
        RecordMetadata second = producer.send(new ProducerRecord<>(TOPIC, 0, "k", "on-two")).get(10, TimeUnit.SECONDS);
        assertThat(second.offset()).isZero(); // broker 2's log: nothing replicates yet
        assertThat(cluster.two.readAll(TOPIC, 0, 1)).extracting(ConsumerRecord::value).containsExactly("on-two");
    }

    @Test
    void aConsumerFollowsTheLeaderWhenItMovesToAnotherBroker() throws Exception {
        cluster.createTopic(TOPIC, new Assignment(List.of(1, 2), List.of(1), 1, 0));
        KafkaConsumer<String, String> consumer = cluster.one.consumer(Map.of());
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
        assertThat(consumer.poll(Duration.ofMillis(200)).count()).isZero();
        assertThat(consumer.position(tp)).isZero();

        cluster.moveLeader(TOPIC, 0, new Assignment(List.of(1, 2), List.of(2), 2, 1));
        KafkaProducer<String, String> producer = cluster.one.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"));
        producer.send(new ProducerRecord<>(TOPIC, 0, "k", "from-two")).get(10, TimeUnit.SECONDS);

        // The next fetch at epoch 0 is fenced by broker 1 (now at epoch 1), which names broker 2.
        List<ConsumerRecord<String, String>> read = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (read.isEmpty() && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(read::add);
        }
        assertThat(read).extracting(ConsumerRecord::value).containsExactly("from-two");
        assertThat(read.get(0).leaderEpoch()).contains(1);
    }

    @Test
    void offsetForLeaderEpochAnswersFromTheEpochsRecordedAtEachLeaderChange() throws Exception {
        cluster.createTopic(TOPIC, new Assignment(List.of(1, 2), List.of(1), 1, 0));
        KafkaProducer<String, String> producer = cluster.one.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"));
        for (int i = 0; i < 3; i++) {
            producer.send(new ProducerRecord<>(TOPIC, 0, "k", "v" + i)).get(10, TimeUnit.SECONDS);
        }
        cluster.moveLeader(TOPIC, 0, new Assignment(List.of(1, 2), List.of(2), 2, 1));
        cluster.moveLeader(TOPIC, 0, new Assignment(List.of(1, 2), List.of(1), 1, 2));
        try (RawClient raw = new RawClient(cluster.one.bootstrap())) {
            // Node 1 led epoch 0 (offsets 0-2) and leads epoch 2 from offset 3; it never led epoch 1.
            assertThat(endOffsets(raw, 2, 0, 1, 2, 3)).containsExactly("NONE 0@3", "NONE 0@3", "NONE 2@3",
                    "NONE -1@-1");
            producer.send(new ProducerRecord<>(TOPIC, 0, "k", "v3")).get(10, TimeUnit.SECONDS);
            assertThat(endOffsets(raw, 2, 0, 2)).containsExactly("NONE 0@3", "NONE 2@4");
            assertThat(endOffsets(raw, 1, 0)).containsExactly("FENCED_LEADER_EPOCH -1@-1");
            assertThat(endOffsets(raw, 3, 0)).containsExactly("UNKNOWN_LEADER_EPOCH -1@-1");
        }
        KafkaConsumer<String, String> consumer = cluster.one.consumer(Map.of());
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
        List<ConsumerRecord<String, String>> read = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (read.size() < 4 && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(read::add);
        }
        assertThat(read).extracting(r -> r.value() + "@" + r.leaderEpoch().orElse(-1))
                .containsExactly("v0@0", "v1@0", "v2@0", "v3@2");
    }

    @Test
    void aFetchWaitingOnAPartitionIsAnsweredAsSoonAsLeadershipMoves() throws Exception {
        UUID id = cluster.createTopic(TOPIC, new Assignment(List.of(1, 2), List.of(1), 1, 0));
        try (RawClient raw = new RawClient(cluster.one.bootstrap())) {
            raw.setTimeout(10_000); // well below the fetch's own wait of 60 s
            FetchRequestData request = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(60_000).setMinBytes(1)
                    .setMaxBytes(1 << 20).setIsolationLevel((byte) 0).setSessionId(0).setSessionEpoch(-1);
            FetchRequestData.FetchTopic topic = new FetchRequestData.FetchTopic()
                    .setTopicId(new Uuid(id.getMostSignificantBits(), id.getLeastSignificantBits()));
            topic.partitions().add(new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0)
                    .setPartitionMaxBytes(1 << 16).setCurrentLeaderEpoch(0).setLogStartOffset(-1));
            request.topics().add(topic);
            int sent = raw.send(ApiKeys.FETCH, (short) 17, request);
            cluster.moveLeader(TOPIC, 0, new Assignment(List.of(1, 2), List.of(2), 2, 1));
            FetchResponse response = (FetchResponse) raw.receive(ApiKeys.FETCH, (short) 17, sent);
            FetchResponseData.PartitionData result = response.data().responses().get(0).partitions().get(0);
            // The fetch named epoch 0; node 1 is now a follower at epoch 1: fenced, and told who leads.
            assertThat(Errors.forCode(result.errorCode())).isEqualTo(Errors.FENCED_LEADER_EPOCH);
            assertThat(result.currentLeader().leaderId()).isEqualTo(2);
            assertThat(result.currentLeader().leaderEpoch()).isEqualTo(1);
            assertThat(response.data().nodeEndpoints()).extracting(FetchResponseData.NodeEndpoint::port)
                    .containsExactly(cluster.two.broker().address().getPort());
        }
    }

    @Test
    void aGroupIsCoordinatedByTheLeaderOfItsOffsetsPartition() throws Exception {
        stop();
        cluster = Cluster.start(Map.of("offsets.topic.num.partitions", "1"));
        cluster.createTopic("__consumer_offsets", new Assignment(List.of(2, 1), List.of(2), 2, 3));
        cluster.createTopic(TOPIC, new Assignment(List.of(1, 2), List.of(1), 1, 0));
        KafkaProducer<String, String> producer = cluster.one.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"));
        for (int i = 0; i < 5; i++) {
            producer.send(new ProducerRecord<>(TOPIC, 0, "k", "v" + i)).get(10, TimeUnit.SECONDS);
        }
        // Bootstrapped at node 1 only: FindCoordinator sends the group to node 2, which commits its offsets.
        KafkaConsumer<String, String> consumer = cluster.one.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "g"));
        consumer.subscribe(List.of(TOPIC));
        List<ConsumerRecord<String, String>> read = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (read.size() < 5 && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(read::add);
        }
        assertThat(read).hasSize(5);
        consumer.commitSync();
        Map<TopicPartition, OffsetAndMetadata> committed = cluster.one.admin().listConsumerGroupOffsets("g")
                .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        assertThat(committed.get(new TopicPartition(TOPIC, 0)).offset()).isEqualTo(5);
        try (RawClient raw = new RawClient(cluster.one.bootstrap())) {
            OffsetFetchRequestData fetch = new OffsetFetchRequestData().setGroups(List.of(
                    new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("g").setTopics(null)));
            OffsetFetchResponse response = (OffsetFetchResponse) raw.call(ApiKeys.OFFSET_FETCH, (short) 9, fetch);
            assertThat(Errors.forCode(response.data().groups().get(0).errorCode())).isEqualTo(Errors.NOT_COORDINATOR);
        }
        // The offsets are in node 2's log of __consumer_offsets; node 1's replica has nothing (nothing replicates yet).
        assertThat(latestOffset(cluster.two, "__consumer_offsets", -1)).isPositive();
        assertThat(latestOffset(cluster.one, "__consumer_offsets", -2)).isZero();
    }

    @Test
    void aReplicaMovedAwayFromABrokerIsDeletedThere() throws Exception {
        cluster.createTopic(TOPIC, new Assignment(List.of(1, 2), List.of(1), 1, 0));
        cluster.one.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"))
                .send(new ProducerRecord<>(TOPIC, 0, "k", "v")).get(10, TimeUnit.SECONDS);
        assertThat(cluster.one.dataDir().resolve(TOPIC + "-0")).isDirectory();
        assertThat(cluster.two.dataDir().resolve(TOPIC + "-0")).isDirectory(); // a follower hosts its log too

        cluster.moveLeader(TOPIC, 0, new Assignment(List.of(2), List.of(2), 2, 1));

        assertThat(cluster.one.dataDir().resolve(TOPIC + "-0")).doesNotExist();
        assertThat(latestOffset(cluster.two, TOPIC, -1)).isZero();
        try (RawClient raw = new RawClient(cluster.one.bootstrap())) {
            // Not hosted here any more, but the metadata has it: NOT_LEADER_OR_FOLLOWER, even for a debugging tool.
            ListOffsetsResponse response = (ListOffsetsResponse) raw.call(ApiKeys.LIST_OFFSETS, (short) 9,
                    listOffsets(TOPIC, -2));
            assertThat(Errors.forCode(response.data().topics().get(0).partitions().get(0).errorCode()))
                    .isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
        }
    }

    private static ListOffsetsRequestData listOffsets(String topic, int replicaId) {
        ListOffsetsRequestData request = new ListOffsetsRequestData().setReplicaId(replicaId);
        ListOffsetsRequestData.ListOffsetsTopic t = new ListOffsetsRequestData.ListOffsetsTopic().setName(topic);
        t.partitions().add(new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0)
                .setCurrentLeaderEpoch(-1).setTimestamp(-1));
        request.topics().add(t);
        return request;
    }

    /** The latest offset of partition 0 as {@code broker} answers ListOffsets from replica id {@code replicaId}. */
    private static long latestOffset(BrokerFixture broker, String topic, int replicaId) throws Exception {
        try (RawClient raw = new RawClient(broker.bootstrap())) {
            ListOffsetsResponse response = (ListOffsetsResponse) raw.call(ApiKeys.LIST_OFFSETS, (short) 9,
                    listOffsets(topic, replicaId));
            ListOffsetsResponseData.ListOffsetsPartitionResponse p = response.data().topics().get(0).partitions()
                    .get(0);
            assertThat(Errors.forCode(p.errorCode())).isEqualTo(Errors.NONE);
            return p.offset();
        }
    }

    /** OffsetForLeaderEpoch for partition 0 at the client's {@code current} epoch: "ERROR epoch@endOffset" each. */
    private static List<String> endOffsets(RawClient raw, int current, int... epochs) throws Exception {
        OffsetForLeaderEpochRequestData request = new OffsetForLeaderEpochRequestData().setReplicaId(-1);
        OffsetForLeaderEpochRequestData.OffsetForLeaderTopic topic =
                new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic().setTopic(TOPIC);
        for (int epoch : epochs) {
            topic.partitions().add(new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition().setPartition(0)
                    .setCurrentLeaderEpoch(current).setLeaderEpoch(epoch));
        }
        request.topics().add(topic);
        OffsetsForLeaderEpochResponse response = (OffsetsForLeaderEpochResponse) raw.call(
                ApiKeys.OFFSET_FOR_LEADER_EPOCH, (short) 4, request);
        return response.data().topics().iterator().next().partitions().stream()
                .map(p -> Errors.forCode(p.errorCode()) + " " + p.leaderEpoch() + "@" + p.endOffset()).toList();
    }

    /** A partition's replicas, ISR, leader and leader epoch. */
    record Assignment(List<Integer> replicas, List<Integer> isr, int leader, int leaderEpoch) {}

    /**
     * Two brokers, node 1 and node 2, that know each other as registered brokers; metadata changes are appended to
     * both, as the quorum would apply them on every node.
     */
    static final class Cluster implements AutoCloseable {

        final BrokerFixture one;
        final BrokerFixture two;
        private final Map<String, UUID> topicIds = new java.util.HashMap<>();

        private Cluster(BrokerFixture one, BrokerFixture two) {
            this.one = one;
            this.two = two;
        }

        static Cluster start(Map<String, String> overrides) {
            Map<String, String> settings1 = new java.util.HashMap<>(overrides);
            settings1.put("node.id", "1");
            Map<String, String> settings2 = new java.util.HashMap<>(overrides);
            settings2.put("node.id", "2");
            BrokerFixture one = BrokerFixture.start(settings1);
            BrokerFixture two = BrokerFixture.start(settings2);
            Cluster cluster = new Cluster(one, two);
            cluster.append(List.of(register(1, one), register(2, two)));
            return cluster;
        }

        private static MetadataRecord register(int id, BrokerFixture broker) {
            return new MetadataRecord.BrokerRegistration(id, "127.0.0.1", broker.broker().address().getPort(), null);
        }

        /** Appends records to both brokers' metadata and waits until both published them. */
        void append(List<MetadataRecord> records) {
            one.broker().appendMetadata(records).join();
            two.broker().appendMetadata(records).join();
        }

        /** Creates a topic whose partitions are assigned and led as given; returns its id. */
        UUID createTopic(String name, Assignment... partitions) {
            UUID id = UUID.randomUUID();
            topicIds.put(name, id);
            List<MetadataRecord> records = new ArrayList<>();
            records.add(new MetadataRecord.Topic(name, id));
            for (int p = 0; p < partitions.length; p++) {
                Assignment a = partitions[p];
                records.add(new MetadataRecord.Partition(id, p, a.replicas(), a.isr(), a.leader(), a.leaderEpoch()));
            }
            append(records);
            return id;
        }

        /** Changes a partition's leadership on both brokers. */
        void moveLeader(String topic, int partition, Assignment now) {
            append(List.of(new MetadataRecord.Partition(topicIds.get(topic), partition, now.replicas(), now.isr(),
                    now.leader(), now.leaderEpoch())));
        }

        @Override
        public void close() {
            one.close();
            two.close();
        }
    }

    /** A produce request of one batch for one partition. */
    static ProduceRequestData produce(String topic, int partition, String value) {
        ByteBuffer records = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(value.getBytes())).buffer();
        ProduceRequestData request = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(5000);
        ProduceRequestData.TopicProduceData data = new ProduceRequestData.TopicProduceData().setName(topic);
        data.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(partition)
                .setRecords(MemoryRecords.readableRecords(records)));
        request.topicData().add(data);
        return request;
    }

    static ProduceResponseData.PartitionProduceResponse produceResult(RawClient raw, short version, String topic,
            int partition) throws Exception {
        ProduceResponse response = (ProduceResponse) raw.call(ApiKeys.PRODUCE, version,
                produce(topic, partition, "v"));
        return response.data().responses().iterator().next().partitionResponses().get(0);
    }

    static Errors error(short code) {
        return Errors.forCode(code);
    }
}
