package io.samsa.api;

import io.samsa.coordinator.group.GroupCoordinator;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/** ListGroups, with the state filter (v4+) and the type filter (v5+: "classic" or "consumer"). */
final class ListGroupsHandler implements ApiHandler {

    private final GroupCoordinator groups;

    ListGroupsHandler(GroupCoordinator groups) {
        this.groups = groups;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        ListGroupsRequestData data = (ListGroupsRequestData) request.body();
        ListGroupsResponseData response = new ListGroupsResponseData().setErrorCode(Errors.NONE.code());
        for (GroupCoordinator.GroupListing g : groups.listGroups()) {
            String state = g.state();
            if (!data.statesFilter().isEmpty() && data.statesFilter().stream().noneMatch(state::equalsIgnoreCase)) {
                continue;
            }
            if (!data.typesFilter().isEmpty() && data.typesFilter().stream().noneMatch(g.type()::equalsIgnoreCase)) {
                continue;
            }
            ListGroupsResponseData.ListedGroup listed = new ListGroupsResponseData.ListedGroup()
                    .setGroupId(g.groupId()).setProtocolType(g.protocolType());
            if (request.version() >= 4) {
                listed.setGroupState(state);
            }
            if (request.version() >= 5) {
                listed.setGroupType(g.type());
            }
            response.groups().add(listed);
        }
        return CompletableFuture.completedFuture(response);
    }
}
