package io.samsa.coordinator.group;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiPredicate;

/**
 * Partitions of a consumer group member, by topic name, in order. Immutable; topics without partitions are left out,
 * so two equal sets of partitions are equal assignments.
 */
public record Assignment(SortedMap<String, SortedSet<Integer>> partitions) {

    public static final Assignment EMPTY = new Assignment(new TreeMap<>());

    public Assignment {
        TreeMap<String, SortedSet<Integer>> copy = new TreeMap<>();
        partitions.forEach((topic, ps) -> {
            if (!ps.isEmpty()) {
                copy.put(topic, Collections.unmodifiableSortedSet(new TreeSet<>(ps)));
            }
        });
        partitions = Collections.unmodifiableSortedMap(copy);
    }

    /** An assignment from any map of topic to partitions. */
    public static Assignment of(Map<String, ? extends Set<Integer>> partitions) {
        TreeMap<String, SortedSet<Integer>> sorted = new TreeMap<>();
        partitions.forEach((topic, ps) -> sorted.put(topic, new TreeSet<>(ps)));
        return new Assignment(sorted);
    }

    public boolean contains(String topic, int partition) {
        SortedSet<Integer> ps = partitions.get(topic);
        return ps != null && ps.contains(partition);
    }

    public boolean isEmpty() {
        return partitions.isEmpty();
    }

    public int size() {
        return partitions.values().stream().mapToInt(Set::size).sum();
    }

    /** The partitions of this assignment that {@code keep} accepts. */
    public Assignment filter(BiPredicate<String, Integer> keep) {
        TreeMap<String, SortedSet<Integer>> result = new TreeMap<>();
        partitions.forEach((topic, ps) -> {
            TreeSet<Integer> kept = new TreeSet<>();
            ps.forEach(p -> {
                if (keep.test(topic, p)) {
                    kept.add(p);
                }
            });
            result.put(topic, kept);
        });
        return new Assignment(result);
    }

    public Assignment intersect(Assignment other) {
        return filter(other::contains);
    }

    public Assignment minus(Assignment other) {
        return filter((topic, p) -> !other.contains(topic, p));
    }

    public Assignment union(Assignment other) {
        TreeMap<String, SortedSet<Integer>> result = new TreeMap<>();
        for (Assignment a : new Assignment[] {this, other}) {
            a.partitions.forEach((topic, ps) -> result.computeIfAbsent(topic, t -> new TreeSet<>()).addAll(ps));
        }
        return new Assignment(result);
    }

    /** Whether every partition of this assignment is also in {@code other}. */
    public boolean isSubsetOf(Assignment other) {
        return minus(other).isEmpty();
    }
}
