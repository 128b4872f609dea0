package io.samsa.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.MetadataResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Requests exactly as librdkafka 2.15.0 writes them (the C library under confluent-kafka-python, -go, -dotnet and
 * kcat), byte for byte, over a real socket. The frames were captured with tshark on loopback from {@code kcat} linked
 * against librdkafka 2.15.0 ({@code kcat -L}, then {@code kcat -P -t cap1}); Debian's kcat uses librdkafka 2.0.2, which
 * does not send Metadata v13, so {@link KcatIT} cannot catch what these catch.
 */
class LibrdkafkaFramesIT {

    /**
     * Metadata v13 for all topics, correlation id 3: four zero bytes for the topic count that librdkafka never
     * rewrites at v9+, so three bytes of the request are left after what a parser reads (see RequestDecoder).
     */
    private static final String METADATA_ALL_TOPICS =
            "000000190003000d00000003000772646b61666b610000000000010000";

    /** Metadata v13 for brokers only (an empty topic array), correlation id 2. */
    private static final String METADATA_BROKERS_ONLY = "000000160003000d00000002000772646b61666b610001000000";

    /** Metadata v13 for topic "cap1" with a zero topic id and AllowAutoTopicCreation, correlation id 3. */
    private static final String METADATA_CAP1_AUTO_CREATE = "0000002c0003000d00000003000772646b61666b6100020000"
            + "0000000000000000000000000000056361703100010000";

    private BrokerFixture samsa;

    @BeforeEach
    void start() {
        samsa = BrokerFixture.start(Map.of("num.partitions", "4"));
        samsa.createTopic("present", 2, Map.of());
    }

    @AfterEach
    void stop() {
        samsa.close();
    }

    @Test
    void metadataForAllTopicsIsAnsweredWithEveryTopicAndTheConnectionStaysOpen() throws Exception {
        try (RawClient raw = new RawClient(samsa.bootstrap())) {
            raw.sendBytes(HexFormat.of().parseHex(METADATA_ALL_TOPICS));
            MetadataResponseData first = readMetadata(raw, 3);
            assertThat(first.brokers()).hasSize(1);
            assertThat(first.brokers().iterator().next().nodeId()).isEqualTo(1);
            assertThat(samsa.bootstrap()).endsWith(":" + first.brokers().iterator().next().port());
            assertThat(first.topics().stream().map(MetadataResponseTopic::name)).containsExactly("present");
            MetadataResponseTopic present = first.topics().find("present");
            assertThat(Errors.forCode(present.errorCode())).isEqualTo(Errors.NONE);
            assertThat(present.partitions().stream().map(MetadataResponsePartition::partitionIndex))
                    .containsExactly(0, 1);

            // The same connection serves the next request: nothing was left in the stream.
            raw.sendBytes(HexFormat.of().parseHex(METADATA_BROKERS_ONLY));
            MetadataResponseData second = readMetadata(raw, 2);
            assertThat(second.brokers()).hasSize(1);
            assertThat(second.topics()).isEmpty();
        }
    }

    @Test
    void metadataForANamedTopicAutoCreatesItWithTheDefaultPartitionCount() throws Exception {
        try (RawClient raw = new RawClient(samsa.bootstrap())) {
            raw.sendBytes(HexFormat.of().parseHex(METADATA_CAP1_AUTO_CREATE));
            MetadataResponseData response = readMetadata(raw, 3);
            assertThat(response.topics().stream().map(MetadataResponseTopic::name)).containsExactly("cap1");
            MetadataResponseTopic cap1 = response.topics().find("cap1");
            assertThat(Errors.forCode(cap1.errorCode())).isEqualTo(Errors.NONE);
            assertThat(cap1.partitions().stream().collect(Collectors.toMap(
                    MetadataResponsePartition::partitionIndex, MetadataResponsePartition::leaderId)))
                    .isEqualTo(Map.of(0, 1, 1, 1, 2, 1, 3, 1));
        }
    }

    private static MetadataResponseData readMetadata(RawClient raw, int correlationId) throws Exception {
        ByteBuffer frame = raw.readFrame();
        ResponseHeaderData header = new ResponseHeaderData(new ByteBufferAccessor(frame),
                ApiKeys.METADATA.responseHeaderVersion((short) 13));
        assertThat(header.correlationId()).isEqualTo(correlationId);
        MetadataResponse response = MetadataResponse.parse(new ByteBufferAccessor(frame), (short) 13);
        assertThat(frame.hasRemaining()).isFalse();
        assertThat(Errors.forCode(response.data().errorCode())).isEqualTo(Errors.NONE);
        return response.data();
    }
}
