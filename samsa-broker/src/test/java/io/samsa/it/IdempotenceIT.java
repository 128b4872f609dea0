package io.samsa.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.jupiter.api.Test;

/** Idempotent producers: retries never duplicate, sequences and epochs are checked, and state survives a restart. */
class IdempotenceIT {

    @Test
    void aRetryAfterALostResponseIsNotWrittenTwice() throws Exception {
        try (DroppingProxy proxy = new DroppingProxy();
                BrokerFixture samsa = BrokerFixture.start(Map.of("advertised.listeners",
                        "PLAINTEXT://127.0.0.1:" + proxy.port()))) {
            proxy.setUpstream(samsa.broker().address());
            samsa.createTopic("once", 1, Map.of());
            KafkaProducer<String, String> producer = samsa.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.LINGER_MS_CONFIG, 0));
            assertThat(producer.send(new ProducerRecord<>("once", 0, "k", "first")).get().offset()).isZero();

            proxy.dropNextProduceResponse();
            long retried = producer.send(new ProducerRecord<>("once", 0, "k", "second")).get().offset();
            assertThat(proxy.droppedResponses()).isEqualTo(1);
            assertThat(retried).isEqualTo(1);
            assertThat(producer.send(new ProducerRecord<>("once", 0, "k", "third")).get().offset()).isEqualTo(2);

            List<ConsumerRecord<String, String>> records = samsa.readAll("once", 0, 3);
            assertThat(records).extracting(ConsumerRecord::value).containsExactly("first", "second", "third");
            // Nothing beyond: the retried batch was answered with its original offset, not appended again.
            try (Admin admin = samsa.admin()) {
                TopicPartition tp = new TopicPartition("once", 0);
                assertThat(admin.listOffsets(Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.latest())).all()
                        .get().get(tp).offset()).isEqualTo(3);
                List<ProducerState> producers = admin.describeProducers(List.of(tp)).partitionResult(tp).get()
                        .activeProducers();
                assertThat(producers).hasSize(1);
                assertThat(producers.get(0).lastSequence()).isEqualTo(2);
                assertThat(producers.get(0).producerEpoch()).isZero();
            }
        }
    }

    @Test
    void outOfOrderSequencesAndStaleEpochsAreRefusedAndDedupSurvivesRestart() throws Exception {
        try (BrokerFixture samsa = BrokerFixture.start()) {
            samsa.createTopic("seq", 1, Map.of());
            long producerId;
            try (RawClient raw = new RawClient(samsa.bootstrap())) {
                InitProducerIdResponse init = (InitProducerIdResponse) raw.call(ApiKeys.INIT_PRODUCER_ID, (short) 5,
                        new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(60000)
                                .setProducerId(-1).setProducerEpoch((short) -1));
                assertThat(init.error()).isEqualTo(Errors.NONE);
                producerId = init.data().producerId();
                assertThat(init.data().producerEpoch()).isZero();

                assertThat(produce(raw, producerId, (short) 0, 0, 2)).isEqualTo(result(Errors.NONE, 0));
                assertThat(produce(raw, producerId, (short) 0, 2, 1)).isEqualTo(result(Errors.NONE, 2));
                // A gap in the sequence.
                assertThat(produce(raw, producerId, (short) 0, 5, 1).error())
                        .isEqualTo(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);
                // A duplicate of the second batch: its original offset, nothing written.
                assertThat(produce(raw, producerId, (short) 0, 2, 1)).isEqualTo(result(Errors.NONE, 2));
            }
            samsa.restart();
            try (RawClient raw = new RawClient(samsa.bootstrap())) {
                // Still a duplicate after a restart: the producer state was snapshotted beside the segments.
                assertThat(produce(raw, producerId, (short) 0, 2, 1)).isEqualTo(result(Errors.NONE, 2));
                assertThat(produce(raw, producerId, (short) 0, 3, 1)).isEqualTo(result(Errors.NONE, 3));
                // A new epoch starts at sequence 0; after it, the old epoch is fenced.
                assertThat(produce(raw, producerId, (short) 1, 0, 1)).isEqualTo(result(Errors.NONE, 4));
                assertThat(produce(raw, producerId, (short) 0, 4, 1).error())
                        .isEqualTo(Errors.INVALID_PRODUCER_EPOCH);
            }
            List<ConsumerRecord<String, String>> records = samsa.readAll("seq", 0, 5);
            assertThat(records).extracting(ConsumerRecord::value)
                    .containsExactly("v0", "v1", "v2", "v3", "v0");
        }
    }

    private record Result(Errors error, long baseOffset) {}

    private static Result result(Errors error, long baseOffset) {
        return new Result(error, baseOffset);
    }

    private static Result produce(RawClient raw, long producerId, short epoch, int firstSequence, int count)
            throws Exception {
        SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            records[i] = new SimpleRecord(("v" + (firstSequence + i)).getBytes());
        }
        MemoryRecords batch = MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, epoch, firstSequence,
                records);
        ProduceRequestData request = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(5000);
        ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData().setName("seq");
        topic.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(batch));
        request.topicData().add(topic);
        ProduceResponse response = (ProduceResponse) raw.call(ApiKeys.PRODUCE, (short) 12, request);
        ProduceResponseData.PartitionProduceResponse p = response.data().responses().iterator().next()
                .partitionResponses().get(0);
        Errors error = Errors.forCode(p.errorCode());
        return new Result(error, error == Errors.NONE ? p.baseOffset() : -1);
    }
}
