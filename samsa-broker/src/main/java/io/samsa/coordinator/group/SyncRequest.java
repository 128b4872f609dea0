package io.samsa.coordinator.group;

import java.util.Map;

/**
 * A SyncGroup.
 *
 * @param groupId the group
 * @param memberId the member
 * @param groupInstanceId its instance id, or null
 * @param generationId the generation it joined
 * @param protocolType its protocol type, or null (older versions do not send it)
 * @param protocolName its protocol name, or null
 * @param assignments the leader's assignment per member id; empty for followers
 */
public record SyncRequest(String groupId, String memberId, String groupInstanceId, int generationId,
        String protocolType, String protocolName, Map<String, byte[]> assignments) {}
