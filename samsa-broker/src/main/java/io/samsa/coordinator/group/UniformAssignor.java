package io.samsa.coordinator.group;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Kafka's default server assignor ("uniform"): spreads partitions so that members subscribed to the same topics hold
 * counts that differ by at most one, and keeps every partition where it was whenever balance allows (sticky), so a
 * rebalance moves as few partitions as possible.
 *
 * <p>Three steps: members keep the partitions of their previous target that they still subscribe to; each free
 * partition goes to the least-loaded subscribed member; then, while some member holds two or more partitions more
 * than another member subscribed to the same topic, one partition of that topic moves. Every move lowers the sum of
 * squared loads, so the last step ends.
 */
final class UniformAssignor implements ServerAssignor {

    static final String NAME = "uniform";

    private record TopicPartition(String topic, int partition) {}

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Map<String, Assignment> assign(SortedMap<String, MemberSpec> members, Map<String, Integer> counts) {
        Map<String, TreeSet<TopicPartition>> owned = new TreeMap<>();
        members.keySet().forEach(m -> owned.put(m, new TreeSet<>(UniformAssignor::compare)));
        Set<TopicPartition> taken = new HashSet<>();

        members.forEach((memberId, spec) -> spec.previous().partitions().forEach((topic, ps) -> {
            if (spec.topics().contains(topic)) {
                for (int p : ps) {
                    TopicPartition tp = new TopicPartition(topic, p);
                    if (p < counts.getOrDefault(topic, 0) && taken.add(tp)) {
                        owned.get(memberId).add(tp);
                    }
                }
            }
        }));

        for (String topic : new TreeSet<>(counts.keySet())) {
            List<String> eligible = subscribers(members, topic);
            if (eligible.isEmpty()) {
                continue;
            }
            for (int p = 0; p < counts.get(topic); p++) {
                TopicPartition tp = new TopicPartition(topic, p);
                if (taken.add(tp)) {
                    owned.get(leastLoaded(eligible, owned)).add(tp);
                }
            }
        }

        boolean moved = true;
        while (moved) {
            moved = false;
            for (String topic : new TreeSet<>(counts.keySet())) {
                List<String> eligible = subscribers(members, topic);
                String donor = null;
                for (String m : eligible) {
                    boolean holdsTopic = owned.get(m).stream().anyMatch(tp -> tp.topic().equals(topic));
                    if (holdsTopic && (donor == null || owned.get(m).size() > owned.get(donor).size())) {
                        donor = m;
                    }
                }
                if (donor == null) {
                    continue;
                }
                String receiver = leastLoaded(eligible, owned);
                if (owned.get(donor).size() > owned.get(receiver).size() + 1) {
                    TopicPartition give = owned.get(donor).descendingSet().stream()
                            .filter(tp -> tp.topic().equals(topic)).findFirst().orElseThrow();
                    owned.get(donor).remove(give);
                    owned.get(receiver).add(give);
                    moved = true;
                }
            }
        }

        Map<String, Assignment> result = new TreeMap<>();
        owned.forEach((memberId, tps) -> {
            Map<String, Set<Integer>> byTopic = new TreeMap<>();
            tps.forEach(tp -> byTopic.computeIfAbsent(tp.topic(), t -> new TreeSet<>()).add(tp.partition()));
            result.put(memberId, Assignment.of(byTopic));
        });
        return result;
    }

    private static List<String> subscribers(SortedMap<String, MemberSpec> members, String topic) {
        List<String> result = new ArrayList<>();
        members.forEach((m, spec) -> {
            if (spec.topics().contains(topic)) {
                result.add(m);
            }
        });
        return result;
    }

    /** The member with the fewest partitions; the first in id order on a tie. */
    private static String leastLoaded(List<String> eligible, Map<String, TreeSet<TopicPartition>> owned) {
        String best = eligible.get(0);
        for (String m : eligible) {
            if (owned.get(m).size() < owned.get(best).size()) {
                best = m;
            }
        }
        return best;
    }

    private static int compare(TopicPartition a, TopicPartition b) {
        int byTopic = a.topic().compareTo(b.topic());
        return byTopic != 0 ? byTopic : Integer.compare(a.partition(), b.partition());
    }
}
