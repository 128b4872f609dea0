package io.samsa.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Segments roll on size, and retention by size and by time deletes whole old segments, never the active one. */
class RetentionIT {

    private static BrokerFixture samsa;
    private static Admin admin;

    @BeforeAll
    static void start() {
        samsa = BrokerFixture.start(Map.of("log.retention.check.interval.ms", "100",
                "log.segment.delete.delay.ms", "0"));
        admin = samsa.admin();
    }

    @AfterAll
    static void stop() {
        samsa.close();
    }

    @Test
    void retentionBytesDeletesTheOldestSegments() throws Exception {
        samsa.createTopic("by-size", 1, Map.of("segment.bytes", "1024", "retention.bytes", "3000"));
        produce("by-size", 200, System.currentTimeMillis());
        TopicPartition tp = new TopicPartition("by-size", 0);
        await().atMost(Duration.ofSeconds(20)).until(() -> earliest(tp) > 0 && segmentFiles("by-size-0") <= 4);
        assertThat(latest(tp)).isEqualTo(200);
        // The retention task may still delete one more segment between reading the log start and consuming from it,
        // so the check is repeated until the two agree.
        await().atMost(Duration.ofSeconds(100)).untilAsserted(
                () -> assertRemainingAreExactlyFrom("by-size", earliest(tp), 200));
    }

    @Test
    void retentionMsDeletesEveryClosedSegmentOlderThanIt() throws Exception {
        samsa.createTopic("by-time", 1, Map.of("segment.bytes", "1024", "retention.ms", "60000"));
        long anHourAgo = System.currentTimeMillis() - 3_600_000L;
        produce("by-time", 100, anHourAgo);
        TopicPartition tp = new TopicPartition("by-time", 0);
        // Only the active segment may remain: it holds the newest records, and it is never deleted.
        await().atMost(Duration.ofSeconds(20)).until(() -> segmentFiles("by-time-0") == 1);
        // A segment is renamed away before the log start moves past it, so the count above can be seen while the
        // log start still names the segment being deleted: the check is repeated until the two agree.
        await().atMost(Duration.ofSeconds(100)).untilAsserted(() -> {
            long earliest = earliest(tp);
            assertThat(earliest).isGreaterThan(0).isLessThan(100);
            assertRemainingAreExactlyFrom("by-time", earliest, 100);
        });
    }

    private static void produce(String topic, int count, long timestamp) throws Exception {
        KafkaProducer<String, String> producer = samsa.producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, 0));
        for (int i = 0; i < count; i++) {
            producer.send(new ProducerRecord<>(topic, 0, timestamp, null, "v" + i)).get();
        }
    }

    private static void assertRemainingAreExactlyFrom(String topic, long earliest, long end) {
        int expected = (int) (end - earliest);
        List<ConsumerRecord<String, String>> records = samsa.readAll(topic, 0, expected);
        assertThat(records).hasSize(expected);
        for (int i = 0; i < expected; i++) {
            assertThat(records.get(i).offset()).isEqualTo(earliest + i);
            assertThat(records.get(i).value()).isEqualTo("v" + (earliest + i));
        }
    }

    private static long segmentFiles(String dir) throws Exception {
        try (Stream<Path> files = Files.list(samsa.dataDir().resolve(dir))) {
            return files.filter(p -> p.getFileName().toString().endsWith(".log")).count();
        }
    }

    private static long earliest(TopicPartition tp) throws Exception {
        return admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).partitionResult(tp).get().offset();
    }

    private static long latest(TopicPartition tp) throws Exception {
        return admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get().offset();
    }
}
