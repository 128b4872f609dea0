package io.samsa.api;

import io.samsa.coordinator.group.GroupCoordinator;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import io.samsa.security.Acl;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * ListGroups, with the state filter (v4+) and the type filter (v5+: "classic" or "consumer"). As in Kafka, DESCRIBE
 * on the cluster lists every group; without it, only the groups the principal may DESCRIBE are listed.
 */
final class ListGroupsHandler implements ApiHandler {

    private final GroupCoordinator groups;
    private final Access access;

    ListGroupsHandler(GroupCoordinator groups, Access access) {
        this.groups = groups;
        this.access = access;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        ListGroupsRequestData data = (ListGroupsRequestData) request.body();
        ListGroupsResponseData response = new ListGroupsResponseData().setErrorCode(Errors.NONE.code());
        boolean all = access.allowedQuietly(connection, Acl.Operation.DESCRIBE, Acl.ResourceType.CLUSTER,
                Acl.CLUSTER_NAME);
        for (GroupCoordinator.GroupListing g : groups.listGroups()) {
            if (!all && !access.allowedQuietly(connection, Acl.Operation.DESCRIBE, Acl.ResourceType.GROUP,
                    g.groupId())) {
                continue;
            }
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
