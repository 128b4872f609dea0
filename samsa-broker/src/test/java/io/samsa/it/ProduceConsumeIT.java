package io.samsa.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Produce with every acks setting and codec, then read back with a manually assigned consumer: exact values. */
class ProduceConsumeIT {

    private static BrokerFixture samsa;

    @BeforeAll
    static void start() {
        samsa = BrokerFixture.start();
    }

    @AfterAll
    static void stop() {
        samsa.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "1", "all"})
    void everyAcksSettingDeliversEveryRecordInOrder(String acks) throws Exception {
        String topic = "acks-" + acks;
        samsa.createTopic(topic, 1, Map.of());
        KafkaProducer<String, String> producer = samsa.producer(Map.of(ProducerConfig.ACKS_CONFIG, acks,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, acks.equals("all")));
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            sent.add(producer.send(new ProducerRecord<>(topic, 0, null, "value-" + i)));
        }
        producer.flush();
        for (int i = 0; i < sent.size(); i++) {
            RecordMetadata metadata = sent.get(i).get();
            // acks=0 gets no response, so the client cannot know the offset.
            assertThat(metadata.offset()).isEqualTo(acks.equals("0") ? -1 : i);
        }
        List<ConsumerRecord<String, String>> records = samsa.readAll(topic, 0, 500);
        assertThat(records).hasSize(500);
        for (int i = 0; i < 500; i++) {
            assertThat(records.get(i).offset()).isEqualTo(i);
            assertThat(records.get(i).value()).isEqualTo("value-" + i);
        }
    }

    @Test
    void keysValuesAndHeadersRoundTripAndKeysPickTheSamePartition() throws Exception {
        String topic = "keyed";
        samsa.createTopic(topic, 4, Map.of());
        KafkaProducer<String, String> producer = samsa.producer(Map.of());
        int[] partitionOfKey = new int[3];
        for (int i = 0; i < 30; i++) {
            String key = "key-" + (i % 3);
            ProducerRecord<String, String> record = new ProducerRecord<>(topic, key, "v" + i);
            record.headers().add(new RecordHeader("trace", ("t" + i).getBytes(StandardCharsets.UTF_8)));
            RecordMetadata metadata = producer.send(record).get();
            if (i < 3) {
                partitionOfKey[i] = metadata.partition();
            } else {
                assertThat(metadata.partition()).isEqualTo(partitionOfKey[i % 3]);
            }
        }
        for (int k = 0; k < 3; k++) {
            int partition = partitionOfKey[k];
            int key = k;
            // Several keys may hash to one partition: keep this key's records, in partition order.
            long keysHere = java.util.Arrays.stream(partitionOfKey).filter(x -> x == partition).count();
            List<ConsumerRecord<String, String>> ofKey = samsa.readAll(topic, partition, (int) (10 * keysHere))
                    .stream()
                    .filter(r -> keyIndex(r.key()) == key)
                    .toList();
            assertThat(ofKey).hasSize(10);
            for (int j = 0; j < 10; j++) {
                int i = key + 3 * j;
                ConsumerRecord<String, String> r = ofKey.get(j);
                assertThat(r.value()).isEqualTo("v" + i);
                assertThat(new String(r.headers().lastHeader("trace").value(), StandardCharsets.UTF_8))
                        .isEqualTo("t" + i);
            }
        }
    }

    private static int keyIndex(String key) {
        return Integer.parseInt(key.substring("key-".length()));
    }

    @Test
    void unkeyedNullValuesAndEmptyStringsSurvive() throws Exception {
        String topic = "unkeyed";
        samsa.createTopic(topic, 1, Map.of());
        KafkaProducer<String, String> producer = samsa.producer(Map.of());
        producer.send(new ProducerRecord<>(topic, 0, null, null)).get();
        producer.send(new ProducerRecord<>(topic, 0, "", "")).get();
        producer.send(new ProducerRecord<>(topic, 0, null, "x")).get();
        List<ConsumerRecord<String, String>> records = samsa.readAll(topic, 0, 3);
        assertThat(records).extracting(ConsumerRecord::key).containsExactly(null, "", null);
        assertThat(records).extracting(ConsumerRecord::value).containsExactly(null, "", "x");
        assertThat(records).extracting(ConsumerRecord::offset).containsExactly(0L, 1L, 2L);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "snappy", "lz4", "zstd"})
    void compressedBatchesRoundTrip(String codec) throws Exception {
        String topic = "codec-" + codec;
        samsa.createTopic(topic, 1, Map.of());
        KafkaProducer<String, String> producer = samsa.producer(Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec,
                ProducerConfig.LINGER_MS_CONFIG, 20));
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            sent.add(producer.send(new ProducerRecord<>(topic, 0, "k" + i, "compressible value " + i + " ".repeat(50))));
        }
        producer.flush();
        for (int i = 0; i < sent.size(); i++) {
            assertThat(sent.get(i).get().offset()).isEqualTo(i);
        }
        List<ConsumerRecord<String, String>> records = samsa.readAll(topic, 0, 2000);
        assertThat(records).hasSize(2000);
        for (int i = 0; i < 2000; i++) {
            assertThat(records.get(i).offset()).isEqualTo(i);
            assertThat(records.get(i).key()).isEqualTo("k" + i);
            assertThat(records.get(i).value()).isEqualTo("compressible value " + i + " ".repeat(50));
        }
    }

    @Test
    void largeBatchesAndLargeRecordsRoundTrip() throws Exception {
        String topic = "large";
        samsa.createTopic(topic, 1, Map.of());
        KafkaProducer<String, String> producer = samsa.producer(Map.of(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024,
                ProducerConfig.LINGER_MS_CONFIG, 50, ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1_000_000));
        String big = "x".repeat(900_000);
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        sent.add(producer.send(new ProducerRecord<>(topic, 0, "big", big)));
        for (int i = 0; i < 5000; i++) {
            sent.add(producer.send(new ProducerRecord<>(topic, 0, null, "small-" + i + "-" + "y".repeat(100))));
        }
        producer.flush();
        for (int i = 0; i < sent.size(); i++) {
            assertThat(sent.get(i).get().offset()).isEqualTo(i);
        }
        List<ConsumerRecord<String, String>> records = samsa.readAll(topic, 0, 5001);
        assertThat(records).hasSize(5001);
        assertThat(records.get(0).value()).isEqualTo(big);
        assertThat(records.get(5000).value()).isEqualTo("small-4999-" + "y".repeat(100));
    }
}
