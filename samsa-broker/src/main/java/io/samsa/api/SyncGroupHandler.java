package io.samsa.api;

import io.samsa.coordinator.group.GroupCoordinator;
import io.samsa.coordinator.group.SyncRequest;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/** SyncGroup: the leader hands in the assignment; every member waits for its own share. */
final class SyncGroupHandler implements ApiHandler {

    private final GroupCoordinator groups;

    SyncGroupHandler(GroupCoordinator groups) {
        this.groups = groups;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        SyncGroupRequestData data = (SyncGroupRequestData) request.body();
        short version = request.version();
        if (version >= 5 && (data.protocolType() == null || data.protocolName() == null)) {
            // From v5 on both are mandatory; Kafka checks this before anything else.
            return refuse(Errors.INCONSISTENT_GROUP_PROTOCOL);
        }
        if (GroupIds.isInvalidForMembership(data.groupId())) {
            return refuse(Errors.INVALID_GROUP_ID);
        }
        Map<String, byte[]> assignments = new HashMap<>();
        data.assignments().forEach(a -> assignments.put(a.memberId(), a.assignment()));
        return groups.sync(new SyncRequest(data.groupId(), data.memberId(), data.groupInstanceId(),
                data.generationId(), data.protocolType(), data.protocolName(), assignments)).thenApply(result -> {
                    SyncGroupResponseData response = new SyncGroupResponseData()
                            .setErrorCode(ErrorMapper.toError(result.error()).code())
                            .setAssignment(result.assignment());
                    if (version >= 5) {
                        response.setProtocolType(result.protocolType()).setProtocolName(result.protocolName());
                    }
                    return response;
                });
    }

    private static CompletableFuture<ApiMessage> refuse(Errors error) {
        return CompletableFuture.completedFuture(new SyncGroupResponseData().setErrorCode(error.code()));
    }
}
