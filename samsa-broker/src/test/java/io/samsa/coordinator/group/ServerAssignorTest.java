package io.samsa.coordinator.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ServerAssignorTest {

    private static SortedMap<String, ServerAssignor.MemberSpec> members(Object... idTopicsPrevious) {
        SortedMap<String, ServerAssignor.MemberSpec> result = new TreeMap<>();
        for (int i = 0; i < idTopicsPrevious.length; i += 3) {
            @SuppressWarnings("unchecked")
            Set<String> topics = (Set<String>) idTopicsPrevious[i + 1];
            result.put((String) idTopicsPrevious[i], new ServerAssignor.MemberSpec(topics,
                    (Assignment) idTopicsPrevious[i + 2]));
        }
        return result;
    }

    private static Assignment of(String topic, Integer... partitions) {
        return Assignment.of(Map.of(topic, Set.of(partitions)));
    }

    @Test
    void uniformBalancesAndKeepsPartitionsWhereTheyWere() {
        UniformAssignor uniform = new UniformAssignor();
        Map<String, Assignment> first = uniform.assign(members("a", Set.of("t"), Assignment.EMPTY,
                "b", Set.of("t"), Assignment.EMPTY), Map.of("t", 6));
        assertThat(first.get("a").size()).isEqualTo(3);
        assertThat(first.get("b").size()).isEqualTo(3);

        // A third member takes one partition from each; nothing else moves.
        Map<String, Assignment> second = uniform.assign(members("a", Set.of("t"), first.get("a"),
                "b", Set.of("t"), first.get("b"), "c", Set.of("t"), Assignment.EMPTY), Map.of("t", 6));
        assertThat(second.values()).allMatch(a -> a.size() == 2);
        assertThat(second.get("a").isSubsetOf(first.get("a"))).isTrue();
        assertThat(second.get("b").isSubsetOf(first.get("b"))).isTrue();
        Set<Integer> all = new HashSet<>();
        second.values().forEach(a -> all.addAll(a.partitions().get("t")));
        assertThat(all).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5);
    }

    @Test
    void uniformOnlyGivesMembersTheTopicsTheySubscribeTo() {
        Map<String, Assignment> result = new UniformAssignor().assign(members("a", Set.of("x", "y"),
                Assignment.EMPTY, "b", Set.of("y"), Assignment.EMPTY), Map.of("x", 2, "y", 2));
        assertThat(result.get("b").partitions()).containsOnlyKeys("y");
        assertThat(result.get("a").partitions().get("x")).containsExactly(0, 1);
        assertThat(result.get("a").size() + result.get("b").size()).isEqualTo(4);
        assertThat(result.get("b").size()).isEqualTo(2);
    }

    @Test
    void rangeGivesContiguousRangesTheFirstMembersGettingTheRemainder() {
        Map<String, Assignment> result = new RangeAssignor().assign(members("a", Set.of("t", "u"), Assignment.EMPTY,
                "b", Set.of("t", "u"), Assignment.EMPTY), Map.of("t", 5, "u", 5));
        assertThat(result.get("a")).isEqualTo(of("t", 0, 1, 2).union(of("u", 0, 1, 2)));
        assertThat(result.get("b")).isEqualTo(of("t", 3, 4).union(of("u", 3, 4)));
    }

    @Test
    void reconciliationRevokesBeforeItAssignsAndWaitsForPartitionsHeldElsewhere() {
        ConsumerMember m = new ConsumerMember("m");
        m.memberEpoch = 1;
        m.assigned = of("t", 0, 1, 2);
        // Target at epoch 2 takes 2 away and adds 3, which another member still holds.
        Reconciliation.advance(m, 2, of("t", 0, 1, 3), of("t", 0, 1, 2), (t, p) -> p == 3);
        assertThat(m.state).isEqualTo(ConsumerMember.State.UNREVOKED_PARTITIONS);
        assertThat(m.memberEpoch).isEqualTo(1);
        assertThat(m.assigned).isEqualTo(of("t", 0, 1));
        assertThat(m.pendingRevocation).isEqualTo(of("t", 2));
        // Still reports 2: nothing moves.
        Reconciliation.advance(m, 2, of("t", 0, 1, 3), of("t", 0, 1, 2), (t, p) -> p == 3);
        assertThat(m.state).isEqualTo(ConsumerMember.State.UNREVOKED_PARTITIONS);
        // Revoked: new epoch, but 3 is not free yet.
        Reconciliation.advance(m, 2, of("t", 0, 1, 3), of("t", 0, 1), (t, p) -> p == 3);
        assertThat(m.state).isEqualTo(ConsumerMember.State.UNRELEASED_PARTITIONS);
        assertThat(m.memberEpoch).isEqualTo(2);
        assertThat(m.previousMemberEpoch).isEqualTo(1);
        assertThat(m.assigned).isEqualTo(of("t", 0, 1));
        // Released by the other member.
        Reconciliation.advance(m, 2, of("t", 0, 1, 3), of("t", 0, 1), (t, p) -> false);
        assertThat(m.state).isEqualTo(ConsumerMember.State.STABLE);
        assertThat(m.assigned).isEqualTo(of("t", 0, 1, 3));
    }
}
