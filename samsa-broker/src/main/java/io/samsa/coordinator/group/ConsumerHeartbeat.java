package io.samsa.coordinator.group;

import java.util.List;

/**
 * A ConsumerGroupHeartbeat, with topic ids already resolved to names. Null fields mean "unchanged since the last
 * heartbeat", as in the protocol.
 *
 * @param owned the partitions the member owns, or null when left out
 * @param memberIdFromClient whether the client generates its member id (v1+); v0 clients may get one from us
 */
public record ConsumerHeartbeat(String groupId, String memberId, int memberEpoch, String instanceId, String rackId,
        int rebalanceTimeoutMs, List<String> subscribedTopicNames, String subscribedTopicRegex, String serverAssignor,
        Assignment owned, String clientId, String clientHost, boolean memberIdFromClient) {}
