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
 * FindCoordinator for groups: on one node this broker coordinates every group, once {@code __consumer_offsets}
 * exists (created here on first use). Transaction coordinators arrive with transactions; until then that key type
 * is refused with INVALID_REQUEST rather than left to retry forever.
 */
final class FindCoordinatorHandler implements ApiHandler {

    private static final byte GROUP = 0;

    private final BrokerIdentity identity;
    private final OffsetsTopic offsetsTopic;

    FindCoordinatorHandler(BrokerIdentity identity, OffsetsTopic offsetsTopic) {
        this.identity = identity;
        this.offsetsTopic = offsetsTopic;
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
        if (keyType != GROUP) {
            return c.setErrorCode(Errors.INVALID_REQUEST.code())
                    .setErrorMessage("Samsa has no transaction coordinator yet (key type " + keyType + ")");
        }
        if (key == null || key.isEmpty()) {
            return c.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("The group id must not be empty");
        }
        try {
            offsetsTopic.ensureExists();
        } catch (RuntimeException e) {
            return c.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code()).setErrorMessage(e.getMessage());
        }
        return c.setErrorCode(Errors.NONE.code()).setNodeId(identity.brokerId()).setHost(identity.host())
                .setPort(identity.port());
    }
}
