package io.samsa.coordinator.group;

import java.util.List;

/**
 * The answer to a JoinGroup.
 *
 * @param error the outcome
 * @param generationId the new generation, or -1
 * @param protocolType the group's protocol type
 * @param protocolName the chosen assignor, or null
 * @param leaderId the leader's member id, or ""
 * @param memberId the member's id (new members learn theirs here)
 * @param members every member with its metadata for the chosen protocol: for the leader only, empty for the others
 * @param skipAssignment true when a static leader rejoined without a rebalance and must not reassign (KIP-814)
 */
public record JoinResult(GroupError error, int generationId, String protocolType, String protocolName,
        String leaderId, String memberId, List<MemberMetadata> members, boolean skipAssignment) {

    /** A member as the leader sees it when it computes the assignment. */
    public record MemberMetadata(String memberId, String groupInstanceId, byte[] metadata) {}

    static JoinResult error(GroupError error, String memberId) {
        return new JoinResult(error, -1, null, null, "", memberId, List.of(), false);
    }
}
