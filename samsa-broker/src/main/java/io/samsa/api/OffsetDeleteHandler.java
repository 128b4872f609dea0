package io.samsa.api;

import io.samsa.coordinator.group.GroupCoordinator;
import io.samsa.coordinator.group.GroupError;
import io.samsa.coordinator.group.OffsetKey;
import io.samsa.metadata.MetadataController;
import io.samsa.metadata.MetadataImage;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.ConsumerSubscriptions;
import io.samsa.protocol.Request;
import io.samsa.security.Acl;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * OffsetDelete: removes a group's committed offsets, except for topics an active member is subscribed to
 * (GROUP_SUBSCRIBED_TO_TOPIC), which the coordinator reads from the members' consumer-protocol subscriptions. As in
 * Kafka, the group needs DELETE (GROUP_AUTHORIZATION_FAILED for the whole request) and each topic READ: a denied
 * topic's partitions get TOPIC_AUTHORIZATION_FAILED, an unknown topic's or partition's UNKNOWN_TOPIC_OR_PARTITION,
 * and the others are deleted. A group-level error from the coordinator replaces the per-partition answers.
 */
final class OffsetDeleteHandler implements ApiHandler {

    private final GroupCoordinator groups;
    private final MetadataController metadata;
    private final Access access;

    OffsetDeleteHandler(GroupCoordinator groups, MetadataController metadata, Access access) {
        this.groups = groups;
        this.metadata = metadata;
        this.access = access;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        OffsetDeleteRequestData data = (OffsetDeleteRequestData) request.body();
        if (!access.allowed(request, connection, Acl.Operation.DELETE, Acl.ResourceType.GROUP, data.groupId())) {
            return CompletableFuture.completedFuture(new OffsetDeleteResponseData()
                    .setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code()));
        }
        if (GroupIds.isInvalidForMembership(data.groupId())) {
            return CompletableFuture.completedFuture(new OffsetDeleteResponseData()
                    .setErrorCode(Errors.INVALID_GROUP_ID.code()));
        }
        MetadataImage image = metadata.image();
        Map<OffsetKey, Errors> refused = new HashMap<>();
        List<OffsetKey> partitions = new ArrayList<>();
        for (OffsetDeleteRequestData.OffsetDeleteRequestTopic t : data.topics()) {
            boolean denied = !access.allowed(request, connection, Acl.Operation.READ, Acl.ResourceType.TOPIC,
                    t.name());
            MetadataImage.TopicImage known = image.topic(t.name());
            for (OffsetDeleteRequestData.OffsetDeleteRequestPartition p : t.partitions()) {
                OffsetKey key = new OffsetKey(data.groupId(), t.name(), p.partitionIndex());
                if (denied) {
                    refused.put(key, Errors.TOPIC_AUTHORIZATION_FAILED);
                } else if (known == null || !known.partitions().containsKey(p.partitionIndex())) {
                    refused.put(key, Errors.UNKNOWN_TOPIC_OR_PARTITION);
                } else {
                    partitions.add(key);
                }
            }
        }
        return groups.deleteOffsets(data.groupId(), partitions, ConsumerSubscriptions::topics).thenApply(results -> {
            OffsetDeleteResponseData response = new OffsetDeleteResponseData();
            GroupError groupError = results.get(null);
            if (groupError != null) {
                return response.setErrorCode(ErrorMapper.toError(groupError).code());
            }
            response.setErrorCode(Errors.NONE.code());
            for (OffsetDeleteRequestData.OffsetDeleteRequestTopic t : data.topics()) {
                OffsetDeleteResponseData.OffsetDeleteResponseTopic topic =
                        new OffsetDeleteResponseData.OffsetDeleteResponseTopic().setName(t.name());
                for (OffsetDeleteRequestData.OffsetDeleteRequestPartition p : t.partitions()) {
                    OffsetKey key = new OffsetKey(data.groupId(), t.name(), p.partitionIndex());
                    Errors error = refused.containsKey(key) ? refused.get(key) : ErrorMapper.toError(results.get(key));
                    topic.partitions().add(new OffsetDeleteResponseData.OffsetDeleteResponsePartition()
                            .setPartitionIndex(p.partitionIndex()).setErrorCode(error.code()));
                }
                response.topics().add(topic);
            }
            return response;
        });
    }
}
