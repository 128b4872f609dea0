package io.samsa.api;

import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData.Coordinator;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * FindCoordinator for groups and transactional ids: on one node this broker coordinates every group and every
 * transactional id, once {@code __consumer_offsets} or {@code __transaction_state} exists (created here on first use).
 * Other key types (share groups) are refused with INVALID_REQUEST rather than left to retry forever.
 */
final class FindCoordinatorHandler implements ApiHandler {

    private static final byte GROUP = 0;
    private static final byte TRANSACTION = 1;

    private final BrokerIdentity identity;
    private final InternalTopic offsetsTopic;
    private final InternalTopic transactionStateTopic;

    FindCoordinatorHandler(BrokerIdentity identity, InternalTopic offsetsTopic, InternalTopic transactionStateTopic) {
        this.identity = identity;
        this.offsetsTopic = offsetsTopic;
        this.transactionStateTopic = transactionStateTopic;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        FindCoordinatorRequestData data = (FindCoordinatorRequestData) request.body();
        List<String> keys = request.version() >= 4 ? data.coordinatorKeys() : List.of(data.key());
        List<Coordinator> coordinators = new ArrayList<>();
        for (String key : keys) {
            coordinators.add(find(key, data.keyType()));
        }
        FindCoordinatorResponseData response = new FindCoordinatorResponseData();
        if (request.version() >= 4) {
            response.setCoordinators(coordinators);
        } else {
            Coordinator c = coordinators.get(0);
            response.setErrorCode(c.errorCode()).setErrorMessage(c.errorMessage()).setNodeId(c.nodeId())
                    .setHost(c.host()).setPort(c.port());
        }
        return CompletableFuture.completedFuture(response);
    }

    private Coordinator find(String key, byte keyType) {
        Coordinator c = new Coordinator().setKey(key).setNodeId(-1).setHost("").setPort(-1);
        if (keyType != GROUP && keyType != TRANSACTION) {
            return c.setErrorCode(Errors.INVALID_REQUEST.code())
                    .setErrorMessage("Samsa has no coordinator for key type " + keyType);
        }
        if (key == null || key.isEmpty()) {
            return c.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage(keyType == GROUP
                    ? "The group id must not be empty" : "The transactional id must not be empty");
        }
        try {
            (keyType == GROUP ? offsetsTopic : transactionStateTopic).ensureExists();
        } catch (RuntimeException e) {
            return c.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code()).setErrorMessage(e.getMessage());
        }
        return c.setErrorCode(Errors.NONE.code()).setNodeId(identity.brokerId()).setHost(identity.host())
                .setPort(identity.port());
    }
}
