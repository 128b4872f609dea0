package io.samsa.api;

import io.samsa.coordinator.group.GroupCoordinator;
import io.samsa.coordinator.group.GroupState;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import io.samsa.security.Acl;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeGroupsResponse;

/**
 * DescribeGroups: state, protocol and members; member metadata and assignments are shown once the group is Stable.
 * An unknown group is "Dead", with GROUP_ID_NOT_FOUND from v6 on, as in Kafka 4. Each group needs DESCRIBE: a denied
 * one gets GROUP_AUTHORIZATION_FAILED, the others are described, with their authorized operations (KIP-430) when the
 * client asks for them (v3+).
 */
final class DescribeGroupsHandler implements ApiHandler {


    private final GroupCoordinator groups;
    private final Access access;

    DescribeGroupsHandler(GroupCoordinator groups, Access access) {
        this.groups = groups;
        this.access = access;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        DescribeGroupsRequestData data = (DescribeGroupsRequestData) request.body();
        DescribeGroupsResponseData response = new DescribeGroupsResponseData();
        for (String groupId : data.groups()) {
            if (!access.allowed(request, connection, Acl.Operation.DESCRIBE, Acl.ResourceType.GROUP, groupId)) {
                response.groups().add(DescribeGroupsResponse.groupError(groupId, Errors.GROUP_AUTHORIZATION_FAILED));
                continue;
            }
            GroupCoordinator.GroupDescription group = groups.describe(groupId);
            DescribeGroupsResponseData.DescribedGroup described = new DescribeGroupsResponseData.DescribedGroup()
                    .setGroupId(groupId).setGroupState(group.state().kafkaName())
                    .setProtocolType(group.protocolType()).setProtocolData(group.protocolName())
                    .setAuthorizedOperations(AUTHORIZED_OPERATIONS_OMITTED).setErrorCode(Errors.NONE.code());
            if (group.state() == GroupState.DEAD && request.version() >= 6) {
                described.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code())
                        .setErrorMessage("Group " + groupId + " not found.");
            } else if (request.version() >= 3 && data.includeAuthorizedOperations()) {
                described.setAuthorizedOperations(access.authorizedOperations(connection, Acl.ResourceType.GROUP,
                        groupId));
            }
            for (GroupCoordinator.MemberDescription m : group.members()) {
                DescribeGroupsResponseData.DescribedGroupMember member =
                        new DescribeGroupsResponseData.DescribedGroupMember().setMemberId(m.memberId())
                                .setClientId(m.clientId()).setClientHost(m.clientHost())
                                .setMemberMetadata(m.metadata()).setMemberAssignment(m.assignment());
                if (request.version() >= 4) {
                    member.setGroupInstanceId(m.groupInstanceId());
                }
                described.members().add(member);
            }
            response.groups().add(described);
        }
        return CompletableFuture.completedFuture(response);
    }
}
