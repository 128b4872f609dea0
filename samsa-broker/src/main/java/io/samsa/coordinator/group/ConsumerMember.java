package io.samsa.coordinator.group;

import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.regex.Pattern;

/**
 * A member of a consumer-protocol group (KIP-848). Its epoch moves towards the group's assignment epoch as it
 * reconciles; {@link #assigned} is what it may consume now, {@link #pendingRevocation} what it must give up first.
 * Mutated only under the coordinator's lock.
 */
final class ConsumerMember {

    /** Where the member stands in reconciling towards its target assignment. */
    enum State {
        /** Holds its target assignment at the assignment epoch. */
        STABLE,
        /** Must revoke {@link #pendingRevocation} before it gets a new epoch. */
        UNREVOKED_PARTITIONS,
        /** At the new epoch, but some target partitions are still held by other members. */
        UNRELEASED_PARTITIONS
    }

    /** The epoch of a static member that left and may come back within its session timeout. */
    static final int STATIC_LEAVE_EPOCH = -2;
    static final int LEAVE_EPOCH = -1;

    final String memberId;
    String instanceId;
    String rackId;
    String clientId;
    String clientHost;
    int rebalanceTimeoutMs;
    List<String> subscribedTopicNames = List.of();
    String subscribedTopicRegex;
    Pattern compiledRegex;
    String serverAssignor;
    int memberEpoch;
    int previousMemberEpoch;
    State state = State.STABLE;
    Assignment assigned = Assignment.EMPTY;
    Assignment pendingRevocation = Assignment.EMPTY;
    ScheduledFuture<?> sessionExpiry;
    ScheduledFuture<?> revocationDeadline;

    ConsumerMember(String memberId) {
        this.memberId = memberId;
    }

    /** A member that takes over a static member's identity, assignment and subscription under a new id. */
    ConsumerMember(String memberId, ConsumerMember previous) {
        this(memberId);
        instanceId = previous.instanceId;
        rackId = previous.rackId;
        rebalanceTimeoutMs = previous.rebalanceTimeoutMs;
        subscribedTopicNames = previous.subscribedTopicNames;
        subscribedTopicRegex = previous.subscribedTopicRegex;
        compiledRegex = previous.compiledRegex;
        serverAssignor = previous.serverAssignor;
        assigned = previous.assigned;
    }

    /** Whether the member subscribes to a topic, by name or by its regular expression. */
    boolean subscribesTo(String topic) {
        return subscribedTopicNames.contains(topic)
                || compiledRegex != null && !topic.startsWith("__") && compiledRegex.matcher(topic).matches();
    }

    void moveTo(State newState, int epoch, Assignment newAssigned, Assignment newPendingRevocation) {
        if (epoch != memberEpoch) {
            previousMemberEpoch = memberEpoch;
            memberEpoch = epoch;
        }
        state = newState;
        assigned = newAssigned;
        pendingRevocation = newPendingRevocation;
    }

    void cancelTimers() {
        if (sessionExpiry != null) {
            sessionExpiry.cancel(false);
            sessionExpiry = null;
        }
        cancelRevocationDeadline();
    }

    void cancelRevocationDeadline() {
        if (revocationDeadline != null) {
            revocationDeadline.cancel(false);
            revocationDeadline = null;
        }
    }
}
