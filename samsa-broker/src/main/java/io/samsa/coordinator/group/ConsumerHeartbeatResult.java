package io.samsa.coordinator.group;

/**
 * The answer to a ConsumerGroupHeartbeat.
 *
 * @param assignment the member's partitions, or null when unchanged and the request was not a full one
 */
public record ConsumerHeartbeatResult(GroupError error, String message, String memberId, int memberEpoch,
        int heartbeatIntervalMs, Assignment assignment) {

    static ConsumerHeartbeatResult error(GroupError error, String message, String memberId, int memberEpoch) {
        return new ConsumerHeartbeatResult(error, message, memberId, memberEpoch, 0, null);
    }
}
