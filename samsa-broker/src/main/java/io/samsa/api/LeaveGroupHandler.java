package io.samsa.api;

import io.samsa.coordinator.group.GroupCoordinator;
import io.samsa.coordinator.group.GroupError;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/** LeaveGroup: one member (v0–2) or a batch of members by id or instance id (v3+). */
final class LeaveGroupHandler implements ApiHandler {

    private final GroupCoordinator groups;

    LeaveGroupHandler(GroupCoordinator groups) {
        this.groups = groups;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        LeaveGroupRequestData data = (LeaveGroupRequestData) request.body();
        if (GroupIds.isInvalidForMembership(data.groupId())) {
            // A group-level error with no member results, at every version.
            return CompletableFuture.completedFuture(new LeaveGroupResponseData()
                    .setErrorCode(Errors.INVALID_GROUP_ID.code()));
        }
        List<GroupCoordinator.Leaving> leaving = new ArrayList<>();
        if (request.version() < 3) {
            leaving.add(new GroupCoordinator.Leaving(data.memberId(), null));
        } else {
            data.members().forEach(m -> leaving.add(new GroupCoordinator.Leaving(m.memberId(), m.groupInstanceId())));
        }
        List<GroupError> errors = groups.leave(data.groupId(), leaving);
        LeaveGroupResponseData response = new LeaveGroupResponseData().setErrorCode(Errors.NONE.code());
        if (request.version() < 3) {
            return CompletableFuture.completedFuture(response.setErrorCode(ErrorMapper.toError(errors.get(0))
                    .code()));
        }
        for (int i = 0; i < leaving.size(); i++) {
            response.members().add(new LeaveGroupResponseData.MemberResponse()
                    .setMemberId(leaving.get(i).memberId()).setGroupInstanceId(leaving.get(i).groupInstanceId())
                    .setErrorCode(ErrorMapper.toError(errors.get(i)).code()));
        }
        return CompletableFuture.completedFuture(response);
    }
}
