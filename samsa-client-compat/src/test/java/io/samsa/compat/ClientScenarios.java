package io.samsa.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.AppInfoParser;

/**
 * What a microservice does with the Java client, each scenario checking its exact outcome. Written against the API
 * that kafka-clients 2.8 and 3.9 share, so that the same code runs in the test JVM (3.9) and in a child JVM with
 * kafka-clients 2.8 on its classpath ({@link #main}). Every scenario uses topics and groups of its own.
 */
final class ClientScenarios {

    static final List<String> ALL = List.of("idempotentProducer", "cooperativeStickyGroup", "rangeGroup",
            "transactions", "consumeTransformProduce");

    private static final Duration POLL = Duration.ofMillis(100);
    private static final long DEADLINE_MS = 60_000;

    private final String bootstrap;
    private final List<AutoCloseable> clients = new ArrayList<>();

    ClientScenarios(String bootstrap) {
        this.bootstrap = bootstrap;
    }

    /** {@code ClientScenarios BOOTSTRAP SCENARIO...}: runs each and prints one PASS line per scenario. */
    public static void main(String[] args) throws Exception {
        for (int i = 1; i < args.length; i++) {
            new ClientScenarios(args[0]).run(args[i]);
            System.out.println("PASS " + args[i] + " with kafka-clients " + AppInfoParser.getVersion());
        }
    }

    void run(String scenario) throws Exception {
        try {
            switch (scenario) {
                case "idempotentProducer" -> idempotentProducer();
                case "cooperativeStickyGroup" -> cooperativeStickyGroup();
                case "rangeGroup" -> rangeGroup();
                case "transactions" -> transactions();
                case "consumeTransformProduce" -> consumeTransformProduce();
                default -> throw new IllegalArgumentException("unknown scenario " + scenario);
            }
        } finally {
            for (AutoCloseable client : clients) {
                client.close();
            }
            clients.clear();
        }
    }

    /** 3000 keyed records from an idempotent producer, five batches in flight: each partition holds its records once,
     * in send order, at offsets 0..n-1. */
    void idempotentProducer() throws Exception {
        String topic = "idempotent";
        createTopic(topic, 3);
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 2048);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        KafkaProducer<String, String> producer = producer(config);
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            sent.add(producer.send(new ProducerRecord<>(topic, "k" + (i % 30), "v" + i)));
        }
        producer.flush();
        Map<Integer, List<String>> expected = new TreeMap<>();
        for (int i = 0; i < sent.size(); i++) {
            RecordMetadata metadata = sent.get(i).get();
            List<String> partition = expected.computeIfAbsent(metadata.partition(), p -> new ArrayList<>());
            assertThat(metadata.offset()).as("offset of v%d", i).isEqualTo(partition.size());
            partition.add("v" + i);
        }
        assertThat(expected).hasSize(3);
        for (Map.Entry<Integer, List<String>> partition : expected.entrySet()) {
            List<ConsumerRecord<String, String>> records = readPartition(new TopicPartition(topic, partition.getKey()),
                    partition.getValue().size(), "read_uncommitted");
            assertThat(records.stream().map(ConsumerRecord::value)).containsExactlyElementsOf(partition.getValue());
            assertThat(records.stream().map(ConsumerRecord::offset))
                    .containsExactlyElementsOf(offsets(0, partition.getValue().size()));
        }
    }

    /** A second member joins a cooperative-sticky group: the first gives up exactly the two partitions the second
     * gets and keeps consuming the others without a stop; every record is consumed once and committed. */
    void cooperativeStickyGroup() throws Exception {
        String topic = "cooperative";
        createTopic(topic, 4);
        KafkaProducer<String, String> producer = producer(Map.of());
        produceEach(producer, topic, 4, "first");
        Recorder a = new Recorder("cooperative-a");
        KafkaConsumer<String, String> consumerA = groupConsumer("cooperative-g", "cooperative-a",
                CooperativeStickyAssignor.class);
        consumerA.subscribe(List.of(topic), a.listener(consumerA));
        await("the first member consumes the first 40 records", () -> {
            a.add(consumerA.poll(POLL));
            return a.values.size() == 40;
        });
        assertThat(a.assigned).containsExactly(partitions(topic, 0, 1, 2, 3));
        consumerA.commitSync();

        produceEach(producer, topic, 4, "second");
        Recorder b = new Recorder("cooperative-b");
        KafkaConsumer<String, String> consumerB = groupConsumer("cooperative-g", "cooperative-b",
                CooperativeStickyAssignor.class);
        consumerB.subscribe(List.of(topic), b.listener(consumerB));
        await("both members hold two partitions and consumed the second 40 records", () -> {
            a.add(consumerA.poll(POLL));
            b.add(consumerB.poll(POLL));
            return consumerA.assignment().size() == 2 && consumerB.assignment().size() == 2
                    && a.values.size() + b.values.size() == 80;
        });
        assertThat(a.revoked).as("cooperative: only what moves is revoked").containsExactly(consumerB.assignment());
        assertThat(b.assigned.stream().flatMap(Set::stream).collect(Collectors.toSet()))
                .isEqualTo(consumerB.assignment());
        Set<TopicPartition> union = new HashSet<>(consumerA.assignment());
        union.addAll(consumerB.assignment());
        assertThat(union).isEqualTo(partitions(topic, 0, 1, 2, 3));
        List<String> all = new ArrayList<>(a.values);
        all.addAll(b.values);
        assertThat(all).doesNotHaveDuplicates().hasSize(80);
        consumerA.commitSync();
        consumerB.commitSync();
        assertThat(committed("cooperative-g")).isEqualTo(Map.of(new TopicPartition(topic, 0), 20L,
                new TopicPartition(topic, 1), 20L, new TopicPartition(topic, 2), 20L, new TopicPartition(topic, 3),
                20L));
    }

    /** Two members with the range assignor on two topics of three partitions: the member whose id sorts first
     * (ids start with the client id) gets partitions 0 and 1 of each topic, the other partition 2 of each. */
    void rangeGroup() throws Exception {
        createTopic("range-x", 3);
        createTopic("range-y", 3);
        KafkaConsumer<String, String> consumerA = groupConsumer("range-g", "range-a", RangeAssignor.class);
        KafkaConsumer<String, String> consumerB = groupConsumer("range-g", "range-b", RangeAssignor.class);
        consumerA.subscribe(List.of("range-x", "range-y"));
        consumerB.subscribe(List.of("range-x", "range-y"));
        await("both members are assigned", () -> {
            consumerA.poll(POLL);
            consumerB.poll(POLL);
            return consumerA.assignment().size() + consumerB.assignment().size() == 6
                    && !consumerA.assignment().isEmpty() && !consumerB.assignment().isEmpty();
        });
        Set<TopicPartition> expectedA = new HashSet<>(partitions("range-x", 0, 1));
        expectedA.addAll(partitions("range-y", 0, 1));
        assertThat(consumerA.assignment()).isEqualTo(expectedA);
        assertThat(consumerB.assignment()).isEqualTo(Set.of(new TopicPartition("range-x", 2),
                new TopicPartition("range-y", 2)));
    }

    /** Commit, abort, commit: read_committed sees the committed records at their offsets around the markers,
     * read_uncommitted sees all ten; a second producer with the same transactional id fences the first. */
    void transactions() throws Exception {
        String topic = "transactional";
        createTopic(topic, 1);
        KafkaProducer<String, String> producer = producer(Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx-1"));
        producer.initTransactions();
        transaction(producer, topic, "c1-", 5, true);
        transaction(producer, topic, "a-", 3, false);
        transaction(producer, topic, "c2-", 2, true);

        TopicPartition tp = new TopicPartition(topic, 0);
        List<ConsumerRecord<String, String>> committed = readPartition(tp, 7, "read_committed");
        assertThat(committed.stream().map(ConsumerRecord::value))
                .containsExactly("c1-0", "c1-1", "c1-2", "c1-3", "c1-4", "c2-0", "c2-1");
        // Markers take offsets 5, 9 and 12.
        assertThat(committed.stream().map(ConsumerRecord::offset)).containsExactly(0L, 1L, 2L, 3L, 4L, 10L, 11L);
        List<ConsumerRecord<String, String>> everything = readPartition(tp, 10, "read_uncommitted");
        assertThat(everything.stream().map(ConsumerRecord::value)).containsExactly("c1-0", "c1-1", "c1-2", "c1-3",
                "c1-4", "a-0", "a-1", "a-2", "c2-0", "c2-1");
        KafkaConsumer<String, String> consumer = consumer("read_committed");
        assertThat(consumer.endOffsets(List.of(tp))).isEqualTo(Map.of(tp, 13L));

        KafkaProducer<String, String> successor = producer(Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx-1"));
        successor.initTransactions();
        Throwable fenced = catchThrowable(() -> transaction(producer, topic, "zombie-", 1, true));
        assertThat(fenced).as("the old producer is fenced").isNotNull();
        assertThat(causes(fenced)).anyMatch(ProducerFencedException.class::isInstance);
        transaction(successor, topic, "c3-", 1, true);
        assertThat(readPartition(tp, 8, "read_committed").stream().map(ConsumerRecord::value))
                .endsWith("c2-1", "c3-0").noneMatch(v -> v.startsWith("zombie-"));
    }

    /** Read, transform and write in transactions with the group's offsets committed inside them: the output holds
     * each input record once, transformed, and the group's committed offset is the end of the input. */
    void consumeTransformProduce() throws Exception {
        createTopic("ctp-in", 1);
        createTopic("ctp-out", 1);
        KafkaProducer<String, String> plain = producer(Map.of());
        for (int i = 0; i < 10; i++) {
            plain.send(new ProducerRecord<>("ctp-in", "k" + i, "in" + i));
        }
        plain.flush();
        KafkaConsumer<String, String> consumer = groupConsumer("ctp-g", "ctp", RangeAssignor.class);
        KafkaProducer<String, String> producer = producer(Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "ctp-tx"));
        producer.initTransactions();
        consumer.subscribe(List.of("ctp-in"));
        int[] processed = {0};
        await("ten records transformed", () -> {
            ConsumerRecords<String, String> records = consumer.poll(POLL);
            if (records.isEmpty()) {
                return processed[0] == 10;
            }
            producer.beginTransaction();
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            for (ConsumerRecord<String, String> record : records) {
                producer.send(new ProducerRecord<>("ctp-out", record.key(), record.value().toUpperCase()));
                offsets.put(new TopicPartition(record.topic(), record.partition()),
                        new OffsetAndMetadata(record.offset() + 1));
                processed[0]++;
            }
            producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
            producer.commitTransaction();
            return processed[0] == 10;
        });
        List<ConsumerRecord<String, String>> output = readPartition(new TopicPartition("ctp-out", 0), 10,
                "read_committed");
        assertThat(output.stream().map(ConsumerRecord::value))
                .containsExactly("IN0", "IN1", "IN2", "IN3", "IN4", "IN5", "IN6", "IN7", "IN8", "IN9");
        assertThat(output.stream().map(ConsumerRecord::key))
                .containsExactly("k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9");
        assertThat(committed("ctp-g")).isEqualTo(Map.of(new TopicPartition("ctp-in", 0), 10L));
    }

    // ---------------------------------------------------------------------------------------------- helpers

    private static void transaction(KafkaProducer<String, String> producer, String topic, String prefix, int count,
            boolean commit) throws Exception {
        producer.beginTransaction();
        for (int i = 0; i < count; i++) {
            producer.send(new ProducerRecord<>(topic, prefix + i)).get();
        }
        if (commit) {
            producer.commitTransaction();
        } else {
            producer.abortTransaction();
        }
    }

    private static void produceEach(KafkaProducer<String, String> producer, String topic, int partitions,
            String prefix) throws Exception {
        for (int p = 0; p < partitions; p++) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(topic, p, null, prefix + "-p" + p + "-" + i));
            }
        }
        producer.flush();
    }

    private List<ConsumerRecord<String, String>> readPartition(TopicPartition tp, int count, String isolation)
            throws Exception {
        KafkaConsumer<String, String> consumer = consumer(isolation);
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        await(count + " records of " + tp, () -> {
            consumer.poll(POLL).forEach(records::add);
            return records.size() >= count;
        });
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        assertThat(records).hasSize(count);
        return records;
    }

    private Map<TopicPartition, Long> committed(String group) throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(props)) {
            return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        }
    }

    private void createTopic(String name, int partitions) throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(props)) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get();
        }
    }

    private KafkaProducer<String, String> producer(Map<String, Object> overrides) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.putAll(overrides);
        KafkaProducer<String, String> producer = new KafkaProducer<>(props);
        clients.add(producer);
        return producer;
    }

    private KafkaConsumer<String, String> consumer(String isolation) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        return newConsumer(props);
    }

    private KafkaConsumer<String, String> groupConsumer(String group, String clientId, Class<?> assignor) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, assignor.getName());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return newConsumer(props);
    }

    private KafkaConsumer<String, String> newConsumer(Map<String, Object> overrides) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.putAll(overrides);
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props);
        clients.add(consumer);
        return consumer;
    }

    private static Set<TopicPartition> partitions(String topic, int... partitions) {
        Set<TopicPartition> set = new HashSet<>();
        for (int p : partitions) {
            set.add(new TopicPartition(topic, p));
        }
        return set;
    }

    private static List<Long> offsets(long from, int count) {
        List<Long> offsets = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            offsets.add(from + i);
        }
        return offsets;
    }

    private static List<Throwable> causes(Throwable t) {
        List<Throwable> causes = new ArrayList<>();
        for (Throwable c = t; c != null && !causes.contains(c); c = c.getCause()) {
            causes.add(c);
        }
        return causes;
    }

    /** Polls {@code condition} (which itself polls the clients) until it holds; no sleeping between rounds. */
    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.currentTimeMillis() + DEADLINE_MS;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
        }
    }

    /** What one group member saw: its rebalance callbacks and the values it consumed. */
    private static final class Recorder {
        final String name;
        final List<Set<TopicPartition>> assigned = new ArrayList<>();
        final List<Set<TopicPartition>> revoked = new ArrayList<>();
        final List<String> values = new ArrayList<>();

        Recorder(String name) {
            this.name = name;
        }

        void add(ConsumerRecords<String, String> records) {
            records.forEach(r -> values.add(r.value()));
        }

        ConsumerRebalanceListener listener(KafkaConsumer<String, String> consumer) {
            return new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    if (!partitions.isEmpty()) {
                        revoked.add(new HashSet<>(partitions));
                        consumer.commitSync();
                    }
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    if (!partitions.isEmpty()) {
                        assigned.add(new HashSet<>(partitions));
                    }
                }
            };
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
