package io.samsa.coordinator.group;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;

/** The membership state of one classic group. Mutated only under the coordinator's lock. */
final class ClassicGroup {

    final String groupId;
    GroupState state = GroupState.EMPTY;
    int generationId;
    String protocolType;
    String protocolName;
    String leaderId;
    final Map<String, Member> members = new LinkedHashMap<>();
    /** Static members: instance id → current member id. */
    final Map<String, String> staticMembers = new HashMap<>();
    /** Member ids handed out with MEMBER_ID_REQUIRED, not yet joined. */
    final Set<String> pendingMembers = new HashSet<>();
    /** Completes the join phase when it fires (initial delay or rebalance timeout). */
    ScheduledFuture<?> joinDeadline;
    /** True while the initial rebalance delay of a group that was empty is running. */
    boolean initialDelayRunning;
    /** When the group last became empty (its offsets expire from then on). */
    long emptySinceMs;

    ClassicGroup(String groupId, long nowMs) {
        this.groupId = groupId;
        this.emptySinceMs = nowMs;
    }

    boolean allMembersJoined() {
        return !members.isEmpty() && members.values().stream().allMatch(m -> m.awaitingJoin != null);
    }

    int rebalanceTimeoutMs() {
        return members.values().stream().mapToInt(m -> m.rebalanceTimeoutMs).max().orElse(0);
    }

    /** The protocol every member supports that gets the most first-choice-weighted votes. */
    String selectProtocol() {
        Map<String, Integer> votes = new LinkedHashMap<>();
        Member any = members.values().iterator().next();
        for (JoinRequest.Protocol candidate : any.protocols) {
            if (members.values().stream().allMatch(m -> m.supports(candidate.name()))) {
                votes.put(candidate.name(), 0);
            }
        }
        for (Member m : members.values()) {
            for (JoinRequest.Protocol p : m.protocols) {
                if (votes.containsKey(p.name())) {
                    votes.merge(p.name(), 1, Integer::sum);
                    break;
                }
            }
        }
        return votes.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElseThrow();
    }

    /** Whether a member with these protocols could join: it shares at least one with every current member. */
    boolean supportsProtocols(String type, List<JoinRequest.Protocol> protocols) {
        if (members.isEmpty()) {
            return !type.isEmpty() && !protocols.isEmpty();
        }
        if (!type.equals(protocolType)) {
            return false;
        }
        return protocols.stream().anyMatch(p -> members.values().stream().allMatch(m -> m.supports(p.name())));
    }
}
