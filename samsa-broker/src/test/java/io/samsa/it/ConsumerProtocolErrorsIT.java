package io.samsa.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupDescribeRequestData;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ConsumerGroupDescribeResponse;
import org.apache.kafka.common.requests.ConsumerGroupHeartbeatResponse;
import org.apache.kafka.common.requests.JoinGroupResponse;
import org.apache.kafka.common.requests.OffsetCommitResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The consumer group protocol (KIP-848) at the wire level: the exact reconciliation steps (a partition is revoked by
 * its owner before anyone else gets it, epochs move only then), fencing, and each wrong request's error code.
 */
class ConsumerProtocolErrorsIT {

    private static final int HEARTBEAT_INTERVAL_MS = 1500;
    private static BrokerFixture samsa;
    private static Uuid streamId;

    @BeforeAll
    static void start() throws Exception {
        samsa = BrokerFixture.start(Map.of("offsets.topic.num.partitions", "2", "group.consumer.max.size", "2",
                "group.consumer.heartbeat.interval.ms", String.valueOf(HEARTBEAT_INTERVAL_MS),
                "group.initial.rebalance.delay.ms", "0"));
        samsa.createTopic("stream", 4, Map.of());
        try (Admin admin = samsa.admin()) {
            streamId = admin.describeTopics(List.of("stream")).allTopicNames().get().get("stream").topicId();
        }
    }

    @AfterAll
    static void stop() {
        samsa.close();
    }

    private static ConsumerGroupHeartbeatRequestData join(String group, String memberId) {
        return new ConsumerGroupHeartbeatRequestData().setGroupId(group).setMemberId(memberId).setMemberEpoch(0)
                .setRebalanceTimeoutMs(30_000).setSubscribedTopicNames(List.of("stream"))
                .setTopicPartitions(new ArrayList<>());
    }

    /** A heartbeat reporting the partitions of "stream" the member owns. */
    private static ConsumerGroupHeartbeatRequestData beat(String group, String memberId, int epoch,
            Integer... owned) {
        List<ConsumerGroupHeartbeatRequestData.TopicPartitions> partitions = new ArrayList<>();
        if (owned.length > 0) {
            partitions.add(new ConsumerGroupHeartbeatRequestData.TopicPartitions().setTopicId(streamId)
                    .setPartitions(List.of(owned)));
        }
        return new ConsumerGroupHeartbeatRequestData().setGroupId(group).setMemberId(memberId).setMemberEpoch(epoch)
                .setTopicPartitions(partitions);
    }

    private static ConsumerGroupHeartbeatResponseData call(RawClient raw, ConsumerGroupHeartbeatRequestData request)
            throws Exception {
        return ((ConsumerGroupHeartbeatResponse) raw.call(ApiKeys.CONSUMER_GROUP_HEARTBEAT, (short) 1, request))
                .data();
    }

    private static List<Integer> partitions(ConsumerGroupHeartbeatResponseData response) {
        assertThat(response.assignment()).isNotNull();
        List<Integer> result = new ArrayList<>();
        response.assignment().topicPartitions().forEach(tp -> {
            assertThat(tp.topicId()).isEqualTo(streamId);
            result.addAll(tp.partitions());
        });
        return result;
    }

    @Test
    void aPartitionIsRevokedByItsOwnerBeforeTheNewMemberGetsItAndStaleEpochsAreFenced() throws Exception {
        try (RawClient raw = new RawClient(samsa.bootstrap())) {
            ConsumerGroupHeartbeatResponseData a = call(raw, join("steps", "member-a"));
            assertThat(Errors.forCode(a.errorCode())).isEqualTo(Errors.NONE);
            assertThat(a.memberId()).isEqualTo("member-a");
            assertThat(a.memberEpoch()).isEqualTo(1);
            assertThat(a.heartbeatIntervalMs()).isEqualTo(HEARTBEAT_INTERVAL_MS);
            assertThat(partitions(a)).containsExactly(0, 1, 2, 3);

            // B joins: the group moves to epoch 2, but A still holds everything, so B gets nothing yet.
            ConsumerGroupHeartbeatResponseData b = call(raw, join("steps", "member-b"));
            assertThat(b.memberEpoch()).isEqualTo(2);
            assertThat(partitions(b)).isEmpty();

            // A must first give up 2 and 3 (uniform keeps 0 and 1 where they are); it stays at epoch 1 meanwhile.
            a = call(raw, beat("steps", "member-a", 1, 0, 1, 2, 3));
            assertThat(a.memberEpoch()).isEqualTo(1);
            assertThat(partitions(a)).containsExactly(0, 1);
            b = call(raw, beat("steps", "member-b", 2));
            assertThat(b.memberEpoch()).isEqualTo(2);
            assertThat(b.assignment()).as("unchanged, so left out").isNull();

            // A reports 2 and 3 gone: it moves to epoch 2, and B gets them on its next heartbeat.
            a = call(raw, beat("steps", "member-a", 1, 0, 1));
            assertThat(a.memberEpoch()).isEqualTo(2);
            b = call(raw, beat("steps", "member-b", 2));
            assertThat(partitions(b)).containsExactly(2, 3);

            // A lost response: the previous epoch with a subset of the assignment is accepted.
            a = call(raw, beat("steps", "member-a", 1, 0, 1));
            assertThat(Errors.forCode(a.errorCode())).isEqualTo(Errors.NONE);
            assertThat(a.memberEpoch()).isEqualTo(2);
            // Any other wrong epoch is fenced.
            a = call(raw, beat("steps", "member-a", 5, 0, 1));
            assertThat(Errors.forCode(a.errorCode())).isEqualTo(Errors.FENCED_MEMBER_EPOCH);
            a = call(raw, beat("steps", "member-a", 1, 0, 1, 2));
            assertThat(Errors.forCode(a.errorCode())).isEqualTo(Errors.FENCED_MEMBER_EPOCH);

            // Commits carry the member epoch: the current one is stored; the previous one only for partitions the
            // member still holds (a commit racing the heartbeat that moved it on); anything else is stale.
            assertThat(commit(raw, "steps", "member-a", 2, 0)).isEqualTo(Errors.NONE);
            assertThat(commit(raw, "steps", "member-a", 1, 0)).isEqualTo(Errors.NONE);
            assertThat(commit(raw, "steps", "member-a", 1, 2)).isEqualTo(Errors.STALE_MEMBER_EPOCH);
            assertThat(commit(raw, "steps", "member-a", 3, 0)).isEqualTo(Errors.STALE_MEMBER_EPOCH);
            assertThat(commit(raw, "steps", "member-c", 2, 0)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);

            // group.consumer.max.size=2.
            ConsumerGroupHeartbeatResponseData c = call(raw, join("steps", "member-c"));
            assertThat(Errors.forCode(c.errorCode())).isEqualTo(Errors.GROUP_MAX_SIZE_REACHED);

            ConsumerGroupDescribeResponseData.DescribedGroup described = describe(raw, "steps");
            assertThat(described.groupState()).isEqualTo("Stable");
            assertThat(described.groupEpoch()).isEqualTo(2);
            assertThat(described.assignmentEpoch()).isEqualTo(2);
            assertThat(described.assignorName()).isEqualTo("uniform");
            assertThat(described.members()).extracting(ConsumerGroupDescribeResponseData.Member::memberId)
                    .containsExactlyInAnyOrder("member-a", "member-b");

            // A leaves: B gets all four at epoch 3.
            ConsumerGroupHeartbeatResponseData left = call(raw, beat("steps", "member-a", -1));
            assertThat(Errors.forCode(left.errorCode())).isEqualTo(Errors.NONE);
            assertThat(left.memberEpoch()).isEqualTo(-1);
            b = call(raw, beat("steps", "member-b", 2, 2, 3));
            assertThat(b.memberEpoch()).isEqualTo(3);
            assertThat(partitions(b)).containsExactly(0, 1, 2, 3);
            // The one that left is unknown now.
            a = call(raw, beat("steps", "member-a", 2, 0, 1));
            assertThat(Errors.forCode(a.errorCode())).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        }
    }

    @Test
    void aStaticMemberComingBackUnderANewIdTakesOverItsPartitionsWithoutANewEpoch() throws Exception {
        try (RawClient raw = new RawClient(samsa.bootstrap())) {
            ConsumerGroupHeartbeatResponseData first = call(raw, join("statics", "first").setInstanceId("i-1"));
            assertThat(first.memberEpoch()).isEqualTo(1);
            // The instance id is taken while its member is active.
            ConsumerGroupHeartbeatResponseData clash = call(raw, join("statics", "second").setInstanceId("i-1"));
            assertThat(Errors.forCode(clash.errorCode())).isEqualTo(Errors.UNRELEASED_INSTANCE_ID);
            // Epoch -2: leaving for now, keeping the partitions.
            ConsumerGroupHeartbeatResponseData away = call(raw, beat("statics", "first", -2).setInstanceId("i-1"));
            assertThat(away.memberEpoch()).isEqualTo(-2);
            ConsumerGroupHeartbeatResponseData back = call(raw, join("statics", "second").setInstanceId("i-1"));
            assertThat(Errors.forCode(back.errorCode())).isEqualTo(Errors.NONE);
            assertThat(back.memberEpoch()).isEqualTo(1);
            assertThat(partitions(back)).containsExactly(0, 1, 2, 3);
            assertThat(describe(raw, "statics").groupEpoch()).isEqualTo(1);
            // The old member id is fenced by the new one.
            ConsumerGroupHeartbeatResponseData old = call(raw, beat("statics", "first", 1).setInstanceId("i-1"));
            assertThat(Errors.forCode(old.errorCode())).isEqualTo(Errors.FENCED_INSTANCE_ID);
        }
    }

    @Test
    void wrongRequestsGetKafkasErrors() throws Exception {
        try (RawClient raw = new RawClient(samsa.bootstrap())) {
            assertThat(error(raw, join("bad", "m").setSubscribedTopicNames(null))).isEqualTo(Errors.INVALID_REQUEST);
            assertThat(error(raw, join("bad", "m").setRebalanceTimeoutMs(-1))).isEqualTo(Errors.INVALID_REQUEST);
            assertThat(error(raw, join("bad", ""))).isEqualTo(Errors.INVALID_REQUEST);
            assertThat(error(raw, join("", "m"))).isEqualTo(Errors.INVALID_REQUEST);
            assertThat(error(raw, join("bad", "m").setMemberEpoch(-3))).isEqualTo(Errors.INVALID_REQUEST);
            assertThat(error(raw, join("bad", "m").setInstanceId(""))).isEqualTo(Errors.INVALID_REQUEST);
            assertThat(error(raw, join("bad", "m").setServerAssignor("sticky")))
                    .isEqualTo(Errors.UNSUPPORTED_ASSIGNOR);
            assertThat(error(raw, join("bad", "m").setSubscribedTopicNames(null).setSubscribedTopicRegex("a(")))
                    .isEqualTo(Errors.INVALID_REGULAR_EXPRESSION);
            assertThat(error(raw, beat("nobody", "m", 4))).isEqualTo(Errors.UNKNOWN_MEMBER_ID);

            // A classic group with members cannot be joined with the consumer protocol, nor the reverse.
            JoinGroupRequestData classic = new JoinGroupRequestData().setGroupId("classic-one").setMemberId("")
                    .setSessionTimeoutMs(10_000).setRebalanceTimeoutMs(10_000).setProtocolType("consumer");
            classic.protocols().add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range")
                    .setMetadata(new byte[0]));
            assertThat(((JoinGroupResponse) raw.call(ApiKeys.JOIN_GROUP, (short) 3, classic)).data().errorCode())
                    .isEqualTo(Errors.NONE.code());
            assertThat(error(raw, join("classic-one", "m"))).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
            assertThat(error(raw, join("modern-one", "m"))).isEqualTo(Errors.NONE);
            assertThat(((JoinGroupResponse) raw.call(ApiKeys.JOIN_GROUP, (short) 3, classic.setGroupId("modern-one")))
                    .data().errorCode()).isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL.code());
            // ConsumerGroupDescribe answers GROUP_ID_NOT_FOUND for classic and unknown groups.
            assertThat(describe(raw, "classic-one").errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
            assertThat(describe(raw, "nobody").errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
        }
    }

    private static Errors error(RawClient raw, ConsumerGroupHeartbeatRequestData request) throws Exception {
        return Errors.forCode(call(raw, request).errorCode());
    }

    private static Errors commit(RawClient raw, String group, String memberId, int epoch, int partition)
            throws Exception {
        OffsetCommitRequestData request = new OffsetCommitRequestData().setGroupId(group).setMemberId(memberId)
                .setGenerationIdOrMemberEpoch(epoch);
        request.topics().add(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("stream")
                .setPartitions(List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(partition)
                        .setCommittedOffset(5))));
        return Errors.forCode(((OffsetCommitResponse) raw.call(ApiKeys.OFFSET_COMMIT, (short) 9, request)).data()
                .topics().get(0).partitions().get(0).errorCode());
    }

    private static ConsumerGroupDescribeResponseData.DescribedGroup describe(RawClient raw, String group)
            throws Exception {
        return ((ConsumerGroupDescribeResponse) raw.call(ApiKeys.CONSUMER_GROUP_DESCRIBE, (short) 1,
                new ConsumerGroupDescribeRequestData().setGroupIds(List.of(group)))).data().groups().get(0);
    }
}
