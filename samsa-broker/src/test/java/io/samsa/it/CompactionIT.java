package io.samsa.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Log compaction seen by real clients: a compacted topic read from the start after cleaning holds the latest value of
 * each key at its original offset and no deleted key, whatever codec the producer used; __consumer_offsets is
 * cleaned too and committed offsets survive a restart; invalid compaction settings are INVALID_CONFIG.
 */
class CompactionIT {

    private static final Map<String, String> CLEANER = Map.of(
            "log.cleaner.backoff.ms", "50",
            "log.cleaner.min.cleanable.ratio", "0.01",
            "log.cleaner.delete.retention.ms", "0",
            "offsets.topic.num.partitions", "1",
            "offsets.topic.segment.bytes", "4096");
    private static final int KEYS = 40;
    private static final int DELETED_KEYS = 10;
    private static final int UPDATES_PER_KEY = 25;

    private static BrokerFixture samsa;

    @BeforeAll
    static void start() {
        samsa = BrokerFixture.start(CLEANER);
    }

    @AfterAll
    static void stop() {
        samsa.close();
    }

    @ParameterizedTest(name = "producer compression {0}")
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void aCleanedTopicHoldsTheLatestValueOfEachKeyAtItsOffsetAndNoDeletedKey(String codec) {
        String topic = "compacted-" + codec;
        samsa.createTopic(topic, 1, Map.of("cleanup.policy", "compact", "segment.bytes", "2048",
                "min.cleanable.dirty.ratio", "0.01", "delete.retention.ms", "0"));
        KafkaProducer<String, String> producer = samsa.producer(Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec,
                ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.BATCH_SIZE_CONFIG, 1024));

        // Many updates of every key; the first keys end with a tombstone.
        Map<String, Future<RecordMetadata>> lastWrite = new LinkedHashMap<>();
        Map<String, String> lastValue = new HashMap<>();
        for (int round = 0; round < UPDATES_PER_KEY; round++) {
            for (int k = 0; k < KEYS; k++) {
                String key = "key-" + k;
                String value = round == UPDATES_PER_KEY - 1 && k < DELETED_KEYS ? null : key + "-v" + round;
                lastWrite.put(key, producer.send(new ProducerRecord<>(topic, 0, key, value)));
                lastValue.put(key, value);
            }
        }
        Map<String, Long> lastOffset = new HashMap<>();
        lastWrite.forEach((key, future) -> lastOffset.put(key, join(future).offset()));
        // Records with unique keys after them, so that every update sits in a closed, cleanable segment.
        Set<String> fillers = produceFillers(producer, topic, "first");

        // First clean: one record per key; the tombstones stay until their delete horizon (now, here)...
        await().atMost(Duration.ofSeconds(60)).until(() -> keyCounts(readToEnd(topic)).values().stream()
                .allMatch(count -> count == 1));
        // ...and the next clean, which needs dirty records, drops them.
        fillers.addAll(produceFillers(producer, topic, "second"));
        await().atMost(Duration.ofSeconds(60)).until(() -> readToEnd(topic).stream()
                .noneMatch(r -> r.key().startsWith("key-") && r.value() == null));

        List<ConsumerRecord<String, String>> all = readToEnd(topic);
        assertThat(all).extracting(ConsumerRecord::offset).isSorted().doesNotHaveDuplicates();
        List<ConsumerRecord<String, String>> updates = all.stream().filter(r -> r.key().startsWith("key-")).toList();
        assertThat(updates).hasSize(KEYS - DELETED_KEYS);
        for (ConsumerRecord<String, String> r : updates) {
            assertThat(r.offset()).as(r.key()).isEqualTo(lastOffset.get(r.key()));
            assertThat(r.value()).as(r.key()).isEqualTo(lastValue.get(r.key()));
        }
        for (int k = 0; k < DELETED_KEYS; k++) {
            assertThat(updates).extracting(ConsumerRecord::key).doesNotContain("key-" + k);
        }
        assertThat(all.stream().filter(r -> r.key().startsWith("filler-")).map(ConsumerRecord::key).toList())
                .hasSameSizeAs(fillers).containsExactlyInAnyOrderElementsOf(fillers);
        assertThat(all.get(all.size() - 1).offset() + 1).isEqualTo((long) KEYS * UPDATES_PER_KEY + fillers.size());
    }

    @Test
    void cleaningDropsAbortedTransactionsAndKeepsTheLastCommittedValueOfEachKey() {
        String topic = "compacted-txn";
        samsa.createTopic(topic, 1, Map.of("cleanup.policy", "compact", "segment.bytes", "2048",
                "min.cleanable.dirty.ratio", "0.01", "delete.retention.ms", "0"));
        KafkaProducer<String, String> transactional = samsa.producer(Map.of(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "compacting-writer", ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.BATCH_SIZE_CONFIG, 1024));
        transactional.initTransactions();
        // Rounds 0, 2, 4 commit; 1, 3, 5 abort: the last write of every key is aborted, so the value that must
        // survive is round 4's, which the aborted round 5 must not hide from the cleaner.
        for (int round = 0; round < 6; round++) {
            transactional.beginTransaction();
            for (int k = 0; k < KEYS; k++) {
                transactional.send(new ProducerRecord<>(topic, 0, "key-" + k, "key-" + k + "-r" + round));
            }
            if (round % 2 == 0) {
                transactional.commitTransaction();
            } else {
                transactional.flush();
                transactional.abortTransaction();
            }
        }
        KafkaProducer<String, String> plain = samsa.producer(Map.of());
        produceFillers(plain, topic, "txn");

        // Cleaned: one data record per key is left, even for a reader that sees aborted data.
        await().atMost(Duration.ofSeconds(60)).until(() -> keyCounts(readToEnd(topic)).values().stream()
                .allMatch(count -> count == 1));
        for (String isolation : List.of("read_uncommitted", "read_committed")) {
            Map<String, String> latest = new HashMap<>();
            readToEnd(samsa, new TopicPartition(topic, 0), isolation).stream().filter(r -> r.key().startsWith("key-"))
                    .forEach(r -> latest.put(r.key(), r.value()));
            assertThat(latest).as(isolation).hasSize(KEYS);
            latest.forEach((key, value) -> assertThat(value).as(isolation).isEqualTo(key + "-r4"));
        }
    }

    @Test
    void consumerOffsetsAreCleanedAndCommittedOffsetsSurviveARestart() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(CLEANER)) {
            broker.createTopic("inputs", 3, Map.of());
            int rounds = 300;
            try (Admin admin = broker.admin()) {
                for (int r = 1; r <= rounds; r++) {
                    admin.alterConsumerGroupOffsets("reader", Map.of(
                            new TopicPartition("inputs", 0), new OffsetAndMetadata(r),
                            new TopicPartition("inputs", 1), new OffsetAndMetadata(2L * r),
                            new TopicPartition("inputs", 2), new OffsetAndMetadata(3L * r, "round " + r)))
                            .all().get(20, TimeUnit.SECONDS);
                    if (r <= 50) {
                        admin.alterConsumerGroupOffsets("gone", Map.of(new TopicPartition("inputs", 0),
                                new OffsetAndMetadata(r))).all().get(20, TimeUnit.SECONDS);
                    }
                }
                admin.deleteConsumerGroups(List.of("gone")).all().get(20, TimeUnit.SECONDS);
            }
            int written = rounds * 3 + 50 + 1;
            await().atMost(Duration.ofSeconds(60)).until(() -> countOffsetsRecords(broker) < written / 10);

            broker.restart();

            assertThat(countOffsetsRecords(broker)).isLessThan(written / 10);
            try (Admin admin = broker.admin()) {
                Map<TopicPartition, OffsetAndMetadata> committed =
                        admin.listConsumerGroupOffsets("reader").partitionsToOffsetAndMetadata().get();
                assertThat(committed).isEqualTo(Map.of(
                        new TopicPartition("inputs", 0), new OffsetAndMetadata(rounds),
                        new TopicPartition("inputs", 1), new OffsetAndMetadata(2L * rounds),
                        new TopicPartition("inputs", 2), new OffsetAndMetadata(3L * rounds, "round " + rounds)));
                assertThat(admin.listConsumerGroupOffsets("gone").partitionsToOffsetAndMetadata().get()).isEmpty();
            }
        }
    }

    @Test
    void invalidCompactionSettingsAreInvalidConfig() throws Exception {
        try (Admin admin = samsa.admin()) {
            for (Map<String, String> configs : List.of(Map.of("min.cleanable.dirty.ratio", "2"),
                    Map.of("cleanup.policy", "shred"), Map.of("max.compaction.lag.ms", "0"),
                    Map.of("delete.retention.ms", "-1"), Map.of("min.compaction.lag.ms", "soon"))) {
                assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("bad-compaction", 1, (short) 1)
                        .configs(configs))).all().get())
                        .as("%s", configs)
                        .hasCauseInstanceOf(InvalidConfigurationException.class);
            }
            assertThat(admin.listTopics().names().get()).doesNotContain("bad-compaction");
        }
    }

    private static Set<String> produceFillers(KafkaProducer<String, String> producer, String topic, String round) {
        Set<String> keys = new HashSet<>();
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String key = "filler-" + round + "-" + i;
            keys.add(key);
            sent.add(producer.send(new ProducerRecord<>(topic, 0, key, UUID.randomUUID().toString())));
        }
        sent.forEach(CompactionIT::join);
        return keys;
    }

    private static Map<String, Integer> keyCounts(List<ConsumerRecord<String, String>> records) {
        Map<String, Integer> counts = new HashMap<>();
        records.stream().filter(r -> r.key().startsWith("key-")).forEach(r -> counts.merge(r.key(), 1, Integer::sum));
        return counts;
    }

    /** Every record of partition 0 from the start to the current end. */
    private static List<ConsumerRecord<String, String>> readToEnd(String topic) {
        return readToEnd(samsa, new TopicPartition(topic, 0));
    }

    private static List<ConsumerRecord<String, String>> readToEnd(BrokerFixture broker, TopicPartition tp) {
        return readToEnd(broker, tp, "read_uncommitted");
    }

    private static List<ConsumerRecord<String, String>> readToEnd(BrokerFixture broker, TopicPartition tp,
            String isolation) {
        try (KafkaConsumer<String, String> consumer = broker.consumer(Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                isolation))) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (consumer.position(tp) < end && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }

    private static int countOffsetsRecords(BrokerFixture broker) {
        return readToEnd(broker, new TopicPartition("__consumer_offsets", 0)).size();
    }

    private static <T> T join(Future<T> future) {
        try {
            return future.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
