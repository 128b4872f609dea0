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
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
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
