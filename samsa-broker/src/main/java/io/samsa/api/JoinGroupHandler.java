package io.samsa.api;

import io.samsa.coordinator.group.GroupCoordinator;
import io.samsa.coordinator.group.JoinRequest;
import io.samsa.coordinator.group.JoinResult;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.protocol.ApiMessage;

/** JoinGroup of the classic protocol; the response waits until the rebalance completes. */
final class JoinGroupHandler implements ApiHandler {

    private final GroupCoordinator groups;

    JoinGroupHandler(GroupCoordinator groups) {
        this.groups = groups;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        JoinGroupRequestData data = (JoinGroupRequestData) request.body();
        List<JoinRequest.Protocol> protocols = new ArrayList<>();
        data.protocols().forEach(p -> protocols.add(new JoinRequest.Protocol(p.name(), p.metadata())));
        int rebalanceTimeout = request.version() >= 1 ? data.rebalanceTimeoutMs() : data.sessionTimeoutMs();
        JoinRequest join = new JoinRequest(data.groupId(), data.memberId(), data.groupInstanceId(),
                request.clientId(), clientHost(connection), data.sessionTimeoutMs(), rebalanceTimeout,
                data.protocolType(), protocols, request.version() >= 4);
        short version = request.version();
        return groups.join(join).thenApply(result -> response(result, version));
    }

    /** The client's address as Kafka shows it: "/ip". */
    static String clientHost(ClientConnection connection) {
        return connection.remoteAddress() instanceof InetSocketAddress a ? "/" + a.getAddress().getHostAddress()
                : "";
    }

    private static ApiMessage response(JoinResult result, short version) {
        JoinGroupResponseData response = new JoinGroupResponseData()
                .setErrorCode(ErrorMapper.toError(result.error()).code())
                .setGenerationId(result.generationId())
                .setProtocolName(result.protocolName())
                .setLeader(result.leaderId())
                .setMemberId(result.memberId());
        if (version >= 7) {
            response.setProtocolType(result.protocolType());
        }
        if (version >= 9) {
            response.setSkipAssignment(result.skipAssignment());
        }
        if (version < 7 && result.protocolName() == null) {
            response.setProtocolName(""); // nullable only from v7
        }
        for (JoinResult.MemberMetadata m : result.members()) {
            JoinGroupResponseData.JoinGroupResponseMember member = new JoinGroupResponseData.JoinGroupResponseMember()
                    .setMemberId(m.memberId()).setMetadata(m.metadata());
            if (version >= 5) {
                member.setGroupInstanceId(m.groupInstanceId());
            }
            response.members().add(member);
        }
        return response;
    }
}
