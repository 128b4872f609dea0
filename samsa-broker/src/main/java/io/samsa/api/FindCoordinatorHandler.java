package io.samsa.api;

import io.samsa.metadata.MetadataImage;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import io.samsa.security.Acl;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData.Coordinator;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * FindCoordinator for groups and transactional ids: the coordinator of a key is the leader of its partition of
 * {@code __consumer_offsets} or {@code __transaction_state} (created here on first use), answered with that broker's
 * address on the client's listener; while that partition has no live leader the answer is COORDINATOR_NOT_AVAILABLE,
 * which clients retry, as Kafka answers. Other key types (share groups) are refused with INVALID_REQUEST rather than
 * left to retry forever.
 */
final class FindCoordinatorHandler implements ApiHandler {

    private static final byte GROUP = 0;
    private static final byte TRANSACTION = 1;

    private final ClusterView cluster;
    private final Coordinators coordinators;
    private final Access access;

    FindCoordinatorHandler(ClusterView cluster, Coordinators coordinators, Access access) {
        this.access = access;
        this.cluster = cluster;
        this.coordinators = coordinators;
    }
    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        FindCoordinatorRequestData data = (FindCoordinatorRequestData) request.body();
        List<String> keys = request.version() >= 4 ? data.coordinatorKeys() : List.of(data.key());
        List<CompletableFuture<Coordinator>> found = new ArrayList<>();
        for (String key : keys) {
            boolean denied = (data.keyType() == GROUP || data.keyType() == TRANSACTION) && key != null
                    && !access.allowed(request, connection, Acl.Operation.DESCRIBE, data.keyType() == GROUP
                            ? Acl.ResourceType.GROUP : Acl.ResourceType.TRANSACTIONAL_ID, key);
            found.add(denied ? CompletableFuture.completedFuture(new Coordinator().setKey(key).setNodeId(-1)
                    .setHost("").setPort(-1).setErrorCode(data.keyType() == GROUP
                            ? Errors.GROUP_AUTHORIZATION_FAILED.code()
                            : Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code()))
                    : find(key, data.keyType(), connection.listenerName()));
        }
        return CompletableFuture.allOf(found.toArray(CompletableFuture[]::new)).thenApply(v -> {
            List<Coordinator> coordinators = found.stream().map(CompletableFuture::join).toList();
            FindCoordinatorResponseData response = new FindCoordinatorResponseData();
            if (request.version() >= 4) {
                response.setCoordinators(new ArrayList<>(coordinators));
            } else {
                Coordinator c = coordinators.get(0);
                response.setErrorCode(c.errorCode()).setErrorMessage(c.errorMessage()).setNodeId(c.nodeId())
                        .setHost(c.host()).setPort(c.port());
            }
            return response;
        });
    }

    /**
     * The coordinator of a key; its internal topic is created on first use and waited for without holding a request
     * thread (behind a large metadata change, for at most {@link PublishedChanges#MAX_WAIT_MS}; after that the client
     * is told COORDINATOR_NOT_AVAILABLE and retries, as Kafka answers while it creates the topic).
     */
    private CompletableFuture<Coordinator> find(String key, byte keyType, String listenerName) {
        Coordinator c = new Coordinator().setKey(key).setNodeId(-1).setHost("").setPort(-1);
        if (keyType != GROUP && keyType != TRANSACTION) {
            return CompletableFuture.completedFuture(c.setErrorCode(Errors.INVALID_REQUEST.code())
                    .setErrorMessage("Samsa has no coordinator for key type " + keyType));
        }
        if (key == null || key.isEmpty()) {
            return CompletableFuture.completedFuture(c.setErrorCode(Errors.INVALID_REQUEST.code())
                    .setErrorMessage(keyType == GROUP ? "The group id must not be empty"
                            : "The transactional id must not be empty"));
        }
        Coordinators.Kind kind = keyType == GROUP ? Coordinators.Kind.GROUP : Coordinators.Kind.TRANSACTION;
        InternalTopic topic = coordinators.topic(kind);
        CompletableFuture<Void> created;
        try {
            created = topic.create();
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(c.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code())
                    .setErrorMessage(e.getMessage()));
        }
        return created.completeOnTimeout(null, PublishedChanges.MAX_WAIT_MS, TimeUnit.MILLISECONDS).thenApply(v -> {
            if (!topic.isPublished()) {
                return c.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code())
                        .setErrorMessage("The coordinator's topic " + topic.name() + " is being created");
            }
            MetadataImage image = cluster.image();
            int leader = coordinators.coordinatorOf(image, kind, key);
            BrokerIdentity.Endpoint at = cluster.liveEndpoint(image, leader, listenerName);
            if (at == null) {
                return c.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code()).setErrorMessage("Partition "
                        + coordinators.partitionFor(kind, key) + " of " + topic.name() + " has no live leader");
            }
            return c.setErrorCode(Errors.NONE.code()).setNodeId(leader).setHost(at.host()).setPort(at.port());
        });
    }
}
