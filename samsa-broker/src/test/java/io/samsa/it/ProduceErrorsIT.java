package io.samsa.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;

/** What producers see for records too large and topics that do not exist, with auto-creation on and off. */
class ProduceErrorsIT {

    @Test
    void aBatchAboveMaxMessageBytesIsRefusedAndNothingIsWritten() throws Exception {
        try (BrokerFixture samsa = BrokerFixture.start()) {
            samsa.createTopic("small", 1, Map.of("max.message.bytes", "1000"));
            KafkaProducer<String, String> producer = samsa.producer(Map.of(ProducerConfig.RETRIES_CONFIG, 0,
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false));
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("small", 0, null, "x".repeat(5000))).get())
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(RecordTooLargeException.class);
            assertThat(producer.send(new ProducerRecord<>("small", 0, null, "fits")).get().offset()).isZero();
        }
    }

    @Test
    void onACompactedTopicOnlyTheKeylessRecordsOfABatchFailAsSuchTheOthersAreToldWhyTheyFailedToo() throws Exception {
        try (BrokerFixture samsa = BrokerFixture.start()) {
            samsa.createTopic("compacted", 1, Map.of("cleanup.policy", "compact"));
            KafkaProducer<String, String> producer = samsa.producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, 5_000));
            List<Future<RecordMetadata>> sent = List.of(
                    producer.send(new ProducerRecord<>("compacted", 0, "k0", "v0")),
                    producer.send(new ProducerRecord<>("compacted", 0, null, "no key")),
                    producer.send(new ProducerRecord<>("compacted", 0, "k2", "v2")));
            producer.flush();
            // KIP-467: the response names the keyless record, so the producer fails it with the broker's reason and
            // the others of its batch with a reason of their own (and could send those again).
            assertThatThrownBy(() -> sent.get(1).get()).cause().isExactlyInstanceOf(InvalidRecordException.class)
                    .hasMessage("Compacted topic cannot accept message without key in topic partition compacted-0");
            for (int i : new int[] {0, 2}) {
                assertThatThrownBy(() -> sent.get(i).get()).cause().isExactlyInstanceOf(KafkaException.class)
                        .hasMessage("Failed to append record because it was part of a batch which had one more more"
                                + " invalid records");
            }
            assertThat(producer.send(new ProducerRecord<>("compacted", 0, "k3", "v3")).get().offset()).isZero();
        }
    }

    @Test
    void autoCreationMakesTopicsWithTheBrokerDefaults() throws Exception {
        try (BrokerFixture samsa = BrokerFixture.start(Map.of("num.partitions", "4"))) {
            KafkaProducer<String, String> producer = samsa.producer(Map.of());
            assertThat(producer.send(new ProducerRecord<>("born-on-write", "k", "v")).get().offset()).isZero();
            try (Admin admin = samsa.admin()) {
                assertThat(admin.describeTopics(List.of("born-on-write")).allTopicNames().get().get("born-on-write")
                        .partitions()).hasSize(4);
            }
        }
    }

    @Test
    void clientsCannotWriteInternalTopicsAndTheBrokerStillRestarts() throws Exception {
        try (BrokerFixture samsa = BrokerFixture.start()) {
            samsa.createTopic("plain", 1, Map.of());
            KafkaProducer<String, String> producer = samsa.producer(Map.of(ProducerConfig.RETRIES_CONFIG, 0,
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false));
            // The group coordinator creates __consumer_offsets on first use.
            try (Admin admin = samsa.admin()) {
                admin.listConsumerGroupOffsets("g").partitionsToOffsetAndMetadata().get();
            }
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("__consumer_offsets", 0, "not a key",
                    "not a value")).get())
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(InvalidTopicException.class)
                    .hasMessageContaining("Cannot append to internal topic __consumer_offsets");
            producer.close();
            samsa.restart();
            KafkaProducer<String, String> after = samsa.producer(Map.of());
            assertThat(after.send(new ProducerRecord<>("plain", 0, "k", "v")).get().offset()).isZero();
        }
    }

    @Test
    void withoutAutoCreationAnUnknownTopicStaysUnknown() throws Exception {
        try (BrokerFixture samsa = BrokerFixture.start(Map.of("auto.create.topics.enable", "false"))) {
            KafkaProducer<String, String> producer = samsa.producer(Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1500));
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("nowhere", "k", "v")).get())
                    .hasCauseInstanceOf(TimeoutException.class)
                    .hasMessageContaining("nowhere");
            try (Admin admin = samsa.admin()) {
                assertThat(admin.listTopics().names().get()).doesNotContain("nowhere");
                assertThatThrownBy(() -> admin.describeTopics(List.of("nowhere")).allTopicNames().get())
                        .hasCauseInstanceOf(UnknownTopicOrPartitionException.class);
            }
        }
    }
}
