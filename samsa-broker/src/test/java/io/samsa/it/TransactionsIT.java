package io.samsa.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.AbortTransactionSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Transactions with the real kafka-clients producer, consumer and admin: what read_committed and read_uncommitted
 * consumers see, fencing of a zombie producer, the abort of a transaction past its timeout, the last stable offset
 * in ListOffsets, transactional offset commits, and DescribeTransactions / ListTransactions / DescribeProducers.
 */
@Timeout(120)
class TransactionsIT {

    private static final Map<String, String> BROKER = Map.of("transaction.state.log.num.partitions", "3",
            "offsets.topic.num.partitions", "3", "group.initial.rebalance.delay.ms", "0");

    private static KafkaProducer<String, String> transactional(BrokerFixture samsa, String transactionalId,
            Map<String, Object> overrides) {
        Map<String, Object> props = new java.util.HashMap<>(Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                transactionalId, ProducerConfig.LINGER_MS_CONFIG, 0));
        props.putAll(overrides);
        KafkaProducer<String, String> producer = samsa.producer(props);
        producer.initTransactions();
        return producer;
    }

    /** Every record of partition 0 up to the end offset for the isolation level, read from the start. */
    private static List<ConsumerRecord<String, String>> readAll(BrokerFixture samsa, String topic,
            IsolationLevel isolation) {
        try (KafkaConsumer<String, String> consumer = samsa.consumer(Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                isolation.toString()))) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (consumer.position(tp) < end) {
                assertThat(System.nanoTime()).as("read %s up to %d in time", topic, end).isLessThan(deadline);
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            }
            return records;
        }
    }

    private static List<String> offsetsAndValues(List<ConsumerRecord<String, String>> records) {
        return records.stream().map(r -> r.offset() + ":" + r.value()).toList();
    }

    private static long latest(Admin admin, String topic, IsolationLevel isolation) throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        return admin.listOffsets(Map.of(tp, OffsetSpec.latest()), new ListOffsetsOptions(isolation)).all().get()
                .get(tp).offset();
    }

    @Test
    void readCommittedSeesCommittedTransactionsOnlyWhileReadUncommittedSeesEverything() throws Exception {
        try (BrokerFixture samsa = BrokerFixture.start(BROKER)) {
            samsa.createTopic("orders", 1, Map.of());
            KafkaProducer<String, String> producer = transactional(samsa, "orders-tx", Map.of());
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("orders", "k", "a1"));
            producer.send(new ProducerRecord<>("orders", "k", "a2"));
            producer.commitTransaction(); // a1 0, a2 1, commit marker 2
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("orders", "k", "b1"));
            producer.send(new ProducerRecord<>("orders", "k", "b2"));
            producer.flush();
            producer.abortTransaction(); // b1 3, b2 4, abort marker 5
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("orders", "k", "c1"));
            producer.commitTransaction(); // c1 6, commit marker 7

            assertThat(offsetsAndValues(readAll(samsa, "orders", IsolationLevel.READ_COMMITTED)))
                    .containsExactly("0:a1", "1:a2", "6:c1");
            assertThat(offsetsAndValues(readAll(samsa, "orders", IsolationLevel.READ_UNCOMMITTED)))
                    .containsExactly("0:a1", "1:a2", "3:b1", "4:b2", "6:c1");
            try (Admin admin = samsa.admin()) {
                assertThat(latest(admin, "orders", IsolationLevel.READ_COMMITTED)).isEqualTo(8);
                assertThat(latest(admin, "orders", IsolationLevel.READ_UNCOMMITTED)).isEqualTo(8);
            }
        }
    }

    @Test
    void anOpenTransactionHoldsTheLastStableOffsetForReadCommittedReaders() throws Exception {
        try (BrokerFixture samsa = BrokerFixture.start(BROKER)) {
            samsa.createTopic("lso", 1, Map.of());
            KafkaProducer<String, String> plain = samsa.producer(Map.of());
            plain.send(new ProducerRecord<>("lso", "p0")).get(); // 0
            KafkaProducer<String, String> producer = transactional(samsa, "lso-tx", Map.of());
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("lso", "t1")).get(); // 1
            plain.send(new ProducerRecord<>("lso", "p2")).get(); // 2
            producer.send(new ProducerRecord<>("lso", "t3")).get(); // 3
            try (Admin admin = samsa.admin()) {
                assertThat(latest(admin, "lso", IsolationLevel.READ_COMMITTED)).isEqualTo(1);
                assertThat(latest(admin, "lso", IsolationLevel.READ_UNCOMMITTED)).isEqualTo(4);
                assertThat(offsetsAndValues(readAll(samsa, "lso", IsolationLevel.READ_COMMITTED)))
                        .containsExactly("0:p0");
                ProducerState state = admin.describeProducers(List.of(new TopicPartition("lso", 0))).all().get()
                        .get(new TopicPartition("lso", 0)).activeProducers().stream()
                        .filter(p -> p.currentTransactionStartOffset().isPresent()).findFirst().orElseThrow();
                assertThat(state.currentTransactionStartOffset()).hasValue(1);

                producer.commitTransaction(); // marker 4
                assertThat(latest(admin, "lso", IsolationLevel.READ_COMMITTED)).isEqualTo(5);
                assertThat(offsetsAndValues(readAll(samsa, "lso", IsolationLevel.READ_COMMITTED)))
                        .containsExactly("0:p0", "1:t1", "2:p2", "3:t3");
            }
        }
    }

    @Test
    void anAdminAbortEndsAHangingTransaction() throws Exception {
        try (BrokerFixture samsa = BrokerFixture.start(BROKER)) {
            samsa.createTopic("hanging", 1, Map.of());
            TopicPartition tp = new TopicPartition("hanging", 0);
            KafkaProducer<String, String> producer = transactional(samsa, "hanging-tx", Map.of());
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("hanging", "h0")).get(); // 0, never committed by the producer
            try (Admin admin = samsa.admin()) {
                assertThat(latest(admin, "hanging", IsolationLevel.READ_COMMITTED)).isZero();
                ProducerState state = admin.describeProducers(List.of(tp)).all().get().get(tp).activeProducers()
                        .get(0);
                // What kafka-transactions --abort does: WriteTxnMarkers to the partition's leader.
                admin.abortTransaction(new AbortTransactionSpec(tp, state.producerId(),
                        (short) state.producerEpoch(), state.coordinatorEpoch().orElse(-1))).all().get();
                assertThat(latest(admin, "hanging", IsolationLevel.READ_COMMITTED)).isEqualTo(2); // marker at 1
                assertThat(offsetsAndValues(readAll(samsa, "hanging", IsolationLevel.READ_COMMITTED))).isEmpty();
                assertThat(offsetsAndValues(readAll(samsa, "hanging", IsolationLevel.READ_UNCOMMITTED)))
                        .containsExactly("0:h0");
            }
        }
    }

    @Test
    void aReadCommittedLongPollWakesWhenTheCommitMarkerMovesTheLastStableOffset() throws Exception {
        try (BrokerFixture samsa = BrokerFixture.start(BROKER); RawClient raw = new RawClient(samsa.bootstrap())) {
            samsa.createTopic("polled", 1, Map.of());
            KafkaProducer<String, String> producer = transactional(samsa, "polled-tx", Map.of());
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("polled", "t0")).get(); // 0, open: the LSO stays at 0
            FetchRequestData fetch = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(60_000).setMinBytes(1)
                    .setMaxBytes(1 << 20).setIsolationLevel((byte) 1).setSessionId(0).setSessionEpoch(-1);
            fetch.topics().add(new FetchRequestData.FetchTopic().setTopic("polled").setPartitions(List.of(
                    new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0)
                            .setPartitionMaxBytes(1 << 20).setCurrentLeaderEpoch(-1).setLogStartOffset(-1))));
            // The fetch waits (up to 60 s, longer than the raw client's 10 s read timeout) until the commit.
            Thread committer = new Thread(() -> {
                try {
                    Thread.sleep(300);
                    producer.commitTransaction();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            committer.start();
            FetchResponseData.PartitionData partition = ((FetchResponse) raw.call(ApiKeys.FETCH, (short) 12, fetch))
                    .data().responses().get(0).partitions().get(0);
            committer.join(10_000);
            assertThat(partition.lastStableOffset()).isEqualTo(2);
            assertThat(partition.highWatermark()).isEqualTo(2);
            assertThat(partition.abortedTransactions()).isEmpty();
            List<String> values = new ArrayList<>();
            for (Record r : ((MemoryRecords) partition.records()).records()) {
                values.add(r.hasValue() ? r.offset() + ":" + StandardCharsets.UTF_8.decode(r.value()) : "");
            }
            // The commit marker (offset 1) comes along: the consumer skips control batches itself.
            assertThat(values.getFirst()).isEqualTo("0:t0");
        }
    }

    @Test
    void transactionStateAndOpenTransactionsSurviveARestart() throws Exception {
        try (BrokerFixture samsa = BrokerFixture.start(BROKER)) {
            samsa.createTopic("durable", 1, Map.of());
            KafkaProducer<String, String> before = transactional(samsa, "durable-tx", Map.of());
            before.beginTransaction();
            before.send(new ProducerRecord<>("durable", "committed")).get();
            before.commitTransaction(); // 0, marker 1
            before.beginTransaction();
            before.send(new ProducerRecord<>("durable", "left-open")).get(); // 2
            // A forced close, like a crash: a graceful close would abort the open transaction.
            before.close(Duration.ZERO);
            samsa.restart();

            try (Admin admin = samsa.admin()) {
                TransactionDescription description = admin.describeTransactions(List.of("durable-tx"))
                        .description("durable-tx").get();
                assertThat(description.state()).isEqualTo(TransactionState.ONGOING);
                assertThat(description.producerEpoch()).isEqualTo(0);
                assertThat(latest(admin, "durable", IsolationLevel.READ_COMMITTED)).isEqualTo(2);

                // The producer's next instance aborts what the previous one left open.
                KafkaProducer<String, String> after = transactional(samsa, "durable-tx", Map.of());
                assertThat(latest(admin, "durable", IsolationLevel.READ_COMMITTED)).isEqualTo(4);
                after.beginTransaction();
                after.send(new ProducerRecord<>("durable", "after-restart"));
                after.commitTransaction(); // 4, marker 5
                assertThat(offsetsAndValues(readAll(samsa, "durable", IsolationLevel.READ_COMMITTED)))
                        .containsExactly("0:committed", "4:after-restart");
                assertThat(admin.describeTransactions(List.of("durable-tx")).description("durable-tx").get()
                        .producerEpoch()).isEqualTo(2);
            }
        }
    }

    @Test
    void anIdleTransactionalIdExpires() throws Exception {
        Map<String, String> settings = new java.util.HashMap<>(BROKER);
        settings.put("transactional.id.expiration.ms", "500");
        settings.put("transaction.remove.expired.transaction.cleanup.interval.ms", "100");
        try (BrokerFixture samsa = BrokerFixture.start(settings)) {
            samsa.createTopic("expiring", 1, Map.of());
            KafkaProducer<String, String> producer = transactional(samsa, "expiring-tx", Map.of());
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("expiring", "x"));
            producer.commitTransaction();
            producer.close();
            try (Admin admin = samsa.admin()) {
                await().atMost(Duration.ofSeconds(30)).until(() -> admin.listTransactions().all().get().isEmpty());
                assertThatThrownBy(() -> admin.describeTransactions(List.of("expiring-tx"))
                        .description("expiring-tx").get()).hasCauseInstanceOf(
                                org.apache.kafka.common.errors.TransactionalIdNotFoundException.class);
            }
            // Forgotten for good: after a restart too, and the id can be used again from epoch 0.
            samsa.restart();
            try (Admin admin = samsa.admin()) {
                assertThat(admin.listTransactions().all().get()).isEmpty();
            }
            transactional(samsa, "expiring-tx", Map.of());
            try (Admin admin = samsa.admin()) {
                assertThat(admin.describeTransactions(List.of("expiring-tx")).description("expiring-tx").get()
                        .producerEpoch()).isEqualTo(0);
            }
        }
    }

    @Test
    void aSecondProducerWithTheSameTransactionalIdFencesTheFirstAndAbortsItsTransaction() throws Exception {
        try (BrokerFixture samsa = BrokerFixture.start(BROKER)) {
            samsa.createTopic("fenced", 1, Map.of());
            KafkaProducer<String, String> zombie = transactional(samsa, "fence-tx", Map.of());
            zombie.beginTransaction();
            zombie.send(new ProducerRecord<>("fenced", "zombie-1")).get(); // 0

            KafkaProducer<String, String> successor = transactional(samsa, "fence-tx", Map.of());
            // The zombie's transaction was aborted by the successor's InitProducerId (marker at 1).
            Throwable thrown = catchThrowable(() -> {
                zombie.send(new ProducerRecord<>("fenced", "zombie-2")).get();
                zombie.commitTransaction();
            });
            Throwable cause = thrown instanceof ExecutionException ? thrown.getCause() : thrown;
            assertThat(cause).isInstanceOfAny(ProducerFencedException.class, InvalidProducerEpochException.class);
            successor.beginTransaction();
            successor.send(new ProducerRecord<>("fenced", "successor-1"));
            successor.commitTransaction();

            assertThat(readAll(samsa, "fenced", IsolationLevel.READ_COMMITTED)).extracting(ConsumerRecord::value)
                    .containsExactly("successor-1");
            assertThat(readAll(samsa, "fenced", IsolationLevel.READ_UNCOMMITTED)).extracting(ConsumerRecord::value)
                    .containsExactly("zombie-1", "successor-1");
            try (Admin admin = samsa.admin()) {
                TransactionDescription description = admin.describeTransactions(List.of("fence-tx"))
                        .description("fence-tx").get();
                assertThat(description.state()).isEqualTo(TransactionState.COMPLETE_COMMIT);
                // Epoch 0 for the zombie, 1 for the fencing abort, 2 for the successor.
                assertThat(description.producerEpoch()).isEqualTo(2);
            }
        }
    }

    @Test
    void aTransactionOpenPastItsTimeoutIsAbortedAndTheLastStableOffsetMovesOn() throws Exception {
        Map<String, String> settings = new java.util.HashMap<>(BROKER);
        settings.put("transaction.abort.timed.out.transaction.cleanup.interval.ms", "100");
        try (BrokerFixture samsa = BrokerFixture.start(settings)) {
            samsa.createTopic("slow", 1, Map.of());
            KafkaProducer<String, String> producer = transactional(samsa, "slow-tx",
                    Map.of(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 1000));
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("slow", "never-1")).get(); // 0
            producer.send(new ProducerRecord<>("slow", "never-2")).get(); // 1
            try (Admin admin = samsa.admin()) {
                assertThat(latest(admin, "slow", IsolationLevel.READ_COMMITTED)).isEqualTo(0);
                await().atMost(Duration.ofSeconds(30)).until(() -> admin.describeTransactions(List.of("slow-tx"))
                        .description("slow-tx").get().state() == TransactionState.COMPLETE_ABORT);
                // The abort marker is at 2; nothing of the transaction is readable.
                assertThat(latest(admin, "slow", IsolationLevel.READ_COMMITTED)).isEqualTo(3);
                assertThat(readAll(samsa, "slow", IsolationLevel.READ_COMMITTED)).isEmpty();
                assertThat(admin.describeTransactions(List.of("slow-tx")).description("slow-tx").get()
                        .producerEpoch()).isEqualTo(1);
            }
            assertThatThrownBy(producer::commitTransaction).isInstanceOfAny(ProducerFencedException.class,
                    InvalidProducerEpochException.class);
        }
    }

    @Test
    void sendOffsetsToTransactionCommitsOffsetsWithTheTransactionAndNotWithAnAbort() throws Exception {
        try (BrokerFixture samsa = BrokerFixture.start(BROKER)) {
            samsa.createTopic("in", 1, Map.of());
            samsa.createTopic("out", 1, Map.of());
            KafkaProducer<String, String> producer = transactional(samsa, "ctp-tx", Map.of());
            TopicPartition in = new TopicPartition("in", 0);
            try (Admin admin = samsa.admin()) {
                producer.beginTransaction();
                producer.send(new ProducerRecord<>("out", "o1"));
                producer.sendOffsetsToTransaction(Map.of(in, new OffsetAndMetadata(5)),
                        new org.apache.kafka.clients.consumer.ConsumerGroupMetadata("ctp-group"));
                // Pending: not committed yet.
                assertThat(admin.listConsumerGroupOffsets("ctp-group").partitionsToOffsetAndMetadata().get())
                        .doesNotContainKey(in);
                producer.abortTransaction();
                assertThat(admin.listConsumerGroupOffsets("ctp-group").partitionsToOffsetAndMetadata().get())
                        .doesNotContainKey(in);

                producer.beginTransaction();
                producer.send(new ProducerRecord<>("out", "o2"));
                producer.sendOffsetsToTransaction(Map.of(in, new OffsetAndMetadata(7)),
                        new org.apache.kafka.clients.consumer.ConsumerGroupMetadata("ctp-group"));
                producer.commitTransaction();
                assertThat(admin.listConsumerGroupOffsets("ctp-group").partitionsToOffsetAndMetadata().get()
                        .get(in).offset()).isEqualTo(7);
            }
            // Committed offsets of transactions survive a restart, which replays the markers.
            samsa.restart();
            try (Admin admin = samsa.admin()) {
                assertThat(admin.listConsumerGroupOffsets("ctp-group").partitionsToOffsetAndMetadata().get()
                        .get(in).offset()).isEqualTo(7);
            }
        }
    }

    @Test
    void describeAndListTransactionsThroughTheAdmin() throws Exception {
        try (BrokerFixture samsa = BrokerFixture.start(BROKER)) {
            samsa.createTopic("listed", 2, Map.of());
            KafkaProducer<String, String> open = transactional(samsa, "open-tx", Map.of());
            open.beginTransaction();
            open.send(new ProducerRecord<>("listed", 0, null, "x")).get();
            open.send(new ProducerRecord<>("listed", 1, null, "y")).get();
            KafkaProducer<String, String> done = transactional(samsa, "done-tx", Map.of());
            done.beginTransaction();
            done.send(new ProducerRecord<>("listed", 0, null, "z"));
            done.commitTransaction();

            try (Admin admin = samsa.admin()) {
                TransactionDescription description = admin.describeTransactions(List.of("open-tx"))
                        .description("open-tx").get();
                assertThat(description.state()).isEqualTo(TransactionState.ONGOING);
                assertThat(description.producerEpoch()).isEqualTo(0);
                assertThat(description.transactionTimeoutMs()).isEqualTo(60_000);
                assertThat(description.topicPartitions()).containsExactlyInAnyOrder(
                        new TopicPartition("listed", 0), new TopicPartition("listed", 1));
                assertThat(description.transactionStartTimeMs()).isPresent();

                assertThat(admin.listTransactions().all().get()).extracting(TransactionListing::transactionalId,
                        TransactionListing::state).containsExactlyInAnyOrder(
                                org.assertj.core.groups.Tuple.tuple("open-tx", TransactionState.ONGOING),
                                org.assertj.core.groups.Tuple.tuple("done-tx", TransactionState.COMPLETE_COMMIT));
                assertThat(admin.listTransactions(new ListTransactionsOptions().filterStates(
                        Set.of(TransactionState.ONGOING))).all().get()).extracting(TransactionListing::transactionalId)
                        .containsExactly("open-tx");
                assertThat(admin.listTransactions(new ListTransactionsOptions().filterProducerIds(
                        Set.of(description.producerId()))).all().get()).extracting(TransactionListing::transactionalId)
                        .containsExactly("open-tx");
                assertThatThrownBy(() -> admin.describeTransactions(List.of("never-seen")).description("never-seen")
                        .get()).hasCauseInstanceOf(
                                org.apache.kafka.common.errors.TransactionalIdNotFoundException.class);
            }
        }
    }

    @Test
    void aTimeoutAboveTheBrokerMaximumIsRefused() {
        try (BrokerFixture samsa = BrokerFixture.start(Map.of("transaction.max.timeout.ms", "5000",
                "transaction.state.log.num.partitions", "3"))) {
            KafkaProducer<String, String> producer = samsa.producer(Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                    "too-long", ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 6000));
            // The client reports INVALID_TRANSACTION_TIMEOUT as an unexpected error, with that error's message.
            assertThatThrownBy(producer::initTransactions).isInstanceOf(KafkaException.class)
                    .hasMessageContaining(Errors.INVALID_TRANSACTION_TIMEOUT.message());
        }
    }
}
