package io.samsa.api;

import io.samsa.coordinator.group.GroupCoordinator;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.protocol.ApiMessage;

/** DeleteGroups: empty groups only (NON_EMPTY_GROUP otherwise), with their committed offsets. */
final class DeleteGroupsHandler implements ApiHandler {

    private final GroupCoordinator groups;

    DeleteGroupsHandler(GroupCoordinator groups) {
        this.groups = groups;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        DeleteGroupsRequestData data = (DeleteGroupsRequestData) request.body();
        List<CompletableFuture<DeleteGroupsResponseData.DeletableGroupResult>> results = new ArrayList<>();
        // A group named twice is deleted and answered once, as in Kafka.
        for (String groupId : data.groupsNames().stream().distinct().toList()) {
            results.add(groups.deleteGroup(groupId).thenApply(error -> new DeleteGroupsResponseData
                    .DeletableGroupResult().setGroupId(groupId).setErrorCode(ErrorMapper.toError(error).code())));
        }
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            DeleteGroupsResponseData response = new DeleteGroupsResponseData();
            results.forEach(r -> response.results().add(r.join()));
            return response;
        });
    }
}
