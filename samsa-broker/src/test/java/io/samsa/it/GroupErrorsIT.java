package io.samsa.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.HeartbeatResponse;
import org.apache.kafka.common.requests.JoinGroupResponse;
import org.apache.kafka.common.requests.OffsetCommitResponse;
import org.apache.kafka.common.requests.OffsetFetchResponse;
import org.apache.kafka.common.requests.SyncGroupResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The group APIs at the wire level: each wrong request gets the Kafka error a client expects, and harms no one. */
class GroupErrorsIT {

    private static BrokerFixture samsa;

    @BeforeAll
    static void start() {
        samsa = BrokerFixture.start(Map.of("group.initial.rebalance.delay.ms", "0", "offsets.topic.num.partitions",
                "2", "group.max.size", "1"));
        samsa.createTopic("ledger", 1, Map.of());
    }

    @AfterAll
    static void stop() {
        samsa.close();
    }

    private static JoinGroupRequestData join(String group, String memberId, int sessionTimeoutMs) {
        JoinGroupRequestData request = new JoinGroupRequestData().setGroupId(group).setMemberId(memberId)
                .setSessionTimeoutMs(sessionTimeoutMs).setRebalanceTimeoutMs(10_000).setProtocolType("consumer");
        request.protocols().add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range")
                .setMetadata(new byte[] {1, 2, 3}));
        return request;
    }

    private static JoinGroupResponseData call(RawClient raw, JoinGroupRequestData request) throws Exception {
        return ((JoinGroupResponse) raw.call(ApiKeys.JOIN_GROUP, (short) 9, request)).data();
    }

    @Test
    void aMemberJoinsSyncsAndIsFencedWhenItsGenerationIsWrong() throws Exception {
        try (RawClient raw = new RawClient(samsa.bootstrap())) {
            JoinGroupResponseData first = call(raw, join("wire", "", 10_000));
            assertThat(Errors.forCode(first.errorCode())).isEqualTo(Errors.MEMBER_ID_REQUIRED);
            String memberId = first.memberId();
            assertThat(memberId).startsWith("raw-client-");

            JoinGroupResponseData joined = call(raw, join("wire", memberId, 10_000));
            assertThat(Errors.forCode(joined.errorCode())).isEqualTo(Errors.NONE);
            assertThat(joined.generationId()).isEqualTo(1);
            assertThat(joined.leader()).isEqualTo(memberId);
            assertThat(joined.protocolName()).isEqualTo("range");
            assertThat(joined.members()).hasSize(1);
            assertThat(joined.members().get(0).metadata()).containsExactly(1, 2, 3);

            // group.max.size=1: a second member does not fit.
            JoinGroupResponseData second = call(raw, join("wire", "", 10_000));
            assertThat(Errors.forCode(second.errorCode())).isEqualTo(Errors.GROUP_MAX_SIZE_REACHED);

            SyncGroupRequestData sync = new SyncGroupRequestData().setGroupId("wire").setMemberId(memberId)
                    .setGenerationId(1).setProtocolType("consumer").setProtocolName("range");
            sync.assignments().add(new SyncGroupRequestData.SyncGroupRequestAssignment().setMemberId(memberId)
                    .setAssignment(new byte[] {9, 8}));
            SyncGroupResponseData synced = ((SyncGroupResponse) raw.call(ApiKeys.SYNC_GROUP, (short) 5, sync)).data();
            assertThat(Errors.forCode(synced.errorCode())).isEqualTo(Errors.NONE);
            assertThat(synced.assignment()).containsExactly(9, 8);

            assertThat(heartbeat(raw, "wire", memberId, 1)).isEqualTo(Errors.NONE);
            assertThat(heartbeat(raw, "wire", memberId, 7)).isEqualTo(Errors.ILLEGAL_GENERATION);
            assertThat(heartbeat(raw, "wire", "nobody", 1)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
            assertThat(heartbeat(raw, "no-such-group", memberId, 1)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);

            assertThat(commit(raw, "wire", memberId, 7, "ledger", 5, "")).isEqualTo(Errors.ILLEGAL_GENERATION);
            assertThat(commit(raw, "wire", "nobody", 1, "ledger", 5, "")).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
            assertThat(commit(raw, "wire", memberId, 1, "ledger", 5, "x".repeat(4097)))
                    .isEqualTo(Errors.OFFSET_METADATA_TOO_LARGE);
            assertThat(commit(raw, "wire", memberId, 1, "no-such-topic", 5, "")).isEqualTo(
                    Errors.UNKNOWN_TOPIC_OR_PARTITION);
            assertThat(commit(raw, "wire", memberId, 1, "ledger", 5, "ok")).isEqualTo(Errors.NONE);
            // A standalone group (generation -1) commits beside it without disturbing it.
            assertThat(commit(raw, "standalone", "", -1, "ledger", 3, "")).isEqualTo(Errors.NONE);
            assertThat(fetched(raw, "wire")).isEqualTo(5);
            assertThat(fetched(raw, "standalone")).isEqualTo(3);
            assertThat(fetched(raw, "never-committed")).isEqualTo(-1);
        }
    }

    @Test
    void invalidGroupIdsAndSessionTimeoutsAreRefused() throws Exception {
        try (RawClient raw = new RawClient(samsa.bootstrap())) {
            assertThat(Errors.forCode(call(raw, join("", "", 10_000)).errorCode())).isEqualTo(Errors.INVALID_GROUP_ID);
            assertThat(Errors.forCode(call(raw, join("short", "", 1_000)).errorCode()))
                    .isEqualTo(Errors.INVALID_SESSION_TIMEOUT);
            assertThat(Errors.forCode(call(raw, join("long", "", 3_600_000)).errorCode()))
                    .isEqualTo(Errors.INVALID_SESSION_TIMEOUT);
            assertThat(commit(raw, "", "", -1, "ledger", 1, "")).isEqualTo(Errors.INVALID_GROUP_ID);
        }
    }

    private static Errors heartbeat(RawClient raw, String group, String memberId, int generation) throws Exception {
        HeartbeatRequestData request = new HeartbeatRequestData().setGroupId(group).setMemberId(memberId)
                .setGenerationId(generation);
        return Errors.forCode(((HeartbeatResponse) raw.call(ApiKeys.HEARTBEAT, (short) 4, request)).data()
                .errorCode());
    }

    private static Errors commit(RawClient raw, String group, String memberId, int generation, String topic,
            long offset, String metadata) throws Exception {
        OffsetCommitRequestData request = new OffsetCommitRequestData().setGroupId(group).setMemberId(memberId)
                .setGenerationIdOrMemberEpoch(generation);
        OffsetCommitRequestData.OffsetCommitRequestTopic t = new OffsetCommitRequestData.OffsetCommitRequestTopic()
                .setName(topic);
        t.partitions().add(new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0)
                .setCommittedOffset(offset).setCommittedMetadata(metadata));
        request.topics().add(t);
        OffsetCommitResponseData response = ((OffsetCommitResponse) raw.call(ApiKeys.OFFSET_COMMIT, (short) 9,
                request)).data();
        return Errors.forCode(response.topics().get(0).partitions().get(0).errorCode());
    }

    private static long fetched(RawClient raw, String group) throws Exception {
        OffsetFetchRequestData request = new OffsetFetchRequestData().setGroupId(group).setTopics(List.of(
                new OffsetFetchRequestData.OffsetFetchRequestTopic().setName("ledger").setPartitionIndexes(List.of(0))));
        OffsetFetchResponse response = (OffsetFetchResponse) raw.call(ApiKeys.OFFSET_FETCH, (short) 7, request);
        assertThat(response.data().errorCode()).isZero();
        return response.data().topics().get(0).partitions().get(0).committedOffset();
    }
}
