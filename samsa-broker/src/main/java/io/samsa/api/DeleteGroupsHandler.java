package io.samsa.api;

import io.samsa.coordinator.group.GroupCoordinator;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import io.samsa.security.Acl;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * DeleteGroups: empty groups only (NON_EMPTY_GROUP otherwise), with their committed offsets. Each group needs DELETE:
 * a denied one gets GROUP_AUTHORIZATION_FAILED, the others are deleted.
 */
final class DeleteGroupsHandler implements ApiHandler {

    private final GroupCoordinator groups;
    private final Access access;

    DeleteGroupsHandler(GroupCoordinator groups, Access access) {
        this.groups = groups;
        this.access = access;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        DeleteGroupsRequestData data = (DeleteGroupsRequestData) request.body();
        List<CompletableFuture<DeleteGroupsResponseData.DeletableGroupResult>> results = new ArrayList<>();
        // A group named twice is deleted and answered once, as in Kafka.
        for (String groupId : data.groupsNames().stream().distinct().toList()) {
            if (!access.allowed(request, connection, Acl.Operation.DELETE, Acl.ResourceType.GROUP, groupId)) {
                results.add(CompletableFuture.completedFuture(new DeleteGroupsResponseData.DeletableGroupResult()
                        .setGroupId(groupId).setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code())));
                continue;
            }
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
