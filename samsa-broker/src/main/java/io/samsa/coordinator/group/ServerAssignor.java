package io.samsa.coordinator.group;

import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

/**
 * A server-side assignor of the consumer group protocol (KIP-848): computes the target assignment of every member of
 * a group from the members' subscriptions and the topics' partition counts. Implementations are stateless.
 */
interface ServerAssignor {

    /** The name a client selects with {@code group.remote.assignor}. */
    String name();

    /**
     * @param members member id → what it subscribes to and its previous target assignment
     * @param partitionCounts topic → number of partitions, for every subscribed topic that exists
     * @return member id → target assignment, for every member
     */
    Map<String, Assignment> assign(SortedMap<String, MemberSpec> members, Map<String, Integer> partitionCounts);

    /** One member's input: its subscribed topics (those that exist) and its previous target assignment. */
    record MemberSpec(Set<String> topics, Assignment previous) {}
}
