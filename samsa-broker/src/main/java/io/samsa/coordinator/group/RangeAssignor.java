package io.samsa.coordinator.group;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The "range" server assignor: for each topic, the members subscribed to it, in member-id order, get contiguous
 * ranges of its partitions; the first {@code partitions % members} get one partition more. Members subscribed to
 * co-partitioned topics therefore get the same partition numbers of each, which joins over keys rely on.
 */
final class RangeAssignor implements ServerAssignor {

    static final String NAME = "range";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Map<String, Assignment> assign(SortedMap<String, MemberSpec> members, Map<String, Integer> counts) {
        Map<String, Map<String, Set<Integer>>> owned = new TreeMap<>();
        members.keySet().forEach(m -> owned.put(m, new TreeMap<>()));
        counts.forEach((topic, partitions) -> {
            List<String> subscribed = new ArrayList<>();
            members.forEach((m, spec) -> {
                if (spec.topics().contains(topic)) {
                    subscribed.add(m);
                }
            });
            int next = 0;
            for (int i = 0; i < subscribed.size(); i++) {
                int share = partitions / subscribed.size() + (i < partitions % subscribed.size() ? 1 : 0);
                Set<Integer> range = new TreeSet<>();
                for (int p = next; p < next + share; p++) {
                    range.add(p);
                }
                next += share;
                owned.get(subscribed.get(i)).put(topic, range);
            }
        });
        Map<String, Assignment> result = new TreeMap<>();
        owned.forEach((m, byTopic) -> result.put(m, Assignment.of(byTopic)));
        return result;
    }
}
