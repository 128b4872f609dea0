package io.samsa.coordinator.group;

import java.util.List;

/** A consumer-protocol group as ConsumerGroupDescribe shows it; GROUP_ID_NOT_FOUND for unknown and classic groups. */
public record ConsumerGroupDescription(String groupId, GroupError error, String state, int groupEpoch,
        int assignmentEpoch, String assignor, List<Member> members) {

    /** One member: what it holds now ({@code assignment}) and what it is moving to ({@code target}). */
    public record Member(String memberId, String instanceId, String rackId, int memberEpoch, String clientId,
            String clientHost, List<String> subscribedTopicNames, String subscribedTopicRegex, Assignment assignment,
            Assignment target) {}

    static ConsumerGroupDescription notFound(String groupId) {
        return new ConsumerGroupDescription(groupId, GroupError.GROUP_ID_NOT_FOUND, "", 0, 0, "", List.of());
    }
}
