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

/** SyncGroup: the leader hands in the assignment; every member waits for its own share. */
final class SyncGroupHandler implements ApiHandler {

    private final GroupCoordinator groups;

    SyncGroupHandler(GroupCoordinator groups) {
        this.groups = groups;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        SyncGroupRequestData data = (SyncGroupRequestData) request.body();
        Map<String, byte[]> assignments = new HashMap<>();
        data.assignments().forEach(a -> assignments.put(a.memberId(), a.assignment()));
        short version = request.version();
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
}
