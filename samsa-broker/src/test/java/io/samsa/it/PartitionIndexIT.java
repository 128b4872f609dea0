package io.samsa.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.requests.DeleteRecordsResponse;
import org.apache.kafka.common.requests.DescribeProducersResponse;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochResponse;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.WriteTxnMarkersResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Partition lists with indexes a topic does not have (negative ones included): each partition gets Kafka's own error,
 * the valid ones are served, nothing is written twice, nothing is logged at ERROR, and a restart keeps exactly what
 * was acknowledged. The expected codes are what Kafka 4.1.1 answers to the same requests.
 */
class PartitionIndexIT {

    private static final int[] INDEXES = {0, -1, 5, Integer.MIN_VALUE};

    private static BrokerFixture samsa;
    private static BrokerErrorLog errorLog;

    @BeforeAll
    static void start() {
        errorLog = BrokerErrorLog.watch();
        samsa = BrokerFixture.start();
        samsa.createTopic("idx", 2, Map.of());
    }

    @AfterAll
    static void stop() {
        samsa.close();
        errorLog.close();
        assertThat(errorLog.errors()).as("broker ERROR lines").isEmpty();
    }

    @Test
    void produceAnswersEachPartitionAndWritesTheValidOnesOnceSurvivingARestart() throws Exception {
        String topic = "produced";
        samsa.createTopic(topic, 2, Map.of());
        try (RawClient raw = new RawClient(samsa.bootstrap())) {
            for (int round = 0; round < 2; round++) {
                ProduceResponseData response = ((ProduceResponse) raw.call(ApiKeys.PRODUCE, (short) 9,
                        produce(topic, (short) 1, "v" + round, INDEXES))).data();
                List<ProduceResponseData.PartitionProduceResponse> results =
                        List.copyOf(response.responses().iterator().next().partitionResponses());
                assertThat(results).extracting(ProduceResponseData.PartitionProduceResponse::index)
                        .containsExactly(0, -1, 5, Integer.MIN_VALUE);
                assertThat(results).extracting(r -> Errors.forCode(r.errorCode())).containsExactly(Errors.NONE,
                        Errors.UNKNOWN_TOPIC_OR_PARTITION, Errors.UNKNOWN_TOPIC_OR_PARTITION,
                        Errors.UNKNOWN_TOPIC_OR_PARTITION);
                assertThat(results.get(0).baseOffset()).isEqualTo(round);
            }
        }
        samsa.restart();
        List<ConsumerRecord<String, String>> kept = samsa.readAll(topic, 0, 2);
        assertThat(kept).extracting(ConsumerRecord::value).containsExactly("v0", "v1");
        assertThat(samsa.readAll(topic, 1, 0)).isEmpty();
    }

    @Test
    void everyOtherApiWithAPartitionListAnswersEachPartition() throws Exception {
        try (RawClient raw = new RawClient(samsa.bootstrap())) {
            raw.call(ApiKeys.PRODUCE, (short) 9, produce("idx", (short) 1, "x", 0));

            FetchRequestData fetch = new FetchRequestData().setMaxWaitMs(0).setMinBytes(0).setMaxBytes(1 << 20)
                    .setReplicaId(-1);
            FetchRequestData.FetchTopic fetchTopic = new FetchRequestData.FetchTopic().setTopic("idx");
            for (int i : INDEXES) {
                fetchTopic.partitions().add(new FetchRequestData.FetchPartition().setPartition(i)
                        .setPartitionMaxBytes(1 << 20).setLogStartOffset(-1));
            }
            fetch.topics().add(fetchTopic);
            assertThat(((FetchResponse) raw.call(ApiKeys.FETCH, (short) 12, fetch)).data().responses().get(0)
                    .partitions()).extracting(p -> Errors.forCode(p.errorCode())).containsExactly(Errors.NONE,
                            Errors.UNKNOWN_TOPIC_OR_PARTITION, Errors.UNKNOWN_TOPIC_OR_PARTITION,
                            Errors.UNKNOWN_TOPIC_OR_PARTITION);

            ListOffsetsRequestData list = new ListOffsetsRequestData().setReplicaId(-1);
            ListOffsetsRequestData.ListOffsetsTopic listTopic = new ListOffsetsRequestData.ListOffsetsTopic()
                    .setName("idx");
            for (int i : INDEXES) {
                listTopic.partitions().add(new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(i)
                        .setTimestamp(-1));
            }
            list.topics().add(listTopic);
            assertThat(((ListOffsetsResponse) raw.call(ApiKeys.LIST_OFFSETS, (short) 7, list)).data().topics().get(0)
                    .partitions()).extracting(p -> Errors.forCode(p.errorCode())).containsExactly(Errors.NONE,
                            Errors.UNKNOWN_TOPIC_OR_PARTITION, Errors.UNKNOWN_TOPIC_OR_PARTITION,
                            Errors.UNKNOWN_TOPIC_OR_PARTITION);

            OffsetForLeaderEpochRequestData epochs = new OffsetForLeaderEpochRequestData().setReplicaId(-1);
            OffsetForLeaderEpochRequestData.OffsetForLeaderTopic epochTopic =
                    new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic().setTopic("idx");
            for (int i : INDEXES) {
                epochTopic.partitions().add(new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition()
                        .setPartition(i).setLeaderEpoch(0).setCurrentLeaderEpoch(-1));
            }
            epochs.topics().add(epochTopic);
            assertThat(((OffsetsForLeaderEpochResponse) raw.call(ApiKeys.OFFSET_FOR_LEADER_EPOCH, (short) 4, epochs))
                    .data().topics().iterator().next().partitions()).extracting(p -> Errors.forCode(p.errorCode()))
                    .containsExactly(Errors.NONE, Errors.UNKNOWN_TOPIC_OR_PARTITION,
                            Errors.UNKNOWN_TOPIC_OR_PARTITION, Errors.UNKNOWN_TOPIC_OR_PARTITION);

            DescribeProducersRequestData producers = new DescribeProducersRequestData();
            producers.topics().add(new DescribeProducersRequestData.TopicRequest().setName("idx")
                    .setPartitionIndexes(indexes()));
            assertThat(((DescribeProducersResponse) raw.call(ApiKeys.DESCRIBE_PRODUCERS, (short) 0, producers))
                    .data().topics().get(0).partitions()).extracting(p -> Errors.forCode(p.errorCode()))
                    .containsExactly(Errors.NONE, Errors.UNKNOWN_TOPIC_OR_PARTITION,
                            Errors.UNKNOWN_TOPIC_OR_PARTITION, Errors.UNKNOWN_TOPIC_OR_PARTITION);

            WriteTxnMarkersRequestData markers = new WriteTxnMarkersRequestData();
            WriteTxnMarkersRequestData.WritableTxnMarker marker = new WriteTxnMarkersRequestData.WritableTxnMarker()
                    .setProducerId(1234).setProducerEpoch((short) 0).setTransactionResult(false);
            marker.topics().add(new WriteTxnMarkersRequestData.WritableTxnMarkerTopic().setName("idx")
                    .setPartitionIndexes(indexes()));
            markers.markers().add(marker);
            assertThat(((WriteTxnMarkersResponse) raw.call(ApiKeys.WRITE_TXN_MARKERS, (short) 1, markers)).data()
                    .markers().get(0).topics().get(0).partitions()).extracting(p -> Errors.forCode(p.errorCode()))
                    .containsExactly(Errors.NONE, Errors.UNKNOWN_TOPIC_OR_PARTITION,
                            Errors.UNKNOWN_TOPIC_OR_PARTITION, Errors.UNKNOWN_TOPIC_OR_PARTITION);

            DeleteRecordsRequestData delete = new DeleteRecordsRequestData().setTimeoutMs(5000);
            DeleteRecordsRequestData.DeleteRecordsTopic deleteTopic = new DeleteRecordsRequestData.DeleteRecordsTopic()
                    .setName("idx");
            for (int i : INDEXES) {
                deleteTopic.partitions().add(new DeleteRecordsRequestData.DeleteRecordsPartition()
                        .setPartitionIndex(i).setOffset(0));
            }
            delete.topics().add(deleteTopic);
            assertThat(((DeleteRecordsResponse) raw.call(ApiKeys.DELETE_RECORDS, (short) 2, delete)).data().topics()
                    .iterator().next().partitions()).extracting(p -> Errors.forCode(p.errorCode()))
                    .containsExactly(Errors.NONE, Errors.UNKNOWN_TOPIC_OR_PARTITION,
                            Errors.UNKNOWN_TOPIC_OR_PARTITION, Errors.UNKNOWN_TOPIC_OR_PARTITION);
        }
    }

    @Test
    void aFailedAcksZeroProduceClosesTheConnectionAfterAnsweringWhatCameBefore() throws Exception {
        try (RawClient raw = new RawClient(samsa.bootstrap())) {
            raw.sendBytes(RawClient.frame(ApiKeys.PRODUCE, (short) 9, 97, produce("idx", (short) 0, "fine", 0)));
            int metadata = raw.send(ApiKeys.METADATA, (short) 12, new MetadataRequestData());
            raw.sendBytes(RawClient.frame(ApiKeys.PRODUCE, (short) 9, 99, produce("idx", (short) 0, "lost", 7)));
            raw.receive(ApiKeys.METADATA, (short) 12, metadata);
            assertThat(raw.isClosedByBroker()).isTrue();
        } catch (java.io.IOException e) {
            throw new AssertionError("the successful acks=0 produce must not have closed the connection", e);
        }
        try (RawClient raw = new RawClient(samsa.bootstrap())) {
            raw.sendBytes(RawClient.frame(ApiKeys.PRODUCE, (short) 9, 98, produce("idx", (short) 0, "fine", 1)));
            raw.call(ApiKeys.API_VERSIONS, (short) 3, new ApiVersionsRequestData().setClientSoftwareName("raw")
                    .setClientSoftwareVersion("1"));
        }
    }

    private static List<Integer> indexes() {
        List<Integer> list = new ArrayList<>();
        for (int i : INDEXES) {
            list.add(i);
        }
        return list;
    }

    private static ProduceRequestData produce(String topic, short acks, String value, int... indexes) {
        ProduceRequestData request = new ProduceRequestData().setAcks(acks).setTimeoutMs(5000);
        ProduceRequestData.TopicProduceData data = new ProduceRequestData.TopicProduceData().setName(topic);
        for (int index : indexes) {
            ByteBuffer records = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(value.getBytes()))
                    .buffer();
            data.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(index)
                    .setRecords(MemoryRecords.readableRecords(records)));
        }
        request.topicData().add(data);
        return request;
    }
}
