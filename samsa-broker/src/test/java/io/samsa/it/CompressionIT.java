package io.samsa.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * compression.type on topics: each codec round-trips through a topic whose codec differs from the producer's, the
 * batches on disk are in the topic's codec, and a compressed batch whose content is garbage is refused.
 */
class CompressionIT {

    private static final int RECORDS = 200;
    private static BrokerFixture samsa;

    @BeforeAll
    static void start() {
        samsa = BrokerFixture.start();
    }

    @AfterAll
    static void stop() {
        samsa.close();
    }

    @ParameterizedTest(name = "producer {0}, topic {1}")
    @CsvSource({
        "none, gzip", "none, snappy", "none, lz4", "none, zstd",
        "gzip, uncompressed", "snappy, uncompressed", "lz4, uncompressed", "zstd, uncompressed",
        "zstd, gzip", "gzip, lz4", "lz4, snappy", "snappy, zstd"
    })
    void recordsRoundTripAndAreStoredInTheTopicsCodec(String producerCodec, String topicCodec) throws IOException {
        String topic = "codec-" + producerCodec + "-" + topicCodec;
        samsa.createTopic(topic, 1, Map.of("compression.type", topicCodec));
        KafkaProducer<String, String> producer = samsa.producer(Map.of(
                ProducerConfig.COMPRESSION_TYPE_CONFIG, producerCodec, ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.BATCH_SIZE_CONFIG, 4096));
        long t0 = System.currentTimeMillis() - 60_000;
        List<Long> offsets = new ArrayList<>();
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            ProducerRecord<String, String> record = new ProducerRecord<>(topic, 0, t0 + i, "key-" + i,
                    "value-" + i + "-" + "x".repeat(i % 50));
            record.headers().add(new RecordHeader("n", String.valueOf(i).getBytes(StandardCharsets.UTF_8)));
            sent.add(producer.send(record));
        }
        for (var future : sent) {
            offsets.add(join(future).offset());
        }
        assertThat(offsets).containsExactlyElementsOf(Stream.iterate(0L, o -> o + 1).limit(RECORDS).toList());

        List<ConsumerRecord<String, String>> read = samsa.readAll(topic, 0, RECORDS);
        assertThat(read).hasSize(RECORDS);
        for (int i = 0; i < RECORDS; i++) {
            ConsumerRecord<String, String> r = read.get(i);
            assertThat(r.offset()).isEqualTo(i);
            assertThat(r.timestamp()).isEqualTo(t0 + i);
            assertThat(r.key()).isEqualTo("key-" + i);
            assertThat(r.value()).isEqualTo("value-" + i + "-" + "x".repeat(i % 50));
            assertThat(new String(r.headers().lastHeader("n").value(), StandardCharsets.UTF_8))
                    .isEqualTo(String.valueOf(i));
        }
        CompressionType expected = topicCodec.equals("uncompressed") ? CompressionType.NONE
                : CompressionType.forName(topicCodec);
        List<RecordBatch> stored = storedBatches(topic + "-0");
        assertThat(stored).isNotEmpty().allSatisfy(b -> {
            assertThat(b.compressionType()).isEqualTo(expected);
            assertThat(b.isValid()).isTrue();
        });
        // The idempotent producer's sequences went through the rebuild intact.
        assertThat(stored).allSatisfy(b -> assertThat(b.hasProducerId()).isTrue());
        assertThat(stored.get(stored.size() - 1).lastSequence()).isEqualTo(RECORDS - 1);
    }

    @Test
    void producerCompressionKeepsWhatTheProducerSent() throws IOException {
        samsa.createTopic("as-sent", 1, Map.of());
        KafkaProducer<String, String> producer = samsa.producer(Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"));
        join(producer.send(new ProducerRecord<>("as-sent", 0, "k", "v")));
        assertThat(samsa.readAll("as-sent", 0, 1)).extracting(ConsumerRecord::value).containsExactly("v");
        assertThat(storedBatches("as-sent-0")).extracting(RecordBatch::compressionType)
                .containsExactly(CompressionType.LZ4);
    }

    @Test
    void changingTheTopicsCodecAppliesToTheNextBatches() throws Exception {
        samsa.createTopic("recoded", 1, Map.of());
        KafkaProducer<String, String> producer = samsa.producer(Map.of());
        join(producer.send(new ProducerRecord<>("recoded", 0, "k", "before")));
        try (Admin admin = samsa.admin()) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "recoded");
            admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(
                    new ConfigEntry("compression.type", "zstd"), AlterConfigOp.OpType.SET)))).all().get();
        }
        join(producer.send(new ProducerRecord<>("recoded", 0, "k", "after")));

        assertThat(samsa.readAll("recoded", 0, 2)).extracting(ConsumerRecord::value).containsExactly("before", "after");
        assertThat(storedBatches("recoded-0")).extracting(RecordBatch::compressionType)
                .containsExactly(CompressionType.NONE, CompressionType.ZSTD);
    }

    @Test
    void garbageInsideACompressedBatchWithAValidCrcIsCorruptMessageAndNothingIsWritten() throws Exception {
        samsa.createTopic("guarded", 1, Map.of());
        ByteBuffer batch = MemoryRecords.withRecords(Compression.zstd().build(),
                new SimpleRecord("k".getBytes(StandardCharsets.UTF_8), "v".repeat(100).getBytes(StandardCharsets.UTF_8)))
                .buffer();
        for (int i = 61; i < batch.limit(); i++) {
            batch.put(i, (byte) (i * 31));
        }
        // The CRC covers attributes to the end: recomputing it makes the batch look intact to a CRC check.
        CRC32C crc = new CRC32C();
        crc.update(batch.duplicate().position(21));
        batch.putInt(17, (int) crc.getValue());

        ProduceResponseData.PartitionProduceResponse result = produceRaw("guarded", MemoryRecords.readableRecords(batch));

        assertThat(Errors.forCode(result.errorCode())).isEqualTo(Errors.CORRUPT_MESSAGE);
        try (Admin admin = samsa.admin()) {
            TopicPartition tp = new TopicPartition("guarded", 0);
            assertThat(admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get().offset())
                    .isZero();
        }
        KafkaProducer<String, String> producer = samsa.producer(Map.of());
        assertThat(join(producer.send(new ProducerRecord<>("guarded", 0, "k", "fine"))).offset()).isZero();
    }

    @Test
    void invalidCompressionSettingsAreInvalidConfig() throws Exception {
        try (Admin admin = samsa.admin()) {
            for (Map<String, String> configs : List.of(Map.of("compression.type", "brotli"),
                    Map.of("compression.gzip.level", "0"), Map.of("compression.zstd.level", "23"),
                    Map.of("compression.lz4.level", "18"))) {
                assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("bad-codec", 1, (short) 1)
                        .configs(configs))).all().get())
                        .as("%s", configs)
                        .hasCauseInstanceOf(InvalidConfigurationException.class);
            }
            assertThat(admin.listTopics().names().get()).doesNotContain("bad-codec");
        }
    }

    private static ProduceResponseData.PartitionProduceResponse produceRaw(String topic, MemoryRecords records)
            throws IOException {
        ProduceRequestData request = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(5000);
        ProduceRequestData.TopicProduceData data = new ProduceRequestData.TopicProduceData().setName(topic);
        data.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records));
        request.topicData().add(data);
        try (RawClient raw = new RawClient(samsa.bootstrap())) {
            ProduceResponse response = (ProduceResponse) raw.call(ApiKeys.PRODUCE, (short) 12, request);
            return response.data().responses().iterator().next().partitionResponses().get(0);
        }
    }

    /** The batches in the partition's segment files, as stored. */
    private static List<RecordBatch> storedBatches(String partitionDir) throws IOException {
        List<RecordBatch> batches = new ArrayList<>();
        List<Path> segments;
        try (Stream<Path> files = Files.list(samsa.dataDir().resolve(partitionDir))) {
            segments = files.filter(p -> p.toString().endsWith(".log")).sorted().toList();
        }
        for (Path segment : segments) {
            MemoryRecords.readableRecords(ByteBuffer.wrap(Files.readAllBytes(segment))).batches()
                    .forEach(batches::add);
        }
        return batches;
    }

    private static <T> T join(Future<T> future) {
        try {
            return future.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
