package io.samsa.api;

import io.samsa.network.ClientConnection;
import io.samsa.network.CloseConnection;
import io.samsa.network.FrameHandler;
import io.samsa.protocol.ResponseFrame;
import io.samsa.protocol.Request;
import io.samsa.protocol.RequestDecoder;
import io.samsa.protocol.ResponseEncoder;
import io.samsa.protocol.SupportedApis;
import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes each frame, hands it to the handler of its API and encodes the answer. What handlers are registered is
 * exactly what ApiVersions advertises. Thread-safe once built.
 */
public final class ApiDispatcher implements FrameHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ApiDispatcher.class);

    private final Map<ApiKeys, ApiHandler> handlers;
    private final RequestDecoder decoder;
    /** Sees every request answered (metrics); set once at start-up, before the first request. */
    private volatile RequestObserver observer = RequestObserver.NONE;
    private volatile Forwarding forwarding = Forwarding.NONE;
    private final SaslAuthenticator sasl;

    private final Access access;
    /** Refuses coordinator requests for keys another node coordinates; null when there is none to refuse. */
    private final CoordinatorGate coordinatorGate;

    private ApiDispatcher(Map<ApiKeys, ApiHandler> handlers, SupportedApis supported, SaslAuthenticator sasl,
            Access access, CoordinatorGate coordinatorGate) {
        this.access = access;
        this.coordinatorGate = coordinatorGate;
        this.handlers = handlers;
        this.decoder = new RequestDecoder(supported);
        this.sasl = sasl;
    }

    /** Collects handlers with the version ranges they serve. */
    public static final class Builder {
        private final Map<ApiKeys, ApiHandler> handlers = new EnumMap<>(ApiKeys.class);
        private final Map<ApiKeys, SupportedApis.Range> ranges = new EnumMap<>(ApiKeys.class);
        private SaslAuthenticator sasl;
        private Access access = Access.ALLOW_ALL;
        private CoordinatorGate coordinatorGate;

        /** Sends coordinator requests for keys this node does not coordinate back with NOT_COORDINATOR. */
        Builder coordinatorGate(CoordinatorGate gate) {
            this.coordinatorGate = gate;
            return this;
        }

        /** Authorizes requests (the handlers that authorize per resource are given the same access). */
        Builder access(Access access) {
            this.access = access;
            return this;
        }

        /** Serves SaslHandshake and SaslAuthenticate, and keeps unauthenticated clients of SASL listeners out. */
        Builder sasl(SaslAuthenticator authenticator) {
            this.sasl = authenticator;
            register(ApiKeys.SASL_HANDSHAKE, 0, authenticator::handshake);
            return register(ApiKeys.SASL_AUTHENTICATE, 0, authenticator::authenticate);
        }

        /** Serves {@code apiKey} from {@code min} to the newest stable version kafka-clients knows. */
        public Builder register(ApiKeys apiKey, int min, ApiHandler handler) {
            return register(apiKey, min, apiKey.latestVersion(false), handler);
        }

        public Builder register(ApiKeys apiKey, int min, int max, ApiHandler handler) {
            handlers.put(apiKey, handler);
            ranges.put(apiKey, new SupportedApis.Range((short) Math.max(min, apiKey.oldestVersion()), (short) max));
            return this;
        }

        /** The dispatcher, with ApiVersions added: it advertises exactly the APIs registered. */
        public ApiDispatcher build() {
            ranges.put(ApiKeys.API_VERSIONS, new SupportedApis.Range((short) 0, ApiKeys.API_VERSIONS.latestVersion(
                    false)));
            SupportedApis supported = new SupportedApis(ranges);
            handlers.put(ApiKeys.API_VERSIONS, new ApiVersionsHandler(supported));
            return new ApiDispatcher(new EnumMap<>(handlers), supported, sasl, access, coordinatorGate);
        }
    }

    /** Sends metadata changes that this node cannot make to the node that can (set once, before serving). */
    public void forwardTo(Forwarding forwarding) {
        this.forwarding = forwarding;
    }

    /** Shows every request and its answer to {@code observer} (the broker's request metrics). */
    public void observe(RequestObserver observer) {
        this.observer = observer;
    }

    @Override
    public CompletableFuture<ResponseFrame> handle(ByteBuffer frame, ClientConnection connection) {
        long now = System.nanoTime();
        return handle(frame, connection, now);
    }

    @Override
    public CompletableFuture<ResponseFrame> handle(ByteBuffer frame, ClientConnection connection,
            long receivedNanos) {
        long startNanos = System.nanoTime();
        if (connection.session().saslRequired() && sasl != null && sasl.expectsRawToken(connection)) {
            return framed(sasl.rawToken(frame, connection));
        }
        Request request = decoder.decode(frame);
        if (LOG.isTraceEnabled()) {
            LOG.trace("Connection {}: {} {}", connection.id(), request, request.body());
        }
        if (connection.session().saslRequired()) {
            CompletableFuture<ByteBuffer> refused = sasl == null
                    ? CompletableFuture.failedFuture(new CloseConnection("SASL is not configured"))
                    : sasl.gate(request, connection);
            if (refused != null) {
                return framed(refused);
            }
        }
        ApiHandler handler = handlers.get(request.apiKey());
        CompletableFuture<ApiMessage> response;
        try {
            ApiMessage denied = request.versionUnsupported() ? null
                    : RequestAuthorization.deny(request, connection, access);
            CoordinatorGate.Decision coordination = denied != null || coordinatorGate == null
                    || request.versionUnsupported() ? CoordinatorGate.Decision.SERVE
                    : coordinatorGate.decide(request);
            if (coordination.refusal() != null) {
                denied = coordination.refusal();
            }
            CompletableFuture<ApiMessage> forwarded = denied != null || request.versionUnsupported() ? null
                    : forwarding.forward(request);
            response = denied != null ? CompletableFuture.completedFuture(denied)
                    : forwarded != null ? forwarded : handler.handle(request, connection);
            if (!coordination.elsewhere().isEmpty()) {
                response = response.thenApply(body -> CoordinatorGate.markElsewhere(body, coordination.elsewhere()));
            }
        } catch (RuntimeException e) {
            response = CompletableFuture.failedFuture(e);
        }
        return response.handle((body, error) -> {
            if (error instanceof CloseConnection || error != null && error.getCause() instanceof CloseConnection) {
                throw error instanceof CloseConnection close ? close : (CloseConnection) error.getCause();
            }
            Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            if (cause instanceof io.samsa.metadata.MetadataException refused) {
                // A change the quorum did not commit (the controller moved, no quorum): Kafka's error, which clients
                // retry, for everything the request asked.
                body = request.request().getErrorResponse(0, ErrorMapper.toError(refused).exception(
                        refused.getMessage())).data();
            } else if (error != null) {
                LOG.error("Unexpected error serving {} from connection {}", request, connection.id(), error);
                body = request.request().getErrorResponse(0, error).data();
            }
            observe(request, body, receivedNanos, startNanos);
            return body == null ? null : ResponseEncoder.encode(request, body);
        });
    }

    /** Authentication's answers, encoded by the authenticator itself, as frames. */
    private static CompletableFuture<ResponseFrame> framed(CompletableFuture<ByteBuffer> encoded) {
        return encoded.thenApply(buffer -> buffer == null ? null : ResponseFrame.of(buffer));
    }

    /** Metrics must never fail a request: a failing observer is logged and the response goes out. */
    private void observe(Request request, ApiMessage response, long receivedNanos, long startNanos) {
        try {
            observer.answered(request, response, receivedNanos, startNanos);
        } catch (RuntimeException e) {
            LOG.warn("Request metrics failed for {}: {}", request, e.toString());
        }
    }
}
