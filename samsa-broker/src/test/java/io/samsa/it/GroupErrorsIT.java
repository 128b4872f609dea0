package io.samsa.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteGroupsResponse;
import org.apache.kafka.common.requests.DescribeGroupsResponse;
import org.apache.kafka.common.requests.HeartbeatResponse;
import org.apache.kafka.common.requests.JoinGroupResponse;
import org.apache.kafka.common.requests.LeaveGroupResponse;
import org.apache.kafka.common.requests.OffsetCommitResponse;
import org.apache.kafka.common.requests.OffsetDeleteResponse;
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
        samsa.createTopic("journal", 2, Map.of());
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
        }
    }

    /** Kafka refuses an empty group id on the membership APIs and on OffsetDelete, before looking for a group. */
    @Test
    void anEmptyGroupIdIsInvalidForSyncHeartbeatLeaveAndOffsetDelete() throws Exception {
        try (RawClient raw = new RawClient(samsa.bootstrap())) {
            assertThat(sync(raw, "", "m", 1, "consumer", "range")).isEqualTo(Errors.INVALID_GROUP_ID);
            assertThat(heartbeat(raw, "", "m", 1)).isEqualTo(Errors.INVALID_GROUP_ID);

            LeaveGroupResponseData left = leave(raw, (short) 5, "", "m");
            assertThat(Errors.forCode(left.errorCode())).isEqualTo(Errors.INVALID_GROUP_ID);
            assertThat(left.members()).isEmpty();
            assertThat(Errors.forCode(leave(raw, (short) 0, "", "m").errorCode())).isEqualTo(Errors.INVALID_GROUP_ID);

            OffsetDeleteRequestData delete = new OffsetDeleteRequestData().setGroupId("");
            OffsetDeleteRequestData.OffsetDeleteRequestTopic topic =
                    new OffsetDeleteRequestData.OffsetDeleteRequestTopic().setName("ledger");
            topic.partitions().add(new OffsetDeleteRequestData.OffsetDeleteRequestPartition().setPartitionIndex(0));
            delete.topics().add(topic);
            OffsetDeleteResponseData deleted = ((OffsetDeleteResponse) raw.call(ApiKeys.OFFSET_DELETE, (short) 0,
                    delete)).data();
            assertThat(Errors.forCode(deleted.errorCode())).isEqualTo(Errors.INVALID_GROUP_ID);
            assertThat(deleted.topics()).isEmpty();
        }
    }

    /**
     * For backward compatibility Kafka treats the empty group id as an ordinary group on OffsetCommit, OffsetFetch,
     * DescribeGroups and DeleteGroups (GroupCoordinatorService refuses only a null id there); so does Samsa.
     */
    @Test
    void anEmptyGroupIdIsAnOrdinaryGroupForOffsetsDescribeAndDelete() throws Exception {
        try (RawClient raw = new RawClient(samsa.bootstrap())) {
            assertThat(fetchedAll(raw, "")).isEmpty();
            assertThat(describe(raw, (short) 5, "")).satisfies(g -> {
                assertThat(g.groupState()).isEqualTo("Dead");
                assertThat(Errors.forCode(g.errorCode())).isEqualTo(Errors.NONE);
            });
            assertThat(deleteGroups(raw, "")).containsExactly(Map.entry("", Errors.GROUP_ID_NOT_FOUND));

            assertThat(commit(raw, "", "", -1, "ledger", 1, "")).isEqualTo(Errors.NONE);
            assertThat(fetchedAll(raw, "")).containsExactly(Map.entry("ledger-0", 1L));
            assertThat(describe(raw, (short) 5, "").groupState()).isEqualTo("Empty");
            assertThat(deleteGroups(raw, "")).containsExactly(Map.entry("", Errors.NONE));
            assertThat(fetchedAll(raw, "")).isEmpty();
        }
    }

    @Test
    void unknownGroupsGetKafkasAnswers() throws Exception {
        try (RawClient raw = new RawClient(samsa.bootstrap())) {
            // DescribeGroups: a Dead group with no error before v6, GROUP_ID_NOT_FOUND from v6 on.
            DescribeGroupsResponseData.DescribedGroup v5 = describe(raw, (short) 5, "ghost");
            assertThat(v5.groupId()).isEqualTo("ghost");
            assertThat(v5.groupState()).isEqualTo("Dead");
            assertThat(Errors.forCode(v5.errorCode())).isEqualTo(Errors.NONE);
            assertThat(v5.protocolType()).isEmpty();
            assertThat(v5.protocolData()).isEmpty();
            assertThat(v5.members()).isEmpty();
            DescribeGroupsResponseData.DescribedGroup v6 = describe(raw, (short) 6, "ghost");
            assertThat(v6.groupState()).isEqualTo("Dead");
            assertThat(Errors.forCode(v6.errorCode())).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
            assertThat(v6.errorMessage()).isEqualTo("Group ghost not found.");

            // DeleteGroups: GROUP_ID_NOT_FOUND, once per distinct group as Kafka deduplicates the names.
            assertThat(deleteGroups(raw, "ghost", "ghost")).containsExactly(Map.entry("ghost",
                    Errors.GROUP_ID_NOT_FOUND));

            // A commit with a generation claims a membership that cannot exist: GROUP_ID_NOT_FOUND from OffsetCommit
            // v9 on, ILLEGAL_GENERATION before. Nothing is stored and no group is created.
            assertThat(commit(raw, (short) 9, "ghost", "m", 3, new Commit("ledger", 0, 5, "")))
                    .containsExactly(Map.entry("ledger-0", Errors.GROUP_ID_NOT_FOUND));
            assertThat(commit(raw, (short) 8, "ghost", "m", 3, new Commit("ledger", 0, 5, "")))
                    .containsExactly(Map.entry("ledger-0", Errors.ILLEGAL_GENERATION));
            assertThat(commit(raw, (short) 9, "ghost", "", 0, new Commit("ledger", 0, 5, "")))
                    .containsExactly(Map.entry("ledger-0", Errors.GROUP_ID_NOT_FOUND));
            assertThat(fetchedAll(raw, "ghost")).isEmpty();
            assertThat(describe(raw, (short) 5, "ghost").groupState()).isEqualTo("Dead");

            // The membership APIs: the member is unknown.
            assertThat(heartbeat(raw, "ghost", "m", 1)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
            assertThat(sync(raw, "ghost", "m", 1, "consumer", "range")).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
            LeaveGroupResponseData left = leave(raw, (short) 5, "ghost", "m");
            assertThat(Errors.forCode(left.errorCode())).isEqualTo(Errors.NONE);
            assertThat(left.members()).singleElement().satisfies(m -> {
                assertThat(m.memberId()).isEqualTo("m");
                assertThat(Errors.forCode(m.errorCode())).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
            });
        }
    }

    /** Kafka validates SyncGroup v5+'s protocol type and name before anything else. */
    @Test
    void syncGroupWithoutProtocolTypeOrNameIsInconsistent() throws Exception {
        try (RawClient raw = new RawClient(samsa.bootstrap())) {
            assertThat(sync(raw, "ghost", "m", 1, null, "range")).isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL);
            assertThat(sync(raw, "ghost", "m", 1, "consumer", null)).isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL);
        }
    }

    @Test
    void aBadPartitionInACommitBatchLosesNotTheGoodOnes() throws Exception {
        try (RawClient raw = new RawClient(samsa.bootstrap())) {
            Map<String, Errors> results = commit(raw, (short) 9, "batch", "", -1,
                    new Commit("journal", 0, 7, "kept"),
                    new Commit("journal", 5, 9, ""),
                    new Commit("no-such-topic", 0, 1, ""),
                    new Commit("journal", 1, 11, "x".repeat(4097)));
            assertThat(results).containsOnly(
                    Map.entry("journal-0", Errors.NONE),
                    Map.entry("journal-5", Errors.UNKNOWN_TOPIC_OR_PARTITION),
                    Map.entry("no-such-topic-0", Errors.UNKNOWN_TOPIC_OR_PARTITION),
                    Map.entry("journal-1", Errors.OFFSET_METADATA_TOO_LARGE));
            assertThat(fetchedAll(raw, "batch")).containsExactly(Map.entry("journal-0", 7L));
        }
    }

    /**
     * Commits of several groups in flight together on one connection: the ones that are refused (a wrong generation,
     * an unknown member, an unknown group, a member in the middle of a rebalance) take nothing from the others.
     */
    @Test
    void aBadCommitOfOneGroupNeverLosesAnotherGroupsCommit() throws Exception {
        try (RawClient raw = new RawClient(samsa.bootstrap()); RawClient member = new RawClient(samsa.bootstrap())) {
            String memberId = joinAlone(member, "members");
            assertThat(sync(member, "members", memberId, 1, "consumer", "range")).isEqualTo(Errors.NONE);
            assertThat(commit(raw, (short) 9, "members", memberId, 1, new Commit("journal", 0, 40, "")))
                    .containsExactly(Map.entry("journal-0", Errors.NONE));

            short v = 9;
            int[] ids = {
                raw.send(ApiKeys.OFFSET_COMMIT, v, commitRequest("members", memberId, 2, new Commit("journal", 0, 41,
                        ""), new Commit("journal", 1, 41, ""))),
                raw.send(ApiKeys.OFFSET_COMMIT, v, commitRequest("simple", "", -1, new Commit("journal", 0, 50, ""),
                        new Commit("journal", 1, 51, ""))),
                raw.send(ApiKeys.OFFSET_COMMIT, v, commitRequest("members", "stranger", 1, new Commit("journal", 1,
                        42, ""))),
                raw.send(ApiKeys.OFFSET_COMMIT, v, commitRequest("nobody-here", "m", 4, new Commit("journal", 0, 60,
                        ""))),
                raw.send(ApiKeys.OFFSET_COMMIT, v, commitRequest("members", memberId, 1, new Commit("journal", 1, 43,
                        ""))),
            };
            List<Map<String, Errors>> answers = new ArrayList<>();
            for (int id : ids) {
                answers.add(errors(((OffsetCommitResponse) raw.receive(ApiKeys.OFFSET_COMMIT, v, id)).data()));
            }
            assertThat(answers).containsExactly(
                    Map.of("journal-0", Errors.ILLEGAL_GENERATION, "journal-1", Errors.ILLEGAL_GENERATION),
                    Map.of("journal-0", Errors.NONE, "journal-1", Errors.NONE),
                    Map.of("journal-1", Errors.UNKNOWN_MEMBER_ID),
                    Map.of("journal-0", Errors.GROUP_ID_NOT_FOUND),
                    Map.of("journal-1", Errors.NONE));

            OffsetFetchResponseData fetched = fetchGroups(raw, "members", "simple", "nobody-here");
            assertThat(fetched.groups()).extracting(OffsetFetchResponseData.OffsetFetchResponseGroup::groupId)
                    .containsExactly("members", "simple", "nobody-here");
            assertThat(fetched.groups()).allSatisfy(g -> assertThat(g.errorCode()).isZero());
            assertThat(offsets(fetched.groups().get(0))).containsExactly(Map.entry("journal-0", 40L),
                    Map.entry("journal-1", 43L));
            assertThat(offsets(fetched.groups().get(1))).containsExactly(Map.entry("journal-0", 50L),
                    Map.entry("journal-1", 51L));
            assertThat(offsets(fetched.groups().get(2))).isEmpty();
        }
    }

    /**
     * Between JoinGroup and SyncGroup (CompletingRebalance) Kafka checks the member and its generation first, and
     * answers REBALANCE_IN_PROGRESS only to a current member; nothing is committed meanwhile.
     */
    @Test
    void commitsWhileARebalanceCompletesAreRefusedAfterTheMemberIsChecked() throws Exception {
        try (RawClient raw = new RawClient(samsa.bootstrap())) {
            String memberId = joinAlone(raw, "midway");
            Commit commit = new Commit("journal", 0, 9, "");
            assertThat(commit(raw, (short) 9, "midway", "stranger", 1, commit))
                    .containsExactly(Map.entry("journal-0", Errors.UNKNOWN_MEMBER_ID));
            assertThat(commit(raw, (short) 9, "midway", memberId, 5, commit))
                    .containsExactly(Map.entry("journal-0", Errors.ILLEGAL_GENERATION));
            assertThat(commit(raw, (short) 9, "midway", memberId, 1, commit))
                    .containsExactly(Map.entry("journal-0", Errors.REBALANCE_IN_PROGRESS));
            assertThat(fetchedAll(raw, "midway")).isEmpty();

            assertThat(sync(raw, "midway", memberId, 1, "consumer", "range")).isEqualTo(Errors.NONE);
            assertThat(commit(raw, (short) 9, "midway", memberId, 1, commit))
                    .containsExactly(Map.entry("journal-0", Errors.NONE));
            assertThat(fetchedAll(raw, "midway")).containsExactly(Map.entry("journal-0", 9L));
        }
    }

    /** Joins {@code group} as its only member (generation 1, leader); returns the member id. */
    private static String joinAlone(RawClient raw, String group) throws Exception {
        String memberId = call(raw, join(group, "", 30_000)).memberId();
        JoinGroupResponseData joined = call(raw, join(group, memberId, 30_000));
        assertThat(Errors.forCode(joined.errorCode())).isEqualTo(Errors.NONE);
        assertThat(joined.generationId()).isEqualTo(1);
        return memberId;
    }

    private static Errors sync(RawClient raw, String group, String memberId, int generation, String protocolType,
            String protocolName) throws Exception {
        SyncGroupRequestData request = new SyncGroupRequestData().setGroupId(group).setMemberId(memberId)
                .setGenerationId(generation).setProtocolType(protocolType).setProtocolName(protocolName);
        request.assignments().add(new SyncGroupRequestData.SyncGroupRequestAssignment().setMemberId(memberId)
                .setAssignment(new byte[0]));
        return Errors.forCode(((SyncGroupResponse) raw.call(ApiKeys.SYNC_GROUP, (short) 5, request)).data()
                .errorCode());
    }

    private static LeaveGroupResponseData leave(RawClient raw, short version, String group, String memberId)
            throws Exception {
        LeaveGroupRequestData request = new LeaveGroupRequestData().setGroupId(group);
        if (version < 3) {
            request.setMemberId(memberId);
        } else {
            request.members().add(new LeaveGroupRequestData.MemberIdentity().setMemberId(memberId));
        }
        return ((LeaveGroupResponse) raw.call(ApiKeys.LEAVE_GROUP, version, request)).data();
    }

    private static DescribeGroupsResponseData.DescribedGroup describe(RawClient raw, short version, String group)
            throws Exception {
        DescribeGroupsRequestData request = new DescribeGroupsRequestData().setGroups(List.of(group));
        List<DescribeGroupsResponseData.DescribedGroup> groups = ((DescribeGroupsResponse) raw.call(
                ApiKeys.DESCRIBE_GROUPS, version, request)).data().groups();
        assertThat(groups).hasSize(1);
        return groups.getFirst();
    }

    private static Map<String, Errors> deleteGroups(RawClient raw, String... groups) throws Exception {
        DeleteGroupsRequestData request = new DeleteGroupsRequestData().setGroupsNames(List.of(groups));
        Map<String, Errors> results = new LinkedHashMap<>();
        List<DeleteGroupsResponseData.DeletableGroupResult> answers = List.copyOf(((DeleteGroupsResponse) raw.call(
                ApiKeys.DELETE_GROUPS, (short) 2, request)).data().results());
        answers.forEach(r -> results.put(r.groupId(), Errors.forCode(r.errorCode())));
        assertThat(answers).as("one result per group").hasSize(results.size());
        return results;
    }

    /** One partition's offset in an OffsetCommit request. */
    private record Commit(String topic, int partition, long offset, String metadata) {}

    private static OffsetCommitRequestData commitRequest(String group, String memberId, int generation,
            Commit... commits) {
        OffsetCommitRequestData request = new OffsetCommitRequestData().setGroupId(group).setMemberId(memberId)
                .setGenerationIdOrMemberEpoch(generation);
        Map<String, OffsetCommitRequestData.OffsetCommitRequestTopic> topics = new LinkedHashMap<>();
        for (Commit c : commits) {
            topics.computeIfAbsent(c.topic(), name -> new OffsetCommitRequestData.OffsetCommitRequestTopic()
                    .setName(name)).partitions().add(new OffsetCommitRequestData.OffsetCommitRequestPartition()
                    .setPartitionIndex(c.partition()).setCommittedOffset(c.offset())
                    .setCommittedMetadata(c.metadata()));
        }
        request.topics().addAll(topics.values());
        return request;
    }

    /** Commits and returns each partition's error, keyed "topic-partition". */
    private static Map<String, Errors> commit(RawClient raw, short version, String group, String memberId,
            int generation, Commit... commits) throws Exception {
        return errors(((OffsetCommitResponse) raw.call(ApiKeys.OFFSET_COMMIT, version, commitRequest(group, memberId,
                generation, commits))).data());
    }

    private static Map<String, Errors> errors(OffsetCommitResponseData response) {
        Map<String, Errors> result = new TreeMap<>();
        response.topics().forEach(t -> t.partitions().forEach(p -> result.put(t.name() + "-" + p.partitionIndex(),
                Errors.forCode(p.errorCode()))));
        return result;
    }

    /** Every offset the group has committed, keyed "topic-partition" (OffsetFetch v7 with null topics). */
    private static Map<String, Long> fetchedAll(RawClient raw, String group) throws Exception {
        OffsetFetchRequestData request = new OffsetFetchRequestData().setGroupId(group).setTopics(null);
        OffsetFetchResponse response = (OffsetFetchResponse) raw.call(ApiKeys.OFFSET_FETCH, (short) 7, request);
        assertThat(Errors.forCode(response.data().errorCode())).isEqualTo(Errors.NONE);
        Map<String, Long> result = new TreeMap<>();
        response.data().topics().forEach(t -> t.partitions().forEach(p -> {
            assertThat(Errors.forCode(p.errorCode())).isEqualTo(Errors.NONE);
            result.put(t.name() + "-" + p.partitionIndex(), p.committedOffset());
        }));
        return result;
    }

    /** OffsetFetch v8 for several groups at once, every committed offset of each. */
    private static OffsetFetchResponseData fetchGroups(RawClient raw, String... groups) throws Exception {
        OffsetFetchRequestData request = new OffsetFetchRequestData();
        for (String group : groups) {
            request.groups().add(new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId(group)
                    .setTopics(null));
        }
        return ((OffsetFetchResponse) raw.call(ApiKeys.OFFSET_FETCH, (short) 8, request)).data();
    }

    private static Map<String, Long> offsets(OffsetFetchResponseData.OffsetFetchResponseGroup group) {
        Map<String, Long> result = new TreeMap<>();
        group.topics().forEach(t -> t.partitions().forEach(p -> result.put(t.name() + "-" + p.partitionIndex(),
                p.committedOffset())));
        return result;
    }

    private static Errors heartbeat(RawClient raw, String group, String memberId, int generation) throws Exception {
        HeartbeatRequestData request = new HeartbeatRequestData().setGroupId(group).setMemberId(memberId)
                .setGenerationId(generation);
        return Errors.forCode(((HeartbeatResponse) raw.call(ApiKeys.HEARTBEAT, (short) 4, request)).data()
                .errorCode());
    }

    private static Errors commit(RawClient raw, String group, String memberId, int generation, String topic,
            long offset, String metadata) throws Exception {
        return commit(raw, (short) 9, group, memberId, generation, new Commit(topic, 0, offset, metadata)).values()
                .iterator().next();
    }

    private static long fetched(RawClient raw, String group) throws Exception {
        OffsetFetchRequestData request = new OffsetFetchRequestData().setGroupId(group).setTopics(List.of(
                new OffsetFetchRequestData.OffsetFetchRequestTopic().setName("ledger").setPartitionIndexes(List.of(0))));
        OffsetFetchResponse response = (OffsetFetchResponse) raw.call(ApiKeys.OFFSET_FETCH, (short) 7, request);
        assertThat(response.data().errorCode()).isZero();
        return response.data().topics().get(0).partitions().get(0).committedOffset();
    }
}
