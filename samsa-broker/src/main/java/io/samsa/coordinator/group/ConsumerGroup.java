package io.samsa.coordinator.group;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A group using the consumer protocol (KIP-848). The group epoch counts changes of membership, subscriptions and
 * subscribed topics' partitions; the assignment epoch is the group epoch the target assignment was computed for.
 * Mutated only under the coordinator's lock.
 */
final class ConsumerGroup {

    /** The states of a consumer-protocol group, with Kafka's names. */
    enum State {
        EMPTY("Empty"),
        ASSIGNING("Assigning"),
        RECONCILING("Reconciling"),
        STABLE("Stable"),
        DEAD("Dead");

        private final String kafkaName;

        State(String kafkaName) {
            this.kafkaName = kafkaName;
        }

        String kafkaName() {
            return kafkaName;
        }
    }

    final String groupId;
    int groupEpoch;
    int assignmentEpoch;
    final Map<String, ConsumerMember> members = new LinkedHashMap<>();
    /** Static members: instance id → current member id. */
    final Map<String, String> staticMembers = new HashMap<>();
    /** The target assignment of each member, computed for {@link #assignmentEpoch}. */
    final Map<String, Assignment> target = new HashMap<>();
    /** Subscribed topic → partition count, as last seen; a change bumps the group epoch. */
    Map<String, Integer> subscribedTopics = new TreeMap<>();
    boolean dead;
    /** When the group last became empty (its offsets expire from then on). */
    long emptySinceMs;
    /** The membership record last written, to write only changes. */
    byte[] lastRecord;

    ConsumerGroup(String groupId, long nowMs) {
        this.groupId = groupId;
        this.emptySinceMs = nowMs;
    }

    State state() {
        if (dead) {
            return State.DEAD;
        }
        if (members.isEmpty()) {
            return State.EMPTY;
        }
        if (groupEpoch > assignmentEpoch) {
            return State.ASSIGNING;
        }
        boolean reconciled = members.values().stream().allMatch(m -> m.memberEpoch == assignmentEpoch
                && m.state == ConsumerMember.State.STABLE);
        return reconciled ? State.STABLE : State.RECONCILING;
    }

    Assignment targetOf(String memberId) {
        return target.getOrDefault(memberId, Assignment.EMPTY);
    }

    /** Whether a member other than {@code except} still holds a partition (assigned or not yet revoked). */
    boolean heldByOther(String except, String topic, int partition) {
        for (ConsumerMember m : members.values()) {
            if (!m.memberId.equals(except)
                    && (m.assigned.contains(topic, partition) || m.pendingRevocation.contains(topic, partition))) {
                return true;
            }
        }
        return false;
    }
}
