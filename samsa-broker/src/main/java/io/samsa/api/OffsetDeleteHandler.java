package io.samsa.api;

import io.samsa.coordinator.group.GroupCoordinator;
import io.samsa.coordinator.group.GroupError;
import io.samsa.coordinator.group.OffsetKey;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.ConsumerSubscriptions;
import io.samsa.protocol.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * OffsetDelete: removes a group's committed offsets, except for topics an active member is subscribed to
 * (GROUP_SUBSCRIBED_TO_TOPIC), which the coordinator reads from the members' consumer-protocol subscriptions.
 */
final class OffsetDeleteHandler implements ApiHandler {

    private final GroupCoordinator groups;

    OffsetDeleteHandler(GroupCoordinator groups) {
        this.groups = groups;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        OffsetDeleteRequestData data = (OffsetDeleteRequestData) request.body();
        if (GroupIds.isInvalidForMembership(data.groupId())) {
            return CompletableFuture.completedFuture(new OffsetDeleteResponseData()
                    .setErrorCode(Errors.INVALID_GROUP_ID.code()));
        }
        List<OffsetKey> partitions = new ArrayList<>();
        data.topics().forEach(t -> t.partitions().forEach(p -> partitions.add(new OffsetKey(data.groupId(),
                t.name(), p.partitionIndex()))));
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
                    GroupError error = results.get(new OffsetKey(data.groupId(), t.name(), p.partitionIndex()));
                    topic.partitions().add(new OffsetDeleteResponseData.OffsetDeleteResponsePartition()
                            .setPartitionIndex(p.partitionIndex()).setErrorCode(ErrorMapper.toError(error).code()));
                }
                response.topics().add(topic);
            }
            return response;
        });
    }
}
