package io.samsa.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Kafka Streams 4.1 word count with processing.guarantee=exactly_once_v2 against the broker: transactions, a
 * repartition topic (purged with DeleteRecords), a compacted changelog restored on restart and read_committed
 * consumers. The counts must be exact, and stay exact after the application is closed and started again on more
 * input; every word's counts come out strictly increasing, so nothing was counted twice.
 */
@Timeout(300)
class StreamsExactlyOnceIT {

    private static final int PARTITIONS = 3;

    @TempDir
    Path stateDir;

    private static String line(int i) {
        return "w" + (i % 37) + " W" + (i % 11) + " w" + (i * 7 % 23);
    }

    private static Map<String, Long> expectedCounts(int lines) {
        Map<String, Long> counts = new TreeMap<>();
        for (int i = 0; i < lines; i++) {
            for (String word : line(i).toLowerCase().split(" ")) {
                counts.merge(word, 1L, Long::sum);
            }
        }
        return counts;
    }

    private KafkaStreams wordCount(BrokerFixture samsa) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.<String, String>stream("wc-lines")
                .flatMapValues(line -> Arrays.asList(line.toLowerCase().split(" ")))
                .groupBy((key, word) -> word)
                .count(Materialized.as(Stores.inMemoryKeyValueStore("word-counts")))
                .toStream()
                .to("wc-counts", Produced.with(Serdes.String(), Serdes.Long()));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "word-count");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, samsa.bootstrap());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 6000);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 500);
        KafkaStreams streams = new KafkaStreams(builder.build(), props);
        streams.start();
        return streams;
    }

    private static void produceLines(BrokerFixture samsa, int from, int to) {
        KafkaProducer<String, String> producer = samsa.producer(Map.of());
        for (int i = from; i < to; i++) {
            producer.send(new ProducerRecord<>("wc-lines", "line-" + i, line(i)));
        }
        producer.flush();
    }

    @Test
    void wordCountIsExactAlsoAfterARestartWithMoreInput() throws Exception {
        try (BrokerFixture samsa = BrokerFixture.start(Map.of("group.initial.rebalance.delay.ms", "0",
                "offsets.topic.num.partitions", "3", "transaction.state.log.num.partitions", "3"))) {
            samsa.createTopic("wc-lines", PARTITIONS, Map.of());
            samsa.createTopic("wc-counts", PARTITIONS, Map.of());
            Map<String, List<Long>> emitted = new HashMap<>();
            try (KafkaConsumer<String, Long> counts = countsConsumer(samsa)) {
                produceLines(samsa, 0, 3000);
                try (KafkaStreams streams = wordCount(samsa)) {
                    awaitCounts(counts, emitted, expectedCounts(3000));
                }
                produceLines(samsa, 3000, 5000);
                try (KafkaStreams streams = wordCount(samsa)) {
                    awaitCounts(counts, emitted, expectedCounts(5000));
                }
            }
            emitted.forEach((word, values) -> {
                for (int i = 1; i < values.size(); i++) {
                    assertThat(values.get(i)).as("counts of %s: %s", word, values).isGreaterThan(values.get(i - 1));
                }
            });
            try (Admin admin = samsa.admin()) {
                ConfigResource changelog = new ConfigResource(ConfigResource.Type.TOPIC,
                        "word-count-word-counts-changelog");
                Config config = admin.describeConfigs(List.of(changelog)).all().get().get(changelog);
                assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
            }
        }
    }

    private static KafkaConsumer<String, Long> countsConsumer(BrokerFixture samsa) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, samsa.bootstrap());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, LongDeserializer.class);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaConsumer<String, Long> consumer = new KafkaConsumer<>(props);
        List<TopicPartition> partitions = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            partitions.add(new TopicPartition("wc-counts", p));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }

    /** Reads the counts topic until the latest count of every word is the expected one, recording every count. */
    private static void awaitCounts(KafkaConsumer<String, Long> consumer, Map<String, List<Long>> emitted,
            Map<String, Long> expected) {
        Map<String, Long> latest = new TreeMap<>();
        emitted.forEach((word, values) -> latest.put(word, values.getLast()));
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!latest.equals(expected)) {
            assertThat(System.nanoTime()).as("counts reach %s in time; now %s", expected, latest).isLessThan(deadline);
            for (ConsumerRecord<String, Long> r : consumer.poll(Duration.ofMillis(200))) {
                emitted.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value());
                latest.put(r.key(), r.value());
                assertThat(r.value()).as("count of %s", r.key()).isLessThanOrEqualTo(expected.get(r.key()));
            }
        }
    }
}
