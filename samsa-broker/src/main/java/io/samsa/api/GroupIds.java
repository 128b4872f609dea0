package io.samsa.api;

/**
 * Kafka's rule for group ids: the membership APIs (JoinGroup, SyncGroup, Heartbeat, LeaveGroup) and OffsetDelete
 * refuse an empty id with INVALID_GROUP_ID before looking for a group, while OffsetCommit, OffsetFetch,
 * DescribeGroups and DeleteGroups take the empty id as an ordinary group, for compatibility with old clients.
 */
final class GroupIds {

    private GroupIds() {}

    /** True for an id the membership APIs and OffsetDelete refuse with INVALID_GROUP_ID. */
    static boolean isInvalidForMembership(String groupId) {
        return groupId == null || groupId.isEmpty();
    }
}
