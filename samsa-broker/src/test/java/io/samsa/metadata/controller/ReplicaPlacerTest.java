package io.samsa.metadata.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.samsa.metadata.MetadataException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReplicaPlacerTest {

    @ParameterizedTest
    @CsvSource({"3, 6, 3", "3, 6, 2", "3, 3, 1", "5, 10, 3", "5, 20, 2", "4, 8, 4"})
    void leadersAndReplicasAreSpreadEvenlyWhateverTheRandomStart(int brokers, int partitions, int rf) {
        List<Integer> ids = java.util.stream.IntStream.rangeClosed(1, brokers).boxed().toList();
        for (long seed = 0; seed < 20; seed++) {
            List<List<Integer>> placed = new ReplicaPlacer(new SplittableRandom(seed))
                    .place(0, partitions, rf, ids, List.of());
            Map<Integer, Integer> leaders = new HashMap<>();
            Map<Integer, Integer> replicas = new HashMap<>();
            for (List<Integer> replicaList : placed) {
                assertThat(replicaList).hasSize(rf).doesNotHaveDuplicates();
                leaders.merge(replicaList.getFirst(), 1, Integer::sum);
                replicaList.forEach(b -> replicas.merge(b, 1, Integer::sum));
            }
            assertThat(leaders).hasSize(brokers).allSatisfy((b, n) -> assertThat(n).isEqualTo(partitions / brokers));
            assertThat(replicas).allSatisfy((b, n) -> assertThat(n).isEqualTo(partitions * rf / brokers));
        }
    }

    @Test
    void followersOfOneLeaderAreShiftedSoTheyDoNotAllSitOnOneBroker() {
        List<List<Integer>> placed = new ReplicaPlacer(new SplittableRandom(1))
                .place(0, 8, 2, List.of(1, 2, 3, 4), List.of());
        Map<Integer, java.util.Set<Integer>> followersByLeader = new HashMap<>();
        placed.forEach(r -> followersByLeader.computeIfAbsent(r.get(0), k -> new java.util.HashSet<>()).add(r.get(1)));
        assertThat(followersByLeader.values()).allSatisfy(followers -> assertThat(followers).hasSize(2));
    }

    @Test
    void tooFewBrokersIsAnInvalidReplicationFactorWithKafkasMessage() {
        ReplicaPlacer placer = new ReplicaPlacer(new SplittableRandom(0));
        assertThatThrownBy(() -> placer.place(0, 1, 3, List.of(1), List.of(2)))
                .isInstanceOfSatisfying(MetadataException.class, e -> assertThat(e.kind())
                        .isEqualTo(MetadataException.Kind.INVALID_REPLICATION_FACTOR))
                .hasMessage("Unable to replicate the partition 3 time(s): The target replication factor of 3 cannot"
                        + " be reached because only 2 broker(s) are registered.");
        assertThatThrownBy(() -> placer.place(0, 1, 1, List.of(), List.of(1, 2)))
                .hasMessage("Unable to replicate the partition 1 time(s): All brokers are currently fenced.");
    }

    @Test
    void inactiveBrokersOnlyMakeUpTheReplicationFactorAndNeverLead() {
        List<List<Integer>> placed = new ReplicaPlacer(new SplittableRandom(3))
                .place(0, 6, 3, List.of(1, 2), List.of(3));
        assertThat(placed).allSatisfy(r -> {
            assertThat(r).containsExactlyInAnyOrder(1, 2, 3);
            assertThat(r.getFirst()).isNotEqualTo(3);
            assertThat(r.getLast()).isEqualTo(3);
        });
    }

    @Test
    void addedPartitionsContinueTheRotation() {
        ReplicaPlacer placer = new ReplicaPlacer(new SplittableRandom(5));
        List<List<Integer>> placed = placer.place(3, 3, 1, List.of(1, 2, 3), List.of());
        assertThat(placed).extracting(List::getFirst).doesNotHaveDuplicates();
    }
}
