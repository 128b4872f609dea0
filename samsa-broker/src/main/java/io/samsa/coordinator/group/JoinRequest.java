package io.samsa.coordinator.group;

import java.util.List;

/**
 * A JoinGroup, in the coordinator's terms.
 *
 * @param groupId the group
 * @param memberId the member id, "" for a member joining for the first time
 * @param groupInstanceId the static member's instance id, or null for a dynamic member
 * @param clientId the client's id
 * @param clientHost the client's address
 * @param sessionTimeoutMs how long without heartbeat before the member is removed
 * @param rebalanceTimeoutMs how long the coordinator waits for the member to rejoin in a rebalance
 * @param protocolType e.g. "consumer"
 * @param protocols the assignors the member supports, in its order of preference
 * @param requireKnownMemberId true from JoinGroup v4: a new member first gets an id (MEMBER_ID_REQUIRED) and rejoins
 */
public record JoinRequest(String groupId, String memberId, String groupInstanceId, String clientId, String clientHost,
        int sessionTimeoutMs, int rebalanceTimeoutMs, String protocolType, List<Protocol> protocols,
        boolean requireKnownMemberId) {

    /** One assignor a member supports, with its opaque metadata (e.g. the consumer's subscription). */
    public record Protocol(String name, byte[] metadata) {}
}
