package io.samsa.coordinator.group;

/**
 * The answer to a SyncGroup.
 *
 * @param error the outcome
 * @param protocolType the group's protocol type, or null
 * @param protocolName the chosen assignor, or null
 * @param assignment the member's assignment (empty on error)
 */
public record SyncResult(GroupError error, String protocolType, String protocolName, byte[] assignment) {

    static SyncResult error(GroupError error) {
        return new SyncResult(error, null, null, new byte[0]);
    }
}
