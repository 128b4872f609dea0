package io.samsa.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.requests.FetchResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Incremental fetch sessions (KIP-227) at the wire level: a session's incremental answers, while partitions are added,
 * removed and changed and records arrive, carry exactly what a full fetch of the same partitions returns for every
 * partition that changed, and leave out the rest; session errors are Kafka's.
 */
class FetchSessionIT {

    private static final short VERSION = 17;
    private static final List<String> TOPICS = List.of("session-a", "session-b");
    private static BrokerFixture samsa;
    private static final Map<String, Uuid> IDS = new HashMap<>();
    private static KafkaProducer<String, String> producer;

    /** A partition, by topic name (the requests send its id). */
    private record P(String topic, int partition) {}

    /** What the client was last told about a partition. */
    private record Told(long highWatermark, long logStartOffset) {}

    @BeforeAll
    static void start() throws Exception {
        samsa = BrokerFixture.start();
        samsa.createTopic("session-a", 3, Map.of());
        samsa.createTopic("session-b", 2, Map.of());
        samsa.admin().describeTopics(TOPICS).allTopicNames().get()
                .forEach((name, description) -> IDS.put(name, description.topicId()));
        producer = samsa.producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, 0));
    }

    @AfterAll
    static void stop() {
        producer.close();
        samsa.close();
    }

    private static List<P> allPartitions() {
        return List.of(new P("session-a", 0), new P("session-a", 1), new P("session-a", 2), new P("session-b", 0),
                new P("session-b", 1));
    }

    private static FetchRequestData request(int sessionId, int epoch, Map<P, Long> named, List<P> forgotten) {
        FetchRequestData request = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(0).setMinBytes(0)
                .setMaxBytes(1 << 24).setIsolationLevel((byte) 0).setSessionId(sessionId).setSessionEpoch(epoch);
        Map<String, FetchRequestData.FetchTopic> topics = new LinkedHashMap<>();
        named.forEach((p, offset) -> topics.computeIfAbsent(p.topic(), t -> {
            FetchRequestData.FetchTopic topic = new FetchRequestData.FetchTopic().setTopicId(IDS.get(t));
            request.topics().add(topic);
            return topic;
        }).partitions().add(new FetchRequestData.FetchPartition().setPartition(p.partition()).setFetchOffset(offset)
                .setPartitionMaxBytes(1 << 20).setCurrentLeaderEpoch(-1).setLogStartOffset(-1)));
        Map<String, FetchRequestData.ForgottenTopic> forget = new LinkedHashMap<>();
        for (P p : forgotten) {
            forget.computeIfAbsent(p.topic(), t -> {
                FetchRequestData.ForgottenTopic topic = new FetchRequestData.ForgottenTopic().setTopicId(IDS.get(t));
                request.forgottenTopicsData().add(topic);
                return topic;
            }).partitions().add(p.partition());
        }
        return request;
    }

    private static FetchResponseData call(RawClient raw, FetchRequestData request) throws Exception {
        return ((FetchResponse) raw.call(ApiKeys.FETCH, VERSION, request)).data();
    }

    private static Map<P, FetchResponseData.PartitionData> byPartition(FetchResponseData response) {
        Map<P, FetchResponseData.PartitionData> out = new LinkedHashMap<>();
        for (FetchResponseData.FetchableTopicResponse topic : response.responses()) {
            String name = IDS.entrySet().stream().filter(e -> e.getValue().equals(topic.topicId())).findFirst()
                    .orElseThrow().getKey();
            for (FetchResponseData.PartitionData partition : topic.partitions()) {
                out.put(new P(name, partition.partitionIndex()), partition);
            }
        }
        return out;
    }

    private static MemoryRecords records(FetchResponseData.PartitionData data) {
        return (MemoryRecords) data.records();
    }

    private static void produce(P p, String value) throws Exception {
        producer.send(new ProducerRecord<>(p.topic(), p.partition(), null, value)).get();
    }

    @Test
    void incrementalAnswersAreWhatFullFetchesReturnWhilePartitionsAreAddedRemovedAndChanged() throws Exception {
        long seed = Long.getLong("samsa.test.seed", System.nanoTime());
        System.out.println("FetchSessionIT seed: " + seed + " (replay with -Dsamsa.test.seed=" + seed + ")");
        Random random = new Random(seed);
        for (P p : allPartitions()) {
            produce(p, "first of " + p);
        }
        try (RawClient raw = new RawClient(samsa.bootstrap())) {
            Map<P, Long> session = new LinkedHashMap<>();
            session.put(new P("session-a", 0), 0L);
            session.put(new P("session-b", 1), 0L);
            FetchResponseData first = call(raw, request(0, 0, session, List.of()));
            assertThat(Errors.forCode(first.errorCode())).isEqualTo(Errors.NONE);
            int sessionId = first.sessionId();
            assertThat(sessionId).as("a full fetch opens a session").isNotZero();
            Map<P, Told> told = new HashMap<>();
            byPartition(first).forEach((p, data) -> told.put(p, new Told(data.highWatermark(),
                    data.logStartOffset())));
            // What the broker's session holds for each partition; an incremental request names what differs.
            Map<P, Long> sent = new HashMap<>(session);
            advance(session, byPartition(first));
            int epoch = 1;
            for (int step = 0; step < 40; step++) {
                for (P p : allPartitions()) {
                    if (random.nextInt(3) == 0) {
                        produce(p, "step " + step + " " + "x".repeat(random.nextInt(100)));
                    }
                }
                Map<P, Long> named = new LinkedHashMap<>();
                session.forEach((p, offset) -> {
                    if (!offset.equals(sent.get(p))) {
                        named.put(p, offset); // the consumer moved on: the session must know
                    }
                });
                List<P> forgotten = new ArrayList<>();
                List<P> outside = allPartitions().stream().filter(p -> !session.containsKey(p)).toList();
                if (!outside.isEmpty() && random.nextInt(3) == 0) {
                    P added = outside.get(random.nextInt(outside.size()));
                    named.put(added, 0L);
                }
                List<P> inside = new ArrayList<>(session.keySet());
                if (inside.size() > 1 && random.nextInt(4) == 0) {
                    P gone = inside.remove(random.nextInt(inside.size()));
                    forgotten.add(gone);
                    named.remove(gone);
                }
                if (!inside.isEmpty() && random.nextInt(3) == 0) {
                    P changed = inside.get(random.nextInt(inside.size()));
                    named.put(changed, random.nextLong(session.get(changed) + 1)); // a consumer seeking back
                }
                String what = "step " + step + " adding/changing " + named + " forgetting " + forgotten;
                FetchResponseData incremental = call(raw, request(sessionId, epoch, named, forgotten));
                epoch++;
                assertThat(Errors.forCode(incremental.errorCode())).as(what).isEqualTo(Errors.NONE);
                assertThat(incremental.sessionId()).as(what).isEqualTo(sessionId);
                forgotten.forEach(session::remove);
                forgotten.forEach(told::remove);
                forgotten.forEach(sent::remove);
                session.putAll(named);
                sent.putAll(named);

                // The same partitions at the same offsets, fetched in full without a session.
                FetchResponseData full = call(raw, request(0, -1, session, List.of()));
                assertThat(full.sessionId()).isZero();
                Map<P, FetchResponseData.PartitionData> fullData = byPartition(full);
                Map<P, FetchResponseData.PartitionData> incData = byPartition(incremental);
                assertThat(session.keySet()).as(what).containsAll(incData.keySet());
                for (P p : session.keySet()) {
                    FetchResponseData.PartitionData expected = fullData.get(p);
                    Told before = told.get(p);
                    boolean changed = records(expected).sizeInBytes() > 0 || before == null
                            || before.highWatermark() != expected.highWatermark()
                            || before.logStartOffset() != expected.logStartOffset();
                    if (!changed) {
                        assertThat(incData).as(what + ": " + p + " has nothing new").doesNotContainKey(p);
                        continue;
                    }
                    assertThat(incData).as(what + ": " + p + " changed").containsKey(p);
                    FetchResponseData.PartitionData actual = incData.get(p);
                    assertThat(actual.errorCode()).as(what).isEqualTo(expected.errorCode());
                    assertThat(actual.highWatermark()).as(what).isEqualTo(expected.highWatermark());
                    assertThat(actual.lastStableOffset()).as(what).isEqualTo(expected.lastStableOffset());
                    assertThat(actual.logStartOffset()).as(what).isEqualTo(expected.logStartOffset());
                    assertThat(records(actual).buffer()).as(what + ": records of " + p)
                            .isEqualTo(records(expected).buffer());
                    told.put(p, new Told(expected.highWatermark(), expected.logStartOffset()));
                }
                advance(session, incData);
            }
        }
    }

    /** Moves each partition's fetch offset past the whole batches it returned, as a consumer does. */
    private static void advance(Map<P, Long> session, Map<P, FetchResponseData.PartitionData> data) {
        data.forEach((p, partition) -> {
            for (RecordBatch batch : records(partition).batches()) {
                session.put(p, batch.nextOffset());
            }
        });
    }

    @Test
    void sessionErrorsAreKafkas() throws Exception {
        P p = new P("session-a", 2);
        produce(p, "for errors");
        try (RawClient raw = new RawClient(samsa.bootstrap())) {
            int id = call(raw, request(0, 0, Map.of(p, 0L), List.of())).sessionId();
            assertThat(id).isNotZero();

            FetchResponseData wrongEpoch = call(raw, request(id, 5, Map.of(), List.of()));
            assertThat(Errors.forCode(wrongEpoch.errorCode())).isEqualTo(Errors.INVALID_FETCH_SESSION_EPOCH);
            assertThat(wrongEpoch.sessionId()).isZero();
            assertThat(wrongEpoch.responses()).isEmpty();

            assertThat(Errors.forCode(call(raw, request(id, 1, Map.of(), List.of())).errorCode()))
                    .as("a wrong epoch leaves the session as it was").isEqualTo(Errors.NONE);
            assertThat(Errors.forCode(call(raw, request(id, 1, Map.of(), List.of())).errorCode()))
                    .as("a duplicate request").isEqualTo(Errors.INVALID_FETCH_SESSION_EPOCH);

            FetchResponseData unknown = call(raw, request(id + 1 == 0 ? 1 : id + 1, 1, Map.of(), List.of()));
            assertThat(Errors.forCode(unknown.errorCode())).isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND);
            assertThat(unknown.sessionId()).isZero();

            FetchRequestData byName = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(0).setMinBytes(0)
                    .setMaxBytes(1 << 20).setSessionId(id).setSessionEpoch(2);
            FetchResponse v12 = (FetchResponse) raw.call(ApiKeys.FETCH, (short) 12, byName);
            assertThat(v12.error()).as("a session with topic ids used by names").isEqualTo(
                    Errors.FETCH_SESSION_TOPIC_ID_ERROR);

            int second = call(raw, request(id, 0, Map.of(p, 0L), List.of())).sessionId();
            assertThat(second).as("a full fetch naming a session closes it and opens another").isNotZero()
                    .isNotEqualTo(id);
            assertThat(Errors.forCode(call(raw, request(id, 2, Map.of(), List.of())).errorCode()))
                    .isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND);

            FetchResponseData last = call(raw, request(second, -1, Map.of(p, 0L), List.of()));
            assertThat(Errors.forCode(last.errorCode())).isEqualTo(Errors.NONE);
            assertThat(last.sessionId()).as("epoch -1 closes the session and opens none").isZero();
            assertThat(records(last.responses().get(0).partitions().get(0)).sizeInBytes()).isPositive();
            assertThat(Errors.forCode(call(raw, request(second, 1, Map.of(), List.of())).errorCode()))
                    .isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND);

            int third = call(raw, request(0, 0, Map.of(p, 0L), List.of())).sessionId();
            FetchResponseData emptied = call(raw, request(third, 1, Map.of(), List.of(p)));
            assertThat(Errors.forCode(emptied.errorCode())).isEqualTo(Errors.NONE);
            assertThat(emptied.sessionId()).as("forgetting every partition ends the session").isZero();
        }
    }
}
