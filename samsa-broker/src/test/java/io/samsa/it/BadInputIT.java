package io.samsa.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bytes no well-behaved client sends: each closes its own connection or gets the error a Kafka client expects, and a
 * normal client keeps working afterwards.
 */
class BadInputIT {

    private static BrokerFixture samsa;

    @BeforeAll
    static void start() {
        samsa = BrokerFixture.start(Map.of("socket.request.max.bytes", "1048576"));
        samsa.createTopic("healthy", 1, Map.of());
    }

    @AfterAll
    static void stop() {
        samsa.close();
    }

    @AfterEach
    void brokerStillServesOtherClients() throws Exception {
        try (Admin admin = samsa.admin()) {
            assertThat(admin.listTopics().names().get()).contains("healthy");
        }
    }

    @Test
    void frameLargerThanSocketRequestMaxBytesClosesTheConnection() throws Exception {
        try (RawClient raw = new RawClient(samsa.bootstrap())) {
            raw.sendBytes(ByteBuffer.allocate(4).putInt(1_048_577).array());
            assertThat(raw.isClosedByBroker()).isTrue();
        }
    }

    @Test
    void negativeFrameSizeClosesTheConnection() throws Exception {
        try (RawClient raw = new RawClient(samsa.bootstrap())) {
            raw.sendBytes(ByteBuffer.allocate(4).putInt(-5).array());
            assertThat(raw.isClosedByBroker()).isTrue();
        }
    }

    @Test
    void randomBytesCloseTheConnection() throws Exception {
        byte[] noise = new byte[4096];
        new Random(42).nextBytes(noise);
        // A plausible small size first, so the noise is decoded as a request rather than refused by size alone.
        ByteBuffer frame = ByteBuffer.allocate(4 + noise.length).putInt(noise.length).put(noise);
        try (RawClient raw = new RawClient(samsa.bootstrap())) {
            raw.sendBytes(frame.array());
            assertThat(raw.isClosedByBroker()).isTrue();
        }
    }

    @Test
    void unknownApiKeyClosesTheConnection() throws Exception {
        ByteBuffer frame = ByteBuffer.allocate(4 + 10).putInt(10).putShort((short) 999).putShort((short) 0)
                .putInt(7).putShort((short) -1);
        try (RawClient raw = new RawClient(samsa.bootstrap())) {
            raw.sendBytes(frame.array());
            assertThat(raw.isClosedByBroker()).isTrue();
        }
    }

    @Test
    void unsupportedVersionOfAnApiOtherThanApiVersionsClosesTheConnection() throws Exception {
        byte[] frame = RawClient.frame(ApiKeys.METADATA, (short) 12, 1, new MetadataRequestData());
        ByteBuffer.wrap(frame).putShort(6, (short) 99);
        try (RawClient raw = new RawClient(samsa.bootstrap())) {
            raw.sendBytes(frame);
            assertThat(raw.isClosedByBroker()).isTrue();
        }
    }

    @Test
    void apiVersionsAtAnUnknownVersionIsAnsweredWithUnsupportedVersionAndTheRange() throws Exception {
        byte[] frame = RawClient.frame(ApiKeys.API_VERSIONS, (short) 3, 77, new ApiVersionsRequestData()
                .setClientSoftwareName("raw").setClientSoftwareVersion("1"));
        ByteBuffer.wrap(frame).putShort(6, (short) 42);
        try (RawClient raw = new RawClient(samsa.bootstrap())) {
            raw.sendBytes(frame);
            ByteBuffer response = raw.readFrame();
            assertThat(response.getInt()).isEqualTo(77);
            ApiVersionsResponse parsed = ApiVersionsResponse.parse(
                    new org.apache.kafka.common.protocol.ByteBufferAccessor(response), (short) 0);
            ApiVersionsResponseData data = parsed.data();
            assertThat(Errors.forCode(data.errorCode())).isEqualTo(Errors.UNSUPPORTED_VERSION);
            assertThat(data.apiKeys()).hasSize(1);
            assertThat(data.apiKeys().find(ApiKeys.API_VERSIONS.id).minVersion()).isEqualTo((short) 0);
            assertThat(data.apiKeys().find(ApiKeys.API_VERSIONS.id).maxVersion()).isEqualTo((short) 4);
        }
    }

    @Test
    void clientDisconnectingInTheMiddleOfARequestHarmsNoOne() throws Exception {
        byte[] frame = RawClient.frame(ApiKeys.METADATA, (short) 12, 1, new MetadataRequestData());
        try (RawClient raw = new RawClient(samsa.bootstrap())) {
            raw.sendBytes(java.util.Arrays.copyOf(frame, frame.length / 2));
        }
    }

    @Test
    void batchWithABadCrcIsCorruptMessageAndNothingIsWritten() throws Exception {
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("k".getBytes(),
                "v".getBytes()));
        ByteBuffer bytes = records.buffer().duplicate();
        bytes.put(bytes.limit() - 1, (byte) (bytes.get(bytes.limit() - 1) ^ 0x5a));
        ProduceResponseData.PartitionProduceResponse result = produceRaw(MemoryRecords.readableRecords(bytes),
                (short) 1);
        assertThat(Errors.forCode(result.errorCode())).isEqualTo(Errors.CORRUPT_MESSAGE);
        assertThat(samsa.admin().listOffsets(Map.of(new org.apache.kafka.common.TopicPartition("healthy", 0),
                org.apache.kafka.clients.admin.OffsetSpec.latest())).all().get().values().iterator().next().offset())
                .isEqualTo(0);
    }

    @Test
    void invalidRequiredAcksIsRefused() throws Exception {
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("v".getBytes()));
        ProduceResponseData.PartitionProduceResponse result = produceRaw(records, (short) 2);
        assertThat(Errors.forCode(result.errorCode())).isEqualTo(Errors.INVALID_REQUIRED_ACKS);
    }

    private static ProduceResponseData.PartitionProduceResponse produceRaw(MemoryRecords records, short acks)
            throws Exception {
        ProduceRequestData request = new ProduceRequestData().setAcks(acks).setTimeoutMs(5000);
        ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData().setName("healthy");
        topic.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records));
        request.topicData().add(topic);
        try (RawClient raw = new RawClient(samsa.bootstrap())) {
            ProduceResponse response = (ProduceResponse) raw.call(ApiKeys.PRODUCE, (short) 12, request);
            List<ProduceResponseData.TopicProduceResponse> topics = List.copyOf(response.data().responses());
            return topics.get(0).partitionResponses().get(0);
        }
    }
}
