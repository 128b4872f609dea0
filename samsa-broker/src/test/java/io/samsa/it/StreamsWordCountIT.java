package io.samsa.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Kafka Streams 4.1 word count (repartition topic, changelogged store, output topic) runs unchanged against the
 * broker and gives exact counts, also after the application is closed and restarted with more input.
 */
@Timeout(180)
class StreamsWordCountIT {

    private static final List<String> WORDS = List.of("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta",
            "theta", "iota", "kappa", "lambda", "mu", "nu", "xi", "omicron", "pi", "rho", "sigma", "tau", "upsilon");
    private static final int PARTITIONS = 3;

    @TempDir
    Path stateDir;

    private BrokerFixture samsa;
    private final Map<String, Long> expected = new HashMap<>();
    private int lines;

    @BeforeEach
    void start() {
        samsa = BrokerFixture.start(Map.of("group.initial.rebalance.delay.ms", "0", "offsets.topic.num.partitions",
                "3"));
        samsa.createTopic("text-in", PARTITIONS, Map.of());
        samsa.createTopic("word-counts", PARTITIONS, Map.of());
    }

    @AfterEach
    void stop() {
        samsa.close();
    }

    private KafkaStreams wordCount(String guarantee) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("text-in", Consumed.with(Serdes.String(), Serdes.String()))
                .flatMapValues(line -> Arrays.asList(line.split(" ")))
                .groupBy((key, word) -> word, Grouped.with(Serdes.String(), Serdes.String()))
                .count(Materialized.<String, Long>as(Stores.inMemoryKeyValueStore("counts"))
                        .withKeySerde(Serdes.String()).withValueSerde(Serdes.Long()))
                .toStream().to("word-counts", Produced.with(Serdes.String(), Serdes.Long()));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "word-count");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, samsa.bootstrap());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        KafkaStreams streams = new KafkaStreams(builder.build(), props);
        streams.start();
        return streams;
    }

    /** Produces lines of five words each, in an order that gives every word its own count. */
    private void produceLines(int count) throws Exception {
        try (KafkaProducer<String, String> producer = samsa.producer(Map.of())) {
            for (int i = 0; i < count; i++) {
                StringBuilder line = new StringBuilder();
                for (int w = 0; w < 5; w++) {
                    String word = WORDS.get((lines * 7 + w * 3 + lines / WORDS.size()) % WORDS.size());
                    expected.merge(word, 1L, Long::sum);
                    line.append(w == 0 ? "" : " ").append(word);
                }
                producer.send(new ProducerRecord<>("text-in", "line-" + lines, line.toString()));
                lines++;
            }
            producer.flush();
        }
    }

    /** The latest count of every word in the output topic, read with read_committed. */
    private Map<String, Long> latestCounts() {
        Map<String, Long> latest = new HashMap<>();
        try (KafkaConsumer<String, Long> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, samsa.bootstrap(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new LongDeserializer())) {
            List<TopicPartition> partitions = java.util.stream.IntStream.range(0, PARTITIONS)
                    .mapToObj(p -> new TopicPartition("word-counts", p)).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))
                    && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100)).forEach(r -> latest.put(r.key(), r.value()));
            }
        }
        return latest;
    }

    private void runUntilCountsAreExact(String guarantee) {
        try (KafkaStreams streams = wordCount(guarantee)) {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                    .until(() -> latestCounts().equals(expected));
            streams.close(Duration.ofSeconds(30));
        }
    }

    @Test
    void wordCountIsExactAndStaysExactAcrossARestart() throws Exception {
        String guarantee = StreamsConfig.AT_LEAST_ONCE;
        produceLines(2000);
        runUntilCountsAreExact(guarantee);
        assertThat(expected.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(10_000);

        produceLines(1000);
        runUntilCountsAreExact(guarantee);
        assertThat(latestCounts()).isEqualTo(expected);
    }
}
