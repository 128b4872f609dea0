package io.samsa.api;

import io.samsa.coordinator.group.GroupCoordinator;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/** Heartbeat: keeps a member's session alive and tells it when to rejoin. */
final class HeartbeatHandler implements ApiHandler {

    private final GroupCoordinator groups;

    HeartbeatHandler(GroupCoordinator groups) {
        this.groups = groups;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        HeartbeatRequestData data = (HeartbeatRequestData) request.body();
        if (GroupIds.isInvalidForMembership(data.groupId())) {
            return CompletableFuture.completedFuture(new HeartbeatResponseData()
                    .setErrorCode(Errors.INVALID_GROUP_ID.code()));
        }
        return CompletableFuture.completedFuture(new HeartbeatResponseData().setErrorCode(ErrorMapper.toError(
                groups.heartbeat(data.groupId(), data.memberId(), data.groupInstanceId(), data.generationId()))
                .code()));
    }
}
