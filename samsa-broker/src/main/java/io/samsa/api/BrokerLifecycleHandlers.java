package io.samsa.api;

import io.samsa.metadata.MetadataController;
import io.samsa.metadata.MetadataException;
import io.samsa.metadata.MetadataRecord;
import io.samsa.metadata.controller.BrokerLifecycleControl;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.BrokerHeartbeatRequestData;
import org.apache.kafka.common.message.BrokerHeartbeatResponseData;
import org.apache.kafka.common.message.BrokerRegistrationRequestData;
import org.apache.kafka.common.message.BrokerRegistrationResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * BrokerRegistration (API 62) and BrokerHeartbeat (API 63), the broker lifecycle over the Kafka protocol as KRaft
 * carries it: served by the node whose controller is active, sent by brokers through their controller channel. The
 * static methods convert between the wire messages and the controller's own types, in both directions, so that the
 * sending side uses the same mapping.
 *
 * <p>"Caught up" travels as Kafka's {@code WantFence}: a broker that has not applied its registration yet wants to
 * stay fenced. Errors travel as Kafka's codes: STALE_BROKER_EPOCH, DUPLICATE_BROKER_REGISTRATION,
 * BROKER_ID_NOT_REGISTERED, INCONSISTENT_CLUSTER_ID.
 */
public final class BrokerLifecycleHandlers {

    private BrokerLifecycleHandlers() {}

    /** The handler of BrokerRegistration. */
    static ApiHandler registration(MetadataController controller, BrokerIdentity identity) {
        return (request, connection) -> {
            BrokerRegistrationRequestData data = (BrokerRegistrationRequestData) request.body();
            BrokerRegistrationResponseData response = new BrokerRegistrationResponseData();
            if (!identity.clusterId().equals(data.clusterId())) {
                return CompletableFuture.completedFuture(response.setErrorCode(
                        Errors.INCONSISTENT_CLUSTER_ID.code()));
            }
            return answer(() -> controller.registerBroker(registration(data)),
                    epoch -> response.setBrokerEpoch(epoch), e -> response.setErrorCode(e.code()));
        };
    }

    /** The handler of BrokerHeartbeat. */
    static ApiHandler heartbeat(MetadataController controller) {
        return (request, connection) -> {
            BrokerHeartbeatRequestData data = (BrokerHeartbeatRequestData) request.body();
            BrokerHeartbeatResponseData response = new BrokerHeartbeatResponseData();
            BrokerLifecycleControl.Heartbeat heartbeat = heartbeat(data);
            return answer(() -> controller.brokerHeartbeat(heartbeat),
                    reply -> response.setIsCaughtUp(heartbeat.caughtUp()).setIsFenced(reply.fenced())
                            .setShouldShutDown(reply.shouldShutDown()),
                    e -> response.setErrorCode(e.code()));
        };
    }

    private static <T> CompletableFuture<ApiMessage> answer(
            java.util.function.Supplier<CompletableFuture<T>> call, Function<T, ApiMessage> ok,
            Function<Errors, ApiMessage> failed) {
        CompletableFuture<T> result;
        try {
            result = call.get();
        } catch (MetadataException e) {
            return CompletableFuture.completedFuture(failed.apply(ErrorMapper.toError(e)));
        }
        return result.handle((value, error) -> {
            if (error == null) {
                return ok.apply(value);
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause()
                    : error;
            if (cause instanceof MetadataException m) {
                return failed.apply(ErrorMapper.toError(m));
            }
            throw new CompletionException(cause);
        });
    }

    /** The controller's registration from the wire request; the first listener is the broker's main address. */
    public static BrokerLifecycleControl.Registration registration(BrokerRegistrationRequestData data) {
        List<MetadataRecord.BrokerEndpoint> endpoints = new ArrayList<>();
        data.listeners().forEach(l -> endpoints.add(new MetadataRecord.BrokerEndpoint(l.name(), l.host(), l.port())));
        if (endpoints.isEmpty()) {
            throw new MetadataException(MetadataException.Kind.INVALID_REQUEST, "A broker registers at least one"
                    + " listener");
        }
        return new BrokerLifecycleControl.Registration(data.brokerId(), new java.util.UUID(data.incarnationId().getMostSignificantBits(),
                data.incarnationId().getLeastSignificantBits()),
                endpoints, data.rack());
    }

    /** The wire request of a registration, each listener with its security protocol's id (PLAINTEXT if unknown). */
    public static BrokerRegistrationRequestData request(BrokerLifecycleControl.Registration registration,
            String clusterId, Map<String, Short> securityProtocols) {
        BrokerRegistrationRequestData data = new BrokerRegistrationRequestData().setBrokerId(registration.brokerId())
                .setClusterId(clusterId).setIncarnationId(new Uuid(registration.incarnationId().getMostSignificantBits(),
                        registration.incarnationId().getLeastSignificantBits()))
                .setRack(registration.rack());
        for (MetadataRecord.BrokerEndpoint e : registration.endpoints()) {
            data.listeners().add(new BrokerRegistrationRequestData.Listener().setName(e.listener()).setHost(e.host())
                    .setPort(e.port()).setSecurityProtocol(securityProtocols.getOrDefault(e.listener(), (short) 0)));
        }
        return data;
    }

    /** The controller's heartbeat from the wire request. */
    public static BrokerLifecycleControl.Heartbeat heartbeat(BrokerHeartbeatRequestData data) {
        return new BrokerLifecycleControl.Heartbeat(data.brokerId(), data.brokerEpoch(), !data.wantFence(),
                data.wantShutDown());
    }

    /** The wire request of a heartbeat. */
    public static BrokerHeartbeatRequestData request(BrokerLifecycleControl.Heartbeat heartbeat,
            long appliedOffset) {
        return new BrokerHeartbeatRequestData().setBrokerId(heartbeat.brokerId())
                .setBrokerEpoch(heartbeat.brokerEpoch()).setCurrentMetadataOffset(appliedOffset)
                .setWantFence(!heartbeat.caughtUp()).setWantShutDown(heartbeat.wantShutDown());
    }

    /**
     * The broker epoch a registration response grants.
     *
     * @throws MetadataException with the error's kind when the response carries one the lifecycle knows
     * @throws IllegalStateException for any other error (retried by the broker)
     */
    public static long epoch(BrokerRegistrationResponseData response) {
        check(response.errorCode());
        return response.brokerEpoch();
    }

    /** The reply a heartbeat response carries; throws as {@link #epoch} does. */
    public static BrokerLifecycleControl.HeartbeatReply reply(BrokerHeartbeatResponseData response) {
        check(response.errorCode());
        return new BrokerLifecycleControl.HeartbeatReply(response.isFenced(), response.shouldShutDown());
    }

    private static void check(short code) {
        Errors error = Errors.forCode(code);
        if (error == Errors.NONE) {
            return;
        }
        for (MetadataException.Kind kind : MetadataException.Kind.values()) {
            if (kind.name().equals(error.name())) {
                throw new MetadataException(kind, error.message());
            }
        }
        throw new IllegalStateException(error.name() + ": " + error.message());
    }
}
