package io.samsa.api;

import io.samsa.coordinator.group.Assignment;
import io.samsa.coordinator.group.ConsumerGroupDescription;
import io.samsa.coordinator.group.GroupCoordinator;
import io.samsa.coordinator.group.GroupError;
import io.samsa.metadata.MetadataController;
import io.samsa.metadata.MetadataImage;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import io.samsa.security.Acl;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ConsumerGroupDescribeRequestData;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * ConsumerGroupDescribe (KIP-848): epochs, assignor and each member's current and target assignment. Classic and
 * unknown groups get GROUP_ID_NOT_FOUND, which is how the admin client knows to fall back to DescribeGroups. As in
 * Kafka 4.1, each group needs DESCRIBE (GROUP_AUTHORIZATION_FAILED otherwise), a group whose members' assignments
 * name a topic the principal may not DESCRIBE gets TOPIC_AUTHORIZATION_FAILED without its members, and the
 * authorized operations (KIP-430) are given when asked for.
 */
final class ConsumerGroupDescribeHandler implements ApiHandler {

    private static final byte CONSUMER_MEMBER = 1;

    private final GroupCoordinator groups;
    private final MetadataController metadata;
    private final Access access;

    ConsumerGroupDescribeHandler(GroupCoordinator groups, MetadataController metadata, Access access) {
        this.groups = groups;
        this.metadata = metadata;
        this.access = access;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        ConsumerGroupDescribeRequestData data = (ConsumerGroupDescribeRequestData) request.body();
        MetadataImage image = metadata.image();
        ConsumerGroupDescribeResponseData response = new ConsumerGroupDescribeResponseData();
        for (String groupId : data.groupIds()) {
            ConsumerGroupDescribeResponseData.DescribedGroup described =
                    new ConsumerGroupDescribeResponseData.DescribedGroup().setGroupId(groupId)
                            .setAuthorizedOperations(AUTHORIZED_OPERATIONS_OMITTED);
            if (!access.allowed(request, connection, Acl.Operation.DESCRIBE, Acl.ResourceType.GROUP,
                    groupId == null ? "" : groupId)) {
                response.groups().add(described.setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code()));
                continue;
            }
            if (groupId == null || groupId.isEmpty()) {
                response.groups().add(described.setErrorCode(ErrorMapper.toError(GroupError.INVALID_GROUP_ID)
                        .code()));
                continue;
            }
            ConsumerGroupDescription group = groups.describeConsumerGroup(groupId);
            if (group.error() != GroupError.NONE) {
                response.groups().add(described.setErrorCode(ErrorMapper.toError(group.error()).code())
                        .setErrorMessage(group.errorMessage()));
                continue;
            }
            described.setGroupState(group.state()).setGroupEpoch(group.groupEpoch())
                    .setAssignmentEpoch(group.assignmentEpoch()).setAssignorName(group.assignor());
            for (ConsumerGroupDescription.Member m : group.members()) {
                ConsumerGroupDescribeResponseData.Member member = new ConsumerGroupDescribeResponseData.Member()
                        .setMemberId(m.memberId()).setInstanceId(m.instanceId()).setRackId(m.rackId())
                        .setMemberEpoch(m.memberEpoch()).setClientId(m.clientId()).setClientHost(m.clientHost())
                        .setSubscribedTopicNames(new ArrayList<>(m.subscribedTopicNames()))
                        .setSubscribedTopicRegex(m.subscribedTopicRegex())
                        .setAssignment(wire(image, m.assignment())).setTargetAssignment(wire(image, m.target()));
                if (request.version() >= 1) {
                    member.setMemberType(CONSUMER_MEMBER);
                }
                described.members().add(member);
            }
            if (!topicsDescribable(request, connection, described)) {
                response.groups().add(new ConsumerGroupDescribeResponseData.DescribedGroup().setGroupId(groupId)
                        .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())
                        .setErrorMessage("The group has described topic(s) that the client is not authorized to "
                                + "describe."));
                continue;
            }
            if (data.includeAuthorizedOperations()) {
                described.setAuthorizedOperations(access.authorizedOperations(connection, Acl.ResourceType.GROUP,
                        groupId));
            }
            response.groups().add(described);
        }
        return CompletableFuture.completedFuture(response);
    }

    /** Whether the principal may DESCRIBE every topic in the members' current and target assignments. */
    private boolean topicsDescribable(Request request, ClientConnection connection,
            ConsumerGroupDescribeResponseData.DescribedGroup group) {
        if (!access.enabled()) {
            return true;
        }
        java.util.Set<String> topics = new java.util.TreeSet<>();
        for (ConsumerGroupDescribeResponseData.Member m : group.members()) {
            m.assignment().topicPartitions().forEach(t -> topics.add(t.topicName()));
            m.targetAssignment().topicPartitions().forEach(t -> topics.add(t.topicName()));
        }
        boolean all = true;
        for (String topic : topics) {
            all &= access.allowed(request, connection, Acl.Operation.DESCRIBE, Acl.ResourceType.TOPIC, topic);
        }
        return all;
    }

    private static ConsumerGroupDescribeResponseData.Assignment wire(MetadataImage image, Assignment assignment) {
        ConsumerGroupDescribeResponseData.Assignment result = new ConsumerGroupDescribeResponseData.Assignment();
        assignment.partitions().forEach((name, partitions) -> {
            MetadataImage.TopicImage topic = image.topic(name);
            if (topic != null) {
                result.topicPartitions().add(new ConsumerGroupDescribeResponseData.TopicPartitions()
                        .setTopicId(Topics.toWire(topic.topicId())).setTopicName(name)
                        .setPartitions(new ArrayList<>(partitions)));
            }
        });
        return result;
    }
}
