package io.samsa.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransactionCollection;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.requests.AddOffsetsToTxnResponse;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;
import org.apache.kafka.common.requests.EndTxnResponse;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.OffsetFetchResponse;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.TxnOffsetCommitResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The transaction APIs at the wire level: each wrong request gets the Kafka error a client expects, at the version
 * it speaks, and changes nothing.
 */
@Timeout(120)
class TransactionErrorsIT {

    private static BrokerFixture samsa;

    @BeforeAll
    static void start() {
        samsa = BrokerFixture.start(Map.of("transaction.state.log.num.partitions", "2", "offsets.topic.num.partitions",
                "2", "group.initial.rebalance.delay.ms", "0", "transaction.max.timeout.ms", "60000"));
        samsa.createTopic("ledger", 2, Map.of());
    }

    @AfterAll
    static void stop() {
        samsa.close();
    }

    private static InitProducerIdResponseData init(RawClient raw, String transactionalId, int timeoutMs)
            throws Exception {
        return ((InitProducerIdResponse) raw.call(ApiKeys.INIT_PRODUCER_ID, (short) 5, new InitProducerIdRequestData()
                .setTransactionalId(transactionalId).setTransactionTimeoutMs(timeoutMs).setProducerId(-1)
                .setProducerEpoch((short) -1))).data();
    }

    private static Errors endTxn(RawClient raw, short version, String transactionalId, long producerId, short epoch,
            boolean commit) throws Exception {
        return Errors.forCode(((EndTxnResponse) raw.call(ApiKeys.END_TXN, version, new EndTxnRequestData()
                .setTransactionalId(transactionalId).setProducerId(producerId).setProducerEpoch(epoch)
                .setCommitted(commit))).data().errorCode());
    }

    private static AddPartitionsToTxnTopicCollection topics(String topic, Integer... partitions) {
        AddPartitionsToTxnTopicCollection topics = new AddPartitionsToTxnTopicCollection();
        topics.add(new AddPartitionsToTxnTopic().setName(topic).setPartitions(List.of(partitions)));
        return topics;
    }

    /** partition index → error of each partition of the response, topic by topic, as "topic-p:ERROR". */
    private static List<String> errors(AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResultCollection topics) {
        List<String> errors = new ArrayList<>();
        topics.forEach(t -> t.resultsByPartition().forEach(p -> errors.add(t.name() + "-" + p.partitionIndex() + ":"
                + Errors.forCode(p.partitionErrorCode()))));
        return errors;
    }

    private static List<String> addPartitions(RawClient raw, String transactionalId, InitProducerIdResponseData id,
            AddPartitionsToTxnTopicCollection topics) throws Exception {
        AddPartitionsToTxnResponse response = (AddPartitionsToTxnResponse) raw.call(ApiKeys.ADD_PARTITIONS_TO_TXN,
                (short) 3, new AddPartitionsToTxnRequestData().setV3AndBelowTransactionalId(transactionalId)
                        .setV3AndBelowProducerId(id.producerId()).setV3AndBelowProducerEpoch(id.producerEpoch())
                        .setV3AndBelowTopics(topics));
        return errors(response.data().resultsByTopicV3AndBelow());
    }

    @Test
    void initProducerIdRefusesABadTimeoutAndAnEmptyTransactionalId() throws Exception {
        try (RawClient raw = new RawClient(samsa.bootstrap())) {
            assertThat(Errors.forCode(init(raw, "slow", 60_001).errorCode()))
                    .isEqualTo(Errors.INVALID_TRANSACTION_TIMEOUT);
            assertThat(Errors.forCode(init(raw, "slow", 0).errorCode())).isEqualTo(Errors.INVALID_TRANSACTION_TIMEOUT);
            assertThat(Errors.forCode(init(raw, "", 1000).errorCode())).isEqualTo(Errors.INVALID_REQUEST);
            InitProducerIdResponseData first = init(raw, "slow", 60_000);
            assertThat(Errors.forCode(first.errorCode())).isEqualTo(Errors.NONE);
            assertThat(first.producerEpoch()).isEqualTo((short) 0);
            // A retry by the same (restarted) producer bumps the epoch, keeping the id.
            InitProducerIdResponseData second = init(raw, "slow", 60_000);
            assertThat(second.producerId()).isEqualTo(first.producerId());
            assertThat(second.producerEpoch()).isEqualTo((short) 1);
        }
    }

    @Test
    void endTxnWithAWrongEpochIsFencedAndAnUnknownIdIsRefused() throws Exception {
        try (RawClient raw = new RawClient(samsa.bootstrap())) {
            InitProducerIdResponseData id = init(raw, "ender", 10_000);
            assertThat(addPartitions(raw, "ender", id, topics("ledger", 0))).containsExactly("ledger-0:NONE");
            short wrong = (short) (id.producerEpoch() + 5);
            assertThat(endTxn(raw, (short) 3, "ender", id.producerId(), wrong, true)).isEqualTo(Errors.PRODUCER_FENCED);
            // Before v2 clients did not know PRODUCER_FENCED.
            assertThat(endTxn(raw, (short) 1, "ender", id.producerId(), wrong, true))
                    .isEqualTo(Errors.INVALID_PRODUCER_EPOCH);
            assertThat(endTxn(raw, (short) 3, "ender", id.producerId() + 1, id.producerEpoch(), true))
                    .isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING);
            assertThat(endTxn(raw, (short) 3, "nobody", id.producerId(), id.producerEpoch(), true))
                    .isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING);
            // The transaction is still open and can be committed, then a retry of the commit is fine, an abort not.
            assertThat(endTxn(raw, (short) 3, "ender", id.producerId(), id.producerEpoch(), true))
                    .isEqualTo(Errors.NONE);
            assertThat(endTxn(raw, (short) 3, "ender", id.producerId(), id.producerEpoch(), true))
                    .isEqualTo(Errors.NONE);
            assertThat(endTxn(raw, (short) 3, "ender", id.producerId(), id.producerEpoch(), false))
                    .isEqualTo(Errors.INVALID_TXN_STATE);
            // Nothing to end after InitProducerId.
            InitProducerIdResponseData fresh = init(raw, "idle", 10_000);
            assertThat(endTxn(raw, (short) 3, "idle", fresh.producerId(), fresh.producerEpoch(), true))
                    .isEqualTo(Errors.INVALID_TXN_STATE);
        }
    }

    @Test
    void addPartitionsForAnUnknownTopicAddsNothing() throws Exception {
        try (RawClient raw = new RawClient(samsa.bootstrap()); Admin admin = samsa.admin()) {
            InitProducerIdResponseData id = init(raw, "adder", 10_000);
            AddPartitionsToTxnTopicCollection topics = topics("ledger", 0, 7);
            topics.add(new AddPartitionsToTxnTopic().setName("no-such-topic").setPartitions(List.of(0)));
            assertThat(addPartitions(raw, "adder", id, topics)).containsExactly("ledger-0:OPERATION_NOT_ATTEMPTED",
                    "ledger-7:UNKNOWN_TOPIC_OR_PARTITION", "no-such-topic-0:UNKNOWN_TOPIC_OR_PARTITION");
            assertThat(admin.describeTransactions(List.of("adder")).description("adder").get().state())
                    .isEqualTo(org.apache.kafka.clients.admin.TransactionState.EMPTY);
            // A fenced epoch: PRODUCER_FENCED from v2 on.
            InitProducerIdResponseData stale = new InitProducerIdResponseData().setProducerId(id.producerId())
                    .setProducerEpoch((short) (id.producerEpoch() - 1));
            assertThat(addPartitions(raw, "adder", stale, topics("ledger", 0))).containsExactly(
                    "ledger-0:PRODUCER_FENCED");
        }
    }

    @Test
    void verifyOnlyReportsWhichPartitionsAreInTheTransaction() throws Exception {
        try (RawClient raw = new RawClient(samsa.bootstrap())) {
            InitProducerIdResponseData id = init(raw, "verified", 10_000);
            assertThat(addPartitions(raw, "verified", id, topics("ledger", 0))).containsExactly("ledger-0:NONE");
            for (short version : new short[] {4, 5}) {
                AddPartitionsToTxnTransactionCollection transactions = new AddPartitionsToTxnTransactionCollection();
                transactions.add(new AddPartitionsToTxnTransaction().setTransactionalId("verified")
                        .setProducerId(id.producerId()).setProducerEpoch(id.producerEpoch()).setVerifyOnly(true)
                        .setTopics(topics("ledger", 0, 1)));
                AddPartitionsToTxnResponse response = (AddPartitionsToTxnResponse) raw.call(
                        ApiKeys.ADD_PARTITIONS_TO_TXN, version, new AddPartitionsToTxnRequestData()
                                .setTransactions(transactions));
                assertThat(response.data().resultsByTransaction()).hasSize(1);
                // TRANSACTION_ABORTABLE exists from v5 on; v4 gets INVALID_TXN_STATE.
                assertThat(errors(response.data().resultsByTransaction().find("verified").topicResults()))
                        .containsExactly("ledger-0:NONE", "ledger-1:" + (version == 5 ? "TRANSACTION_ABORTABLE"
                                : "INVALID_TXN_STATE"));
            }
        }
    }

    @Test
    void aTransactionalWriteToAPartitionOutsideTheTransactionIsRefusedAndNotWritten() throws Exception {
        try (RawClient raw = new RawClient(samsa.bootstrap()); Admin admin = samsa.admin()) {
            InitProducerIdResponseData id = init(raw, "stray", 10_000);
            assertThat(addPartitions(raw, "stray", id, topics("ledger", 0))).containsExactly("ledger-0:NONE");
            TopicPartition outside = new TopicPartition("ledger", 1);
            long endBefore = admin.listOffsets(Map.of(outside, OffsetSpec.latest())).all().get().get(outside).offset();
            for (short version : new short[] {9, 11}) {
                MemoryRecords records = MemoryRecords.withTransactionalRecords(Compression.NONE, id.producerId(),
                        id.producerEpoch(), 0, new SimpleRecord("stray".getBytes()));
                ProduceRequestData request = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(5000)
                        .setTransactionalId("stray");
                ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData().setName("ledger");
                topic.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(1)
                        .setRecords(records));
                request.topicData().add(topic);
                ProduceResponseData.PartitionProduceResponse result = ((ProduceResponse) raw.call(ApiKeys.PRODUCE,
                        version, request)).data().responses().iterator().next().partitionResponses().get(0);
                assertThat(Errors.forCode(result.errorCode())).isEqualTo(version >= 11
                        ? Errors.TRANSACTION_ABORTABLE : Errors.INVALID_TXN_STATE);
            }
            assertThat(admin.listOffsets(Map.of(outside, OffsetSpec.latest())).all().get().get(outside).offset())
                    .isEqualTo(endBefore);
            // And the LSO of that partition is not held by a transaction nobody would end.
            assertThat(admin.listOffsets(Map.of(outside, OffsetSpec.latest()),
                    new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get().get(outside).offset())
                    .isEqualTo(endBefore);
        }
    }

    @Test
    void txnOffsetCommitChecksTheMemberAndTheTransaction() throws Exception {
        String group = "ctp";
        try (RawClient raw = new RawClient(samsa.bootstrap());
                KafkaConsumer<String, String> member = samsa.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, group))) {
            member.subscribe(List.of("ledger"));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (member.assignment().isEmpty()) {
                assertThat(System.nanoTime()).as("joined in time").isLessThan(deadline);
                member.poll(Duration.ofMillis(100));
            }
            int generation = member.groupMetadata().generationId();
            String memberId = member.groupMetadata().memberId();
            InitProducerIdResponseData id = init(raw, "ctp-tx", 10_000);

            // Before AddOffsetsToTxn the offsets partition is not in the transaction.
            assertThat(txnOffsetCommit(raw, (short) 4, id, group, memberId, generation)).isEqualTo(
                    Errors.TRANSACTION_ABORTABLE);
            assertThat(txnOffsetCommit(raw, (short) 3, id, group, memberId, generation)).isEqualTo(
                    Errors.INVALID_TXN_STATE);
            AddOffsetsToTxnResponse added = (AddOffsetsToTxnResponse) raw.call(ApiKeys.ADD_OFFSETS_TO_TXN, (short) 3,
                    new AddOffsetsToTxnRequestData().setTransactionalId("ctp-tx").setProducerId(id.producerId())
                            .setProducerEpoch(id.producerEpoch()).setGroupId(group));
            assertThat(Errors.forCode(added.data().errorCode())).isEqualTo(Errors.NONE);

            assertThat(txnOffsetCommit(raw, (short) 3, id, group, "someone-else", generation))
                    .isEqualTo(Errors.UNKNOWN_MEMBER_ID);
            assertThat(txnOffsetCommit(raw, (short) 3, id, group, memberId, generation + 1))
                    .isEqualTo(Errors.ILLEGAL_GENERATION);
            assertThat(txnOffsetCommit(raw, (short) 3, id, group, memberId, generation)).isEqualTo(Errors.NONE);

            // Pending until the transaction ends: a stable fetch is told to retry, a plain one sees no commit.
            assertThat(offsetFetch(raw, group, true)).isEqualTo("-1:UNSTABLE_OFFSET_COMMIT");
            assertThat(offsetFetch(raw, group, false)).isEqualTo("-1:NONE");
            assertThat(endTxn(raw, (short) 3, "ctp-tx", id.producerId(), id.producerEpoch(), true))
                    .isEqualTo(Errors.NONE);
            assertThat(offsetFetch(raw, group, true)).isEqualTo("42:NONE");
        }
    }

    private static Errors txnOffsetCommit(RawClient raw, short version, InitProducerIdResponseData id, String group,
            String memberId, int generation) throws Exception {
        TxnOffsetCommitRequestData request = new TxnOffsetCommitRequestData().setTransactionalId("ctp-tx")
                .setGroupId(group).setProducerId(id.producerId()).setProducerEpoch(id.producerEpoch())
                .setMemberId(memberId).setGenerationId(generation);
        request.topics().add(new TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic().setName("ledger")
                .setPartitions(List.of(new TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition()
                        .setPartitionIndex(0).setCommittedOffset(42).setCommittedMetadata(""))));
        TxnOffsetCommitResponseData response = ((TxnOffsetCommitResponse) raw.call(ApiKeys.TXN_OFFSET_COMMIT, version,
                request)).data();
        return Errors.forCode(response.topics().get(0).partitions().get(0).errorCode());
    }

    /** "offset:error" of partition ledger-0 for the group. */
    private static String offsetFetch(RawClient raw, String group, boolean requireStable) throws Exception {
        OffsetFetchRequestData request = new OffsetFetchRequestData().setGroupId(group).setRequireStable(requireStable)
                .setTopics(List.of(new OffsetFetchRequestData.OffsetFetchRequestTopic().setName("ledger")
                        .setPartitionIndexes(List.of(0))));
        var partition = ((OffsetFetchResponse) raw.call(ApiKeys.OFFSET_FETCH, (short) 7, request)).data().topics()
                .get(0).partitions().get(0);
        return partition.committedOffset() + ":" + Errors.forCode(partition.errorCode());
    }

    @Test
    void findCoordinatorServesTransactionalIdsAndRefusesOtherKeyTypes() throws Exception {
        try (RawClient raw = new RawClient(samsa.bootstrap())) {
            FindCoordinatorResponseData found = ((FindCoordinatorResponse) raw.call(ApiKeys.FIND_COORDINATOR,
                    (short) 4, new FindCoordinatorRequestData().setKeyType((byte) 1)
                            .setCoordinatorKeys(List.of("some-tx", "")))).data();
            assertThat(found.coordinators()).extracting(c -> c.key() + ":" + Errors.forCode(c.errorCode()))
                    .containsExactly("some-tx:NONE", ":INVALID_REQUEST");
            assertThat(found.coordinators().get(0).nodeId()).isEqualTo(1);
            FindCoordinatorResponseData share = ((FindCoordinatorResponse) raw.call(ApiKeys.FIND_COORDINATOR,
                    (short) 4, new FindCoordinatorRequestData().setKeyType((byte) 2)
                            .setCoordinatorKeys(List.of("g")))).data();
            assertThat(Errors.forCode(share.coordinators().get(0).errorCode())).isEqualTo(Errors.INVALID_REQUEST);
        }
    }
}
