package io.samsa.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fetch at the wire level: per-partition and per-response byte limits cut the bytes exactly where Kafka does (a
 * partial last batch that clients drop; the first batch always whole), a long-poll is answered by the append it waits for, and errors are Kafka's.
 */
class FetchIT {

    private static final int BATCHES = 10;
    private static BrokerFixture samsa;
    private static Uuid topicId;
    private static int batchSize;

    @BeforeAll
    static void start() throws Exception {
        samsa = BrokerFixture.start();
        samsa.createTopic("fetched", 1, Map.of());
        topicId = samsa.admin().describeTopics(List.of("fetched")).allTopicNames().get().get("fetched").topicId();
        KafkaProducer<String, String> producer = samsa.producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, 0));
        // One record per batch, each batch the same size.
        for (int i = 0; i < BATCHES; i++) {
            producer.send(new ProducerRecord<>("fetched", 0, 1000L, null, "v" + i + "x".repeat(990))).get();
        }
        batchSize = fetch(0, 1 << 20, 1 << 20, 0, 1).sizeInBytes() / BATCHES;
    }

    @AfterAll
    static void stop() {
        samsa.close();
    }

    @Test
    void partitionMaxBytesCutsTheBytesAsKafkaDoesAndClientsKeepTheWholeBatches() throws Exception {
        MemoryRecords records = fetch(0, 1 << 20, batchSize * 2 + batchSize / 2, 0, 1);
        assertThat(offsets(records)).containsExactly(0L, 1L);
        // Kafka sends exactly partitionMaxBytes from the segment file, the third batch cut short; clients drop it.
        assertThat(records.sizeInBytes()).isEqualTo(batchSize * 2 + batchSize / 2);
    }

    @Test
    void responseMaxBytesStillReturnsTheFirstBatch() throws Exception {
        MemoryRecords records = fetch(3, 10, 1 << 20, 0, 1);
        assertThat(offsets(records)).containsExactly(3L);
    }

    @Test
    void aFetchFromTheMiddleOfTheLogStartsAtItsBatch() throws Exception {
        MemoryRecords records = fetch(7, 1 << 20, 1 << 20, 0, 1);
        assertThat(offsets(records)).containsExactly(7L, 8L, 9L);
        assertThat(records.records().iterator().next().value().remaining()).isEqualTo(992);
    }

    @Test
    void aLongPollIsAnsweredByTheAppendItWaitsFor() throws Exception {
        samsa.createTopic("polled", 1, Map.of());
        CompletableFuture<FetchResponseData.PartitionData> waiting = CompletableFuture.supplyAsync(() -> {
            try (RawClient raw = new RawClient(samsa.bootstrap())) {
                return partition(raw, request("polled", 0, 1 << 20, 1 << 20, 20_000, 1));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        KafkaProducer<String, String> producer = samsa.producer(Map.of());
        // The fetch either waits on the broker or arrives after the append: both must return the record.
        producer.send(new ProducerRecord<>("polled", 0, "k", "woken")).get();
        FetchResponseData.PartitionData data = waiting.get();
        assertThat(Errors.forCode(data.errorCode())).isEqualTo(Errors.NONE);
        assertThat(data.highWatermark()).isEqualTo(1);
        MemoryRecords records = (MemoryRecords) data.records();
        assertThat(new String(toBytes(records.records().iterator().next().value()))).isEqualTo("woken");
    }

    @Test
    void minBytesNotReachedAnswersWithWhatThereIsWhenMaxWaitEnds() throws Exception {
        MemoryRecords records = fetch(9, 1 << 20, 1 << 20, 200, 1 << 20);
        assertThat(offsets(records)).containsExactly(9L);
    }

    @Test
    void errorsAreKafkas() throws Exception {
        try (RawClient raw = new RawClient(samsa.bootstrap())) {
            assertThat(Errors.forCode(partition(raw, request("fetched", 11, 1 << 20, 1 << 20, 0, 1)).errorCode()))
                    .isEqualTo(Errors.OFFSET_OUT_OF_RANGE);
            FetchRequestData unknown = request("fetched", 0, 1 << 20, 1 << 20, 0, 1);
            unknown.topics().get(0).setTopicId(Uuid.randomUuid());
            assertThat(Errors.forCode(partition(raw, unknown).errorCode())).isEqualTo(Errors.UNKNOWN_TOPIC_ID);
            FetchRequestData badPartition = request("fetched", 0, 1 << 20, 1 << 20, 0, 1);
            badPartition.topics().get(0).partitions().get(0).setPartition(5);
            assertThat(Errors.forCode(partition(raw, badPartition).errorCode()))
                    .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
            FetchRequestData staleEpoch = request("fetched", 0, 1 << 20, 1 << 20, 0, 1);
            staleEpoch.topics().get(0).partitions().get(0).setCurrentLeaderEpoch(7);
            assertThat(Errors.forCode(partition(raw, staleEpoch).errorCode()))
                    .isEqualTo(Errors.UNKNOWN_LEADER_EPOCH);
            FetchRequestData session = request("fetched", 0, 1 << 20, 1 << 20, 0, 1).setSessionId(42)
                    .setSessionEpoch(1);
            FetchResponse response = (FetchResponse) raw.call(ApiKeys.FETCH, (short) 17, session);
            assertThat(response.error()).isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND);
        }
    }

    @Test
    void offsetForLeaderEpochReportsTheEndOfEpochZero() throws Exception {
        OffsetForLeaderEpochRequestData request = new OffsetForLeaderEpochRequestData().setReplicaId(-1);
        OffsetForLeaderEpochRequestData.OffsetForLeaderTopic topic =
                new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic().setTopic("fetched");
        topic.partitions().add(new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition().setPartition(0)
                .setCurrentLeaderEpoch(0).setLeaderEpoch(0));
        request.topics().add(topic);
        try (RawClient raw = new RawClient(samsa.bootstrap())) {
            OffsetsForLeaderEpochResponse response = (OffsetsForLeaderEpochResponse) raw.call(
                    ApiKeys.OFFSET_FOR_LEADER_EPOCH, (short) 4, request);
            OffsetForLeaderEpochResponseData.EpochEndOffset end = response.data().topics().iterator().next()
                    .partitions().get(0);
            assertThat(Errors.forCode(end.errorCode())).isEqualTo(Errors.NONE);
            assertThat(end.leaderEpoch()).isZero();
            assertThat(end.endOffset()).isEqualTo(BATCHES);
        }
    }

    private static FetchRequestData request(String topic, long offset, int maxBytes, int partitionMaxBytes,
            int maxWaitMs, int minBytes) {
        FetchRequestData request = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(maxWaitMs)
                .setMinBytes(minBytes).setMaxBytes(maxBytes).setIsolationLevel((byte) 0).setSessionId(0)
                .setSessionEpoch(-1);
        FetchRequestData.FetchTopic fetchTopic = new FetchRequestData.FetchTopic().setTopic(topic);
        fetchTopic.partitions().add(new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(offset)
                .setPartitionMaxBytes(partitionMaxBytes).setCurrentLeaderEpoch(-1).setLogStartOffset(-1));
        request.topics().add(fetchTopic);
        return request;
    }

    private static MemoryRecords fetch(long offset, int maxBytes, int partitionMaxBytes, int maxWaitMs, int minBytes)
            throws Exception {
        try (RawClient raw = new RawClient(samsa.bootstrap())) {
            FetchResponseData.PartitionData data = partition(raw, request("fetched", offset, maxBytes,
                    partitionMaxBytes, maxWaitMs, minBytes));
            assertThat(Errors.forCode(data.errorCode())).isEqualTo(Errors.NONE);
            assertThat(data.highWatermark()).isEqualTo(BATCHES);
            return (MemoryRecords) data.records();
        }
    }

    /** Fetch v12 names topics; v13+ would need the topic id, which {@link #errorsAreKafkas} covers. */
    private static FetchResponseData.PartitionData partition(RawClient raw, FetchRequestData request)
            throws Exception {
        boolean byId = request.topics().get(0).topicId() != null
                && !Uuid.ZERO_UUID.equals(request.topics().get(0).topicId());
        short version = byId ? (short) 17 : (short) 12;
        FetchResponse response = (FetchResponse) raw.call(ApiKeys.FETCH, version, request);
        return response.data().responses().get(0).partitions().get(0);
    }

    private static List<Long> offsets(MemoryRecords records) {
        List<Long> offsets = new ArrayList<>();
        for (RecordBatch batch : records.batches()) {
            offsets.add(batch.baseOffset());
        }
        return offsets;
    }

    private static byte[] toBytes(java.nio.ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
