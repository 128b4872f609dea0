package io.samsa.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.admin.AbortTransactionSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Records the fuzz corpus: real kafka-clients (admin, idempotent and transactional producers with each codec, classic
 * and consumer-protocol consumers) talk to a broker through a recording proxy, and a few frames of each API version
 * they sent are written to the file {@code samsa.fuzz.capture} names. Run by hand when the clients change:
 *
 * <pre>
 * ./mvnw verify -pl samsa-broker -am -Dtest=NONE -Dit.test=FuzzCorpusCaptureIT -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dsamsa.fuzz.capture=$PWD/samsa-broker/src/test/resources/fuzz/corpus.bin
 * </pre>
 */
@EnabledIfSystemProperty(named = "samsa.fuzz.capture", matches = ".+")
class FuzzCorpusCaptureIT {

    /** Frames kept per API key and version: enough variety, without a thousand heartbeats. */
    private static final int PER_VERSION = 6;

    @Test
    void recordRealClientRequests() throws Exception {
        Collection<byte[]> frames = new ConcurrentLinkedQueue<>();
        try (DroppingProxy proxy = new DroppingProxy();
                BrokerFixture samsa = BrokerFixture.start(Map.of("advertised.listeners",
                        "PLAINTEXT://127.0.0.1:" + proxy.port(), "group.initial.rebalance.delay.ms", "0"))) {
            proxy.setUpstream(samsa.broker().address());
            proxy.setRequestListener(frames::add);
            runClients(samsa);
        }
        Map<String, List<byte[]>> byVersion = new LinkedHashMap<>();
        Set<Integer> sizes = new HashSet<>();
        for (byte[] frame : frames) {
            List<byte[]> kept = byVersion.computeIfAbsent(FuzzCorpus.apiKey(frame) + "v"
                    + FuzzCorpus.apiVersion(frame), k -> new ArrayList<>());
            if (kept.size() < PER_VERSION && sizes.add(frame.length * 1000 + FuzzCorpus.apiKey(frame))) {
                kept.add(frame);
            }
        }
        List<byte[]> corpus = byVersion.values().stream().flatMap(List::stream).toList();
        FuzzCorpus.write(Path.of(System.getProperty("samsa.fuzz.capture")), corpus);
        System.out.println("Recorded " + corpus.size() + " frames of " + byVersion.size() + " API versions: "
                + byVersion.keySet());
        assertThat(byVersion).hasSizeGreaterThan(30);
    }

    private static void runClients(BrokerFixture samsa) throws Exception {
        try (Admin admin = samsa.admin()) {
            admin.createTopics(List.of(new NewTopic("orders", 3, (short) 1),
                    new NewTopic("compacted", 2, (short) 1).configs(Map.of("cleanup.policy", "compact")),
                    new NewTopic("assigned", Map.of(0, List.of(1), 1, List.of(1))),
                    new NewTopic("doomed", 1, (short) 1))).all().get();
            admin.describeTopics(List.of("orders", "compacted")).allTopicNames().get();
            admin.listTopics().names().get();
            admin.describeCluster().nodes().get();
            ConfigResource orders = new ConfigResource(ConfigResource.Type.TOPIC, "orders");
            admin.describeConfigs(List.of(orders, new ConfigResource(ConfigResource.Type.BROKER, "1"))).all().get();
            admin.incrementalAlterConfigs(Map.of(orders, List.of(new AlterConfigOp(
                    new ConfigEntry("retention.ms", "86400000"), AlterConfigOp.OpType.SET)))).all().get();
            admin.createPartitions(Map.of("orders", NewPartitions.increaseTo(4))).all().get();
        }
        for (String codec : List.of("none", "gzip", "snappy", "lz4", "zstd")) {
            try (KafkaProducer<String, String> producer = samsa.producer(Map.of(
                    ProducerConfig.COMPRESSION_TYPE_CONFIG, codec, ProducerConfig.LINGER_MS_CONFIG, 5))) {
                for (int i = 0; i < 20; i++) {
                    producer.send(new ProducerRecord<>(i % 2 == 0 ? "orders" : "compacted", "k" + i % 5,
                            codec + "-" + i));
                }
                producer.flush();
            }
        }
        for (String acks : List.of("0", "1")) {
            try (KafkaProducer<String, String> producer = samsa.producer(Map.of(ProducerConfig.ACKS_CONFIG, acks,
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false))) {
                producer.send(new ProducerRecord<>("orders", 1, "k", "acks" + acks));
                producer.flush();
            }
        }
        try (KafkaProducer<String, String> producer = samsa.producer(Map.of(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "capture-txn"))) {
            producer.initTransactions();
            for (boolean commit : new boolean[] {true, false}) {
                producer.beginTransaction();
                producer.send(new ProducerRecord<>("orders", 0, "t", "txn-" + commit));
                producer.sendOffsetsToTransaction(Map.of(new TopicPartition("orders", 0), new OffsetAndMetadata(1)),
                        new org.apache.kafka.clients.consumer.ConsumerGroupMetadata("txn-group"));
                if (commit) {
                    producer.commitTransaction();
                } else {
                    producer.abortTransaction();
                }
            }
        }
        for (String protocol : List.of("classic", "consumer")) {
            Map<String, Object> props = new HashMap<>();
            props.put(ConsumerConfig.GROUP_ID_CONFIG, "capture-" + protocol);
            props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol);
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            try (KafkaConsumer<String, String> consumer = samsa.consumer(props)) {
                consumer.subscribe(List.of("orders", "compacted"));
                int seen = 0;
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (seen < 40 && System.nanoTime() < deadline) {
                    seen += consumer.poll(Duration.ofMillis(200)).count();
                }
                consumer.commitSync();
                consumer.seekToBeginning(consumer.assignment());
                consumer.poll(Duration.ofMillis(200));
            }
        }
        try (KafkaProducer<String, String> hanging = samsa.producer(Map.of(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "capture-hanging"));
                Admin admin = samsa.admin()) {
            hanging.initTransactions();
            hanging.beginTransaction();
            hanging.send(new ProducerRecord<>("orders", 2, "h", "hanging")).get();
            TopicPartition orders2 = new TopicPartition("orders", 2);
            ProducerState open = admin.describeProducers(List.of(orders2)).partitionResult(orders2).get()
                    .activeProducers().stream().filter(p -> p.currentTransactionStartOffset().isPresent())
                    .findFirst().orElseThrow();
            admin.abortTransaction(new AbortTransactionSpec(orders2, open.producerId(), (short) open.producerEpoch(),
                    open.coordinatorEpoch().orElse(0))).all().get();
        }
        try (Admin admin = samsa.admin()) {
            admin.listConsumerGroups().all().get();
            admin.describeConsumerGroups(List.of("capture-classic", "capture-consumer")).all().get();
            admin.listConsumerGroupOffsets("capture-classic").partitionsToOffsetAndMetadata().get();
            TopicPartition orders0 = new TopicPartition("orders", 0);
            admin.listOffsets(Map.of(orders0, OffsetSpec.latest(), new TopicPartition("orders", 1),
                    OffsetSpec.earliest(), new TopicPartition("orders", 2), OffsetSpec.maxTimestamp())).all().get();
            admin.describeProducers(List.of(orders0)).all().get();
            admin.listTransactions().all().get();
            admin.describeTransactions(List.of("capture-txn")).all().get();
            admin.deleteRecords(Map.of(new TopicPartition("orders", 1), RecordsToDelete.beforeOffset(1))).all().get();
            admin.deleteConsumerGroupOffsets("capture-classic", Set.of(new TopicPartition("compacted", 0))).all()
                    .get();
            admin.deleteConsumerGroups(List.of("capture-classic")).all().get();
            admin.deleteTopics(List.of("doomed")).all().get();
        }
    }
}
