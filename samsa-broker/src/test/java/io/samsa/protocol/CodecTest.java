package io.samsa.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageSizeAccumulator;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.ResponseHeader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Every version of every API kafka-clients can write decodes, and responses decode with kafka-clients' parser. */
class CodecTest {

    private static final List<ApiKeys> SERVED = List.of(ApiKeys.API_VERSIONS, ApiKeys.METADATA, ApiKeys.PRODUCE,
            ApiKeys.FETCH, ApiKeys.LIST_OFFSETS, ApiKeys.OFFSET_FOR_LEADER_EPOCH, ApiKeys.DELETE_RECORDS,
            ApiKeys.INIT_PRODUCER_ID, ApiKeys.DESCRIBE_PRODUCERS, ApiKeys.CREATE_TOPICS, ApiKeys.DELETE_TOPICS,
            ApiKeys.CREATE_PARTITIONS, ApiKeys.DESCRIBE_CONFIGS, ApiKeys.INCREMENTAL_ALTER_CONFIGS,
            ApiKeys.ALTER_CONFIGS, ApiKeys.DESCRIBE_CLUSTER, ApiKeys.FIND_COORDINATOR, ApiKeys.JOIN_GROUP,
            ApiKeys.SYNC_GROUP, ApiKeys.HEARTBEAT, ApiKeys.LEAVE_GROUP, ApiKeys.OFFSET_COMMIT, ApiKeys.OFFSET_FETCH,
            ApiKeys.DESCRIBE_GROUPS, ApiKeys.LIST_GROUPS, ApiKeys.DELETE_GROUPS, ApiKeys.OFFSET_DELETE,
            ApiKeys.CONSUMER_GROUP_HEARTBEAT, ApiKeys.CONSUMER_GROUP_DESCRIBE, ApiKeys.ADD_PARTITIONS_TO_TXN,
            ApiKeys.ADD_OFFSETS_TO_TXN, ApiKeys.END_TXN, ApiKeys.TXN_OFFSET_COMMIT, ApiKeys.DESCRIBE_TRANSACTIONS,
            ApiKeys.LIST_TRANSACTIONS, ApiKeys.WRITE_TXN_MARKERS);

    private static final SupportedApis ALL = new SupportedApis(Map.ofEntries(SERVED.stream()
            .map(k -> Map.entry(k, new SupportedApis.Range(k.oldestVersion(), k.latestVersion(false))))
            .toArray(Map.Entry[]::new)));

    static Stream<Arguments> everyVersion() {
        List<Arguments> cases = new ArrayList<>();
        for (ApiKeys key : SERVED) {
            for (short v = key.oldestVersion(); v <= key.latestVersion(false); v++) {
                cases.add(Arguments.of(key, v));
            }
        }
        return cases.stream();
    }

    static ByteBuffer frame(ApiKeys key, short version, ApiMessage body, int correlationId) {
        RequestHeaderData header = new RequestHeaderData().setRequestApiKey(key.id).setRequestApiVersion(version)
                .setCorrelationId(correlationId).setClientId("codec-test");
        short hv = key.requestHeaderVersion(version);
        ObjectSerializationCache cache = new ObjectSerializationCache();
        MessageSizeAccumulator size = new MessageSizeAccumulator();
        header.addSize(size, cache, hv);
        body.addSize(size, cache, version);
        ByteBuffer buffer = ByteBuffer.allocate(size.totalSize());
        ByteBufferAccessor writer = new ByteBufferAccessor(buffer);
        header.write(writer, cache, hv);
        body.write(writer, cache, version);
        buffer.flip();
        return buffer;
    }

    @ParameterizedTest(name = "{0} v{1}")
    @MethodSource("everyVersion")
    void decodesEveryVersionKafkaClientsWrites(ApiKeys key, short version) {
        ApiMessage body = ApiMessageType.fromApiKey(key.id).newRequest();
        Request request = new RequestDecoder(ALL).decode(frame(key, version, body, 4242));
        assertThat(request.apiKey()).isEqualTo(key);
        assertThat(request.version()).isEqualTo(version);
        assertThat(request.correlationId()).isEqualTo(4242);
        assertThat(request.clientId()).isEqualTo("codec-test");
        assertThat(request.versionUnsupported()).isFalse();
        // Compared as bytes: kafka-clients' request wrappers fill in fields older versions lack.
        assertThat(bodyBytes(request.body(), version)).isEqualTo(bodyBytes(body, version));
    }

    @ParameterizedTest(name = "{0} v{1}")
    @MethodSource("everyVersion")
    void encodedResponsesParseWithKafkaClients(ApiKeys key, short version) {
        ApiMessage body = ApiMessageType.fromApiKey(key.id).newRequest();
        Request request = new RequestDecoder(ALL).decode(frame(key, version, body, 7));
        ApiMessage response = ApiMessageType.fromApiKey(key.id).newResponse();
        ByteBuffer encoded = ResponseEncoder.encode(request, response).toByteBuffer();
        assertThat(encoded.getInt()).isEqualTo(encoded.remaining());
        ResponseHeader header = ResponseHeader.parse(encoded, key.responseHeaderVersion(version));
        assertThat(header.correlationId()).isEqualTo(7);
        ByteBuffer sent = encoded.slice();
        AbstractResponse parsed = AbstractResponse.parseResponse(key, new ByteBufferAccessor(encoded), version);
        assertThat(encoded.hasRemaining()).isFalse();
        // Byte for byte what kafka-clients' own serializer writes (its response wrappers normalise some fields
        // when they parse, so the parsed object is not compared).
        assertThat(toArray(sent)).isEqualTo(bodyBytes(response, version));
        assertThat(parsed.data().apiKey()).isEqualTo(key.id);
    }

    private static byte[] bodyBytes(ApiMessage message, short version) {
        ObjectSerializationCache cache = new ObjectSerializationCache();
        MessageSizeAccumulator size = new MessageSizeAccumulator();
        message.addSize(size, cache, version);
        ByteBuffer buffer = ByteBuffer.allocate(size.totalSize());
        message.write(new ByteBufferAccessor(buffer), cache, version);
        return buffer.array();
    }

    private static byte[] toArray(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    @Test
    void aVersionWeDoNotServeIsRefusedBeforeTheBodyIsRead() {
        SupportedApis narrow = new SupportedApis(Map.of(ApiKeys.METADATA, new SupportedApis.Range((short) 4,
                (short) 12)));
        ByteBuffer v13 = frame(ApiKeys.METADATA, (short) 13, new org.apache.kafka.common.message.MetadataRequestData(),
                1);
        assertThatThrownBy(() -> new RequestDecoder(narrow).decode(v13))
                .isInstanceOf(InvalidFrameException.class)
                .hasMessage("unsupported version 13 of METADATA");
    }

    /**
     * A Metadata v13 request for all topics exactly as librdkafka 2.15.0 sends it (captured with tshark on loopback
     * from {@code kcat -L} linked against librdkafka 2.15.0; length prefix removed). librdkafka writes four zero bytes
     * for the topic count and, at v9+, never rewrites them: a parser reads a null topic array (all topics), false,
     * false and no tagged fields from them, and the client's own AllowAutoTopicCreation (1), include topic authorized
     * operations (0) and tagged fields (0) are left over. Kafka ignores them; so do we.
     */
    static final String LIBRDKAFKA_2_15_METADATA_ALL_TOPICS = "0003000d00000003000772646b61666b610000000000010000";

    @Test
    void metadataForAllTopicsFromLibrdkafka215DecodesAsKafkaReadsIt() {
        Request request = new RequestDecoder(ALL).decode(ByteBuffer.wrap(hex(LIBRDKAFKA_2_15_METADATA_ALL_TOPICS)));
        assertThat(request.apiKey()).isEqualTo(ApiKeys.METADATA);
        assertThat(request.version()).isEqualTo((short) 13);
        assertThat(request.correlationId()).isEqualTo(3);
        assertThat(request.clientId()).isEqualTo("rdkafka");
        MetadataRequestData body = (MetadataRequestData) request.body();
        assertThat(body.topics()).isNull();
        assertThat(body.allowAutoTopicCreation()).isFalse();
        assertThat(body.includeTopicAuthorizedOperations()).isFalse();
        assertThat(request.sizeBytes()).isEqualTo(25);
    }

    @Test
    void bytesAfterTheBodyAreIgnoredAsKafkaIgnoresThem() {
        ByteBuffer exact = frame(ApiKeys.CREATE_TOPICS, (short) 7,
                new org.apache.kafka.common.message.CreateTopicsRequestData().setTimeoutMs(5), 9);
        ByteBuffer padded = ByteBuffer.allocate(exact.remaining() + 3).put(exact).put(new byte[] {1, 2, 3}).flip();
        Request request = new RequestDecoder(ALL).decode(padded);
        assertThat(request.correlationId()).isEqualTo(9);
        assertThat(((org.apache.kafka.common.message.CreateTopicsRequestData) request.body()).timeoutMs())
                .isEqualTo(5);
    }

    static byte[] hex(String hex) {
        return java.util.HexFormat.of().parseHex(hex);
    }

    @Test
    void truncatedBodyIsRefused() {
        ByteBuffer exact = frame(ApiKeys.CREATE_TOPICS, (short) 7,
                new org.apache.kafka.common.message.CreateTopicsRequestData().setTimeoutMs(5), 1);
        ByteBuffer cut = exact.slice(0, exact.remaining() - 2);
        assertThatThrownBy(() -> new RequestDecoder(ALL).decode(cut))
                .isInstanceOf(InvalidFrameException.class)
                .hasMessageStartingWith("malformed body of CREATE_TOPICS v7");
    }

    @Test
    void metadataResponseCarriesBrokersToKafkaClients() {
        Request request = new RequestDecoder(ALL).decode(frame(ApiKeys.METADATA, (short) 12,
                new org.apache.kafka.common.message.MetadataRequestData(), 3));
        MetadataResponseData data = new MetadataResponseData().setClusterId("c").setControllerId(1);
        data.brokers().add(new MetadataResponseData.MetadataResponseBroker().setNodeId(1).setHost("127.0.0.1")
                .setPort(9092));
        ByteBuffer encoded = ResponseEncoder.encode(request, data).toByteBuffer();
        encoded.getInt();
        ResponseHeader.parse(encoded, ApiKeys.METADATA.responseHeaderVersion((short) 12));
        MetadataResponse parsed = (MetadataResponse) AbstractResponse.parseResponse(ApiKeys.METADATA,
                new ByteBufferAccessor(encoded), (short) 12);
        assertThat(parsed.brokers()).hasSize(1);
        assertThat(parsed.brokers().iterator().next().port()).isEqualTo(9092);
        assertThat(parsed.clusterId()).isEqualTo("c");
    }
}
