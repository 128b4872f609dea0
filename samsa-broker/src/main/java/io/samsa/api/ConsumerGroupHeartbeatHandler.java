package io.samsa.api;

import io.samsa.coordinator.group.Assignment;
import io.samsa.coordinator.group.ConsumerHeartbeat;
import io.samsa.coordinator.group.ConsumerHeartbeatResult;
import io.samsa.coordinator.group.GroupCoordinator;
import io.samsa.coordinator.group.GroupError;
import io.samsa.metadata.MetadataController;
import io.samsa.metadata.MetadataImage;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * ConsumerGroupHeartbeat (KIP-848): joins, heartbeats and leaves of consumer-protocol members. Topics travel as ids on
 * the wire and as names in the coordinator; owned partitions of topics that no longer exist are dropped.
 */
final class ConsumerGroupHeartbeatHandler implements ApiHandler {

    private final GroupCoordinator groups;
    private final MetadataController metadata;

    ConsumerGroupHeartbeatHandler(GroupCoordinator groups, MetadataController metadata) {
        this.groups = groups;
        this.metadata = metadata;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        ConsumerGroupHeartbeatRequestData data = (ConsumerGroupHeartbeatRequestData) request.body();
        MetadataImage image = metadata.image();
        Assignment owned = null;
        if (data.topicPartitions() != null) {
            Map<String, Set<Integer>> byName = new TreeMap<>();
            for (ConsumerGroupHeartbeatRequestData.TopicPartitions tp : data.topicPartitions()) {
                MetadataImage.TopicImage topic = image.topic(Topics.fromWire(tp.topicId()));
                if (topic != null) {
                    byName.computeIfAbsent(topic.name(), n -> new HashSet<>()).addAll(tp.partitions());
                }
            }
            owned = Assignment.of(byName);
        }
        return groups.consumerHeartbeat(new ConsumerHeartbeat(data.groupId(),
                data.memberId(), data.memberEpoch(), data.instanceId(), data.rackId(), data.rebalanceTimeoutMs(),
                data.subscribedTopicNames(), data.subscribedTopicRegex(), data.serverAssignor(), owned,
                request.clientId(), JoinGroupHandler.clientHost(connection), request.version() >= 1))
                .thenApply(result -> response(result, image));
    }

    private static ApiMessage response(ConsumerHeartbeatResult result, MetadataImage image) {
        ConsumerGroupHeartbeatResponseData response = new ConsumerGroupHeartbeatResponseData()
                .setErrorCode(ErrorMapper.toError(result.error()).code()).setErrorMessage(result.message())
                .setMemberId(result.memberId()).setMemberEpoch(result.memberEpoch())
                .setHeartbeatIntervalMs(result.heartbeatIntervalMs());
        if (result.error() == GroupError.NONE && result.assignment() != null) {
            ConsumerGroupHeartbeatResponseData.Assignment assignment =
                    new ConsumerGroupHeartbeatResponseData.Assignment();
            result.assignment().partitions().forEach((name, partitions) -> {
                MetadataImage.TopicImage topic = image.topic(name);
                if (topic != null) {
                    assignment.topicPartitions().add(new ConsumerGroupHeartbeatResponseData.TopicPartitions()
                            .setTopicId(Topics.toWire(topic.topicId())).setPartitions(
                                    new java.util.ArrayList<>(partitions)));
                }
            });
            response.setAssignment(assignment);
        }
        if (response.errorCode() != Errors.NONE.code() && response.errorMessage() == null) {
            response.setErrorMessage(Errors.forCode(response.errorCode()).message());
        }
        return response;
    }
}
