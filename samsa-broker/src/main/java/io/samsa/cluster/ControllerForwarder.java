package io.samsa.cluster;

import io.samsa.api.Forwarding;
import io.samsa.metadata.MetadataController;
import io.samsa.protocol.Request;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.IntSupplier;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.message.AllocateProducerIdsRequestData;
import org.apache.kafka.common.message.AllocateProducerIdsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AllocateProducerIdsRequest;

/**
 * Sends the requests that change metadata to the active controller when this node is not it, over the Kafka protocol
 * at the controller's {@code samsa.peers} address; the client gets the controller's answer as if this node had made
 * it. While no controller is known the answer is NOT_CONTROLLER at once (clients refresh and retry), and a controller
 * that does not answer in time gives REQUEST_TIMED_OUT: never a hang, and no thread waits.
 *
 * <p>The forwarded request carries this node's connection, not the client's principal: with ACLs on, the controller
 * checks the forwarding node's identity (the inter-node listener), so ACLs on metadata changes are enforced only for
 * requests that reach the controller directly. Kafka's Envelope API would carry the principal.
 */
public final class ControllerForwarder implements Forwarding, MetadataController.RemoteController {

    /** What only the controller may do. */
    static final Set<ApiKeys> FORWARDED = EnumSet.of(ApiKeys.CREATE_TOPICS, ApiKeys.DELETE_TOPICS,
            ApiKeys.CREATE_PARTITIONS, ApiKeys.ALTER_CONFIGS, ApiKeys.INCREMENTAL_ALTER_CONFIGS, ApiKeys.CREATE_ACLS,
            ApiKeys.DELETE_ACLS, ApiKeys.ALTER_USER_SCRAM_CREDENTIALS, ApiKeys.ALLOCATE_PRODUCER_IDS,
            ApiKeys.BROKER_REGISTRATION, ApiKeys.BROKER_HEARTBEAT, ApiKeys.DESCRIBE_QUORUM);

    private final int nodeId;
    private final MetadataController controller;
    private final IntSupplier quorumLeader;
    private final PeerClient peers;
    /** Rotates the peer a registration goes to while no controller is known. */
    private int registrations;

    public ControllerForwarder(int nodeId, MetadataController controller, IntSupplier quorumLeader, PeerClient peers) {
        this.nodeId = nodeId;
        this.controller = controller;
        this.quorumLeader = quorumLeader;
        this.peers = peers;
    }

    @Override
    public CompletableFuture<ApiMessage> forward(Request request) {
        if (!FORWARDED.contains(request.apiKey()) || controller.isActive()) {
            return null;
        }
        int leader = quorumLeader.getAsInt();
        if (request.apiKey() == ApiKeys.DESCRIBE_QUORUM && (leader < 0 || leader == nodeId)) {
            return null; // answered here with what this node knows
        }
        return toController(leader, request.request()).handle((response, error) -> error == null ? response
                : request.request().getErrorResponse(0, retriable(error)).data());
    }

    /** Sends a request of this node's own to the active controller; completes with its answer. */
    public CompletableFuture<ApiMessage> toActiveController(AbstractRequest request) {
        return toController(quorumLeader.getAsInt(), request);
    }

    /** The active controller's answer to {@code request}, or a retriable failure. */
    private CompletableFuture<ApiMessage> toController(int leader, AbstractRequest request) {
        if (leader < 0 || leader == nodeId || !peers.knows(leader)) {
            return CompletableFuture.failedFuture(new NotControllerException("No active controller is known to node "
                    + nodeId + " yet (metadata quorum leader: " + (leader < 0 ? "none" : leader) + "); retry."));
        }
        return peers.send(leader, request).thenApply(r -> r.data());
    }

    private static Throwable retriable(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof NotControllerException) {
            return cause;
        }
        if (cause instanceof java.util.concurrent.TimeoutException) {
            return new TimeoutException("The controller did not answer in time; retry.");
        }
        return new NotControllerException("The controller could not be reached (" + cause.getMessage()
                + "); retry.");
    }

    /**
     * Sends a request to the active controller, or, while none is known, to any peer, which forwards it: a node whose
     * log was wiped hears from no leader (the leader's appends do not fit its empty log), and its registration is how
     * the controller learns of it.
     */
    public CompletableFuture<ApiMessage> toControllerOrAnyPeer(AbstractRequest request) {
        int leader = quorumLeader.getAsInt();
        int target = leader >= 0 && leader != nodeId ? leader : peers.anyPeer(registrations++);
        return toController(target, request);
    }
    /**
     * Asks the controller's node for the topic's metadata with auto-creation on: that node creates its internal
     * topics on first use, as for its own clients (CreateTopics refuses internal topics). Needs
     * auto.create.topics.enable on the controller, as Kafka's auto-creation of internal topics does.
     */
    @Override
    public CompletableFuture<Void> createInternalTopic(String name) {
        org.apache.kafka.common.message.MetadataRequestData data =
                new org.apache.kafka.common.message.MetadataRequestData().setAllowAutoTopicCreation(true);
        data.topics().add(new org.apache.kafka.common.message.MetadataRequestData.MetadataRequestTopic()
                .setName(name));
        AbstractRequest request = new org.apache.kafka.common.requests.MetadataRequest.Builder(data).build();
        return toController(quorumLeader.getAsInt(), request).thenApply(m -> {
            var topic = ((org.apache.kafka.common.message.MetadataResponseData) m).topics().find(name);
            Errors error = topic == null ? Errors.UNKNOWN_TOPIC_OR_PARTITION : Errors.forCode(topic.errorCode());
            if (error != Errors.NONE && error != Errors.LEADER_NOT_AVAILABLE) {
                throw error.exception();
            }
            return null;
        });
    }

    /** A block of producer ids from the active controller; completes with its first id. */
    public CompletableFuture<Long> allocateProducerIds() {
        AbstractRequest request = new AllocateProducerIdsRequest.Builder(new AllocateProducerIdsRequestData()
                .setBrokerId(nodeId).setBrokerEpoch(-1)).build();
        return toController(quorumLeader.getAsInt(), request).thenApply(m -> {
            AllocateProducerIdsResponseData response = (AllocateProducerIdsResponseData) m;
            Errors error = Errors.forCode(response.errorCode());
            if (error != Errors.NONE) {
                throw error.exception();
            }
            return response.producerIdStart();
        });
    }
}
