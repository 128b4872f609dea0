package io.samsa.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** ListOffsets (earliest, latest, by timestamp, max timestamp), DeleteRecords and out-of-range fetches. */
class OffsetsIT {

    private static BrokerFixture samsa;
    private static Admin admin;

    @BeforeAll
    static void start() {
        samsa = BrokerFixture.start();
        admin = samsa.admin();
    }

    @AfterAll
    static void stop() {
        samsa.close();
    }

    @Test
    void listOffsetsByTimestampEarliestLatestAndMax() throws Exception {
        samsa.createTopic("timed", 1, Map.of());
        TopicPartition tp = new TopicPartition("timed", 0);
        KafkaProducer<String, String> producer = samsa.producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, 0));
        long base = 1_700_000_000_000L;
        // Timestamps 0..9 seconds after base, except record 7 which carries the largest timestamp.
        for (int i = 0; i < 10; i++) {
            long ts = i == 7 ? base + 100_000 : base + i * 1000L;
            producer.send(new ProducerRecord<>("timed", 0, ts, "k" + i, "v" + i)).get();
        }
        assertThat(offset(tp, OffsetSpec.earliest()).offset()).isZero();
        assertThat(offset(tp, OffsetSpec.earliest()).leaderEpoch()).contains(0);
        assertThat(offset(tp, OffsetSpec.latest()).offset()).isEqualTo(10);
        assertThat(offset(tp, OffsetSpec.latest()).leaderEpoch()).contains(0);
        assertThat(offset(tp, OffsetSpec.forTimestamp(base)).offset()).isZero();
        assertThat(offset(tp, OffsetSpec.forTimestamp(base + 2500)).offset()).isEqualTo(3);
        assertThat(offset(tp, OffsetSpec.forTimestamp(base + 2500)).timestamp()).isEqualTo(base + 3000);
        assertThat(offset(tp, OffsetSpec.forTimestamp(base + 8000)).offset()).isEqualTo(7);
        assertThat(offset(tp, OffsetSpec.forTimestamp(base + 200_000)).offset()).isEqualTo(-1);
        ListOffsetsResultInfo max = offset(tp, OffsetSpec.maxTimestamp());
        assertThat(max.offset()).isEqualTo(7);
        assertThat(max.timestamp()).isEqualTo(base + 100_000);

        // A consumer's offsetsForTimes uses the same API.
        try (KafkaConsumer<String, String> consumer = samsa.consumer(Map.of())) {
            assertThat(consumer.offsetsForTimes(Map.of(tp, base + 4000)).get(tp).offset()).isEqualTo(4);
        }
    }

    @Test
    void deleteRecordsRaisesTheLogStartOffset() throws Exception {
        samsa.createTopic("trimmed", 1, Map.of());
        TopicPartition tp = new TopicPartition("trimmed", 0);
        KafkaProducer<String, String> producer = samsa.producer(Map.of());
        for (int i = 0; i < 20; i++) {
            producer.send(new ProducerRecord<>("trimmed", 0, null, "v" + i)).get();
        }
        long low = admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(12))).lowWatermarks().get(tp).get()
                .lowWatermark();
        assertThat(low).isEqualTo(12);
        assertThat(offset(tp, OffsetSpec.earliest()).offset()).isEqualTo(12);
        List<ConsumerRecord<String, String>> records = samsa.readAll("trimmed", 0, 8);
        assertThat(records).extracting(ConsumerRecord::offset).containsExactly(12L, 13L, 14L, 15L, 16L, 17L, 18L,
                19L);
        assertThat(records.get(0).value()).isEqualTo("v12");
        assertThatThrownBy(() -> admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(21))).all().get())
                .hasCauseInstanceOf(org.apache.kafka.common.errors.OffsetOutOfRangeException.class);
    }

    @Test
    void fetchingBelowTheLogStartWithoutResetPolicyIsOffsetOutOfRange() throws Exception {
        samsa.createTopic("strict", 1, Map.of());
        TopicPartition tp = new TopicPartition("strict", 0);
        KafkaProducer<String, String> producer = samsa.producer(Map.of());
        for (int i = 0; i < 5; i++) {
            producer.send(new ProducerRecord<>("strict", 0, null, "v" + i)).get();
        }
        admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(3))).all().get();
        try (KafkaConsumer<String, String> consumer = samsa.consumer(Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "none"))) {
            consumer.assign(List.of(tp));
            consumer.seek(tp, 1);
            assertThatThrownBy(() -> {
                for (int i = 0; i < 50; i++) {
                    consumer.poll(Duration.ofMillis(100));
                }
            }).isInstanceOf(OffsetOutOfRangeException.class);
        }
    }

    private static ListOffsetsResultInfo offset(TopicPartition tp, OffsetSpec spec) throws Exception {
        return admin.listOffsets(Map.of(tp, spec)).partitionResult(tp).get();
    }
}
