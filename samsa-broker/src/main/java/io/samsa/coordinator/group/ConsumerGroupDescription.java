package io.samsa.coordinator.group;

import java.util.List;

/** A consumer-protocol group as ConsumerGroupDescribe shows it; GROUP_ID_NOT_FOUND for unknown and classic groups. */
public record ConsumerGroupDescription(String groupId, GroupError error, String errorMessage, String state,
        int groupEpoch, int assignmentEpoch, String assignor, List<Member> members) {

    /** One member: what it holds now ({@code assignment}) and what it is moving to ({@code target}). */
    public record Member(String memberId, String instanceId, String rackId, int memberEpoch, String clientId,
            String clientHost, List<String> subscribedTopicNames, String subscribedTopicRegex, Assignment assignment,
            Assignment target) {}

    /** Kafka's answer for a group that is not a consumer-protocol group: unknown, or classic. */
    static ConsumerGroupDescription notFound(String groupId, boolean classic) {
        return new ConsumerGroupDescription(groupId, GroupError.GROUP_ID_NOT_FOUND, "Group " + groupId
                + (classic ? " is not a consumer group." : " not found."), "", 0, 0, "", List.of());
    }
}
