package io.samsa.api;

import io.samsa.metadata.MetadataController;
import io.samsa.metadata.MetadataRecord;
import io.samsa.network.ClientConnection;
import io.samsa.network.CloseConnection;
import io.samsa.network.Session;
import io.samsa.protocol.Request;
import io.samsa.protocol.ResponseEncoder;
import io.samsa.security.AuthenticationFailure;
import io.samsa.security.SaslConfig;
import io.samsa.security.SaslServer;
import io.samsa.security.ScramCredential;
import io.samsa.security.ScramMechanism;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SASL authentication on SASL_PLAINTEXT and SASL_SSL listeners, as Kafka's server authenticator does it:
 *
 * <pre>
 *   connected ──ApiVersions*──► SaslHandshake(mechanism) ──► SaslAuthenticate(token)* ──► authenticated
 *                                     │ v0: raw length-prefixed tokens instead of SaslAuthenticate
 *   authenticated ──SaslHandshake(same mechanism)──► SaslAuthenticate* ──► authenticated again (KIP-368)
 * </pre>
 *
 * <p>Before authentication only ApiVersions, SaslHandshake and SaslAuthenticate are served, in that order; anything
 * else closes the connection. A failed authentication (wrong credentials, an unknown mechanism, a request out of
 * order) is answered with SASL_AUTHENTICATION_FAILED (or UNSUPPORTED_SASL_MECHANISM) after
 * {@code connection.failed.authentication.delay.ms}, and the connection is closed, with one log line. With
 * {@code connections.max.reauth.ms}, the session lifetime is sent to the client, and a request after it expired
 * closes the connection unless it re-authenticates.
 *
 * <p>Thread-safety: the exchange state lives in each connection's {@link Session}, touched only by that connection's
 * serial request chain.
 */
final class SaslAuthenticator {

    private static final Logger LOG = LoggerFactory.getLogger(SaslAuthenticator.class);
    private static final Set<ApiKeys> BEFORE_AUTHENTICATION =
            Set.of(ApiKeys.API_VERSIONS, ApiKeys.SASL_HANDSHAKE, ApiKeys.SASL_AUTHENTICATE);

    /** An exchange in progress on one connection (in its session's SASL state). */
    private static final class Exchange {
        final SaslServer server;
        final boolean rawTokens;
        /** The principal being re-authenticated, or null for a first authentication. */
        final String reauthenticating;
        /** Set when a re-authentication asked for another mechanism: the next token fails. */
        final String badMechanism;

        Exchange(SaslServer server, boolean rawTokens, String reauthenticating, String badMechanism) {
            this.server = server;
            this.rawTokens = rawTokens;
            this.reauthenticating = reauthenticating;
            this.badMechanism = badMechanism;
        }
    }

    private final Map<String, SaslConfig> listeners;
    private final long failedDelayMs;
    private final MetadataController metadata;

    /**
     * @param listeners each SASL listener's settings, by listener name
     * @param failedDelayMs connection.failed.authentication.delay.ms
     */
    SaslAuthenticator(Map<String, SaslConfig> listeners, long failedDelayMs, MetadataController metadata) {
        this.listeners = Map.copyOf(listeners);
        this.failedDelayMs = failedDelayMs;
        this.metadata = metadata;
    }

    /** True when the frame is a bare SASL token of a SaslHandshake v0 exchange rather than a Kafka request. */
    boolean expectsRawToken(ClientConnection connection) {
        return connection.session().saslState() instanceof Exchange e && e.rawTokens;
    }

    /**
     * Whether a decoded request may be served on this connection now.
     *
     * @return null when it may, else the future (failing with {@link CloseConnection}) that closes the connection
     */
    CompletableFuture<ByteBuffer> gate(Request request, ClientConnection connection) {
        Session session = connection.session();
        if (!session.saslRequired()) {
            return null;
        }
        ApiKeys key = request.apiKey();
        Exchange exchange = session.saslState() instanceof Exchange e ? e : null;
        if (!session.authenticated()) {
            boolean inOrder = BEFORE_AUTHENTICATION.contains(key)
                    && (exchange == null ? key != ApiKeys.SASL_AUTHENTICATE : key == ApiKeys.SASL_AUTHENTICATE);
            if (!inOrder) {
                return refuse(connection, null, "unexpected " + key + " request during SASL authentication");
            }
            return null;
        }
        if (System.nanoTime() - session.reauthDeadlineNanos() > 0 && exchange == null
                && key != ApiKeys.SASL_HANDSHAKE) {
            LOG.info("Closing connection {} from {}: its SASL session expired (connections.max.reauth.ms) and it did"
                    + " not re-authenticate", connection.id(), connection.remoteAddress());
            return CompletableFuture.failedFuture(new CloseConnection("SASL session expired"));
        }
        return null;
    }

    CompletableFuture<ApiMessage> handshake(Request request, ClientConnection connection) {
        SaslHandshakeRequestData data = (SaslHandshakeRequestData) request.body();
        Session session = connection.session();
        SaslConfig config = connection.listenerName() == null ? null : listeners.get(connection.listenerName());
        if (!session.saslRequired() || config == null) {
            return CompletableFuture.completedFuture(new SaslHandshakeResponseData()
                    .setErrorCode(Errors.ILLEGAL_SASL_STATE.code()));
        }
        SaslHandshakeResponseData response = new SaslHandshakeResponseData()
                .setMechanisms(config.enabledMechanisms());
        if (!config.enabledMechanisms().contains(data.mechanism())) {
            return fail(connection, request, response.setErrorCode(Errors.UNSUPPORTED_SASL_MECHANISM.code()),
                    "unsupported SASL mechanism " + data.mechanism());
        }
        String reauthenticating = session.authenticated() ? session.principal() : null;
        String badMechanism = null;
        if (reauthenticating != null && !data.mechanism().equals(session.saslMechanism())) {
            badMechanism = "SASL mechanism '" + data.mechanism() + "' requested by client is not supported for"
                    + " re-authentication of mechanism '" + session.saslMechanism() + "'";
        }
        session.saslState(new Exchange(config.newServer(data.mechanism(), this::scramCredential),
                request.version() == 0, reauthenticating, badMechanism));
        return CompletableFuture.completedFuture(response.setErrorCode(Errors.NONE.code()));
    }

    CompletableFuture<ApiMessage> authenticate(Request request, ClientConnection connection) {
        SaslAuthenticateRequestData data = (SaslAuthenticateRequestData) request.body();
        Session session = connection.session();
        if (!(session.saslState() instanceof Exchange exchange) || exchange.rawTokens) {
            // Kafka's answer to a SaslAuthenticate outside an exchange on an authenticated or non-SASL connection.
            return CompletableFuture.completedFuture(new SaslAuthenticateResponseData()
                    .setErrorCode(Errors.ILLEGAL_SASL_STATE.code())
                    .setErrorMessage("SaslAuthenticate request received after successful authentication"));
        }
        try {
            byte[] token = evaluate(exchange, data.authBytes());
            long lifetimeMs = exchange.server.complete() ? complete(connection, exchange) : 0L;
            return CompletableFuture.completedFuture(new SaslAuthenticateResponseData()
                    .setErrorCode(Errors.NONE.code()).setAuthBytes(token).setSessionLifetimeMs(lifetimeMs));
        } catch (AuthenticationFailure e) {
            return fail(connection, request, new SaslAuthenticateResponseData()
                    .setErrorCode(Errors.SASL_AUTHENTICATION_FAILED.code()).setErrorMessage(e.getMessage()),
                    exchange.server.mechanism() + ": " + e.logDetail());
        }
    }

    /** A bare token of a SaslHandshake v0 exchange: answered with a bare, length-prefixed token. */
    CompletableFuture<ByteBuffer> rawToken(ByteBuffer frame, ClientConnection connection) {
        Exchange exchange = (Exchange) connection.session().saslState();
        byte[] token = new byte[frame.remaining()];
        frame.get(token);
        try {
            byte[] answer = evaluate(exchange, token);
            if (exchange.server.complete()) {
                complete(connection, exchange);
            }
            ByteBuffer out = ByteBuffer.allocate(4 + answer.length).putInt(answer.length).put(answer);
            return CompletableFuture.completedFuture(out.flip());
        } catch (AuthenticationFailure e) {
            // Without SaslAuthenticate framing there is no way to send an error: the connection just closes.
            return refuse(connection, null, exchange.server.mechanism() + ": " + e.logDetail());
        }
    }

    private static byte[] evaluate(Exchange exchange, byte[] token) throws AuthenticationFailure {
        if (exchange.badMechanism != null) {
            throw new AuthenticationFailure(exchange.badMechanism, exchange.badMechanism);
        }
        return exchange.server.evaluate(token);
    }

    /** Marks the session authenticated; returns the session lifetime to tell the client (0: unlimited). */
    private long complete(ClientConnection connection, Exchange exchange) throws AuthenticationFailure {
        String principal = "User:" + exchange.server.userName();
        if (exchange.reauthenticating != null && !exchange.reauthenticating.equals(principal)) {
            throw new AuthenticationFailure("Cannot change principals during re-authentication from "
                    + exchange.reauthenticating + ": " + principal, "re-authentication as another principal");
        }
        long lifetimeMs = listeners.get(connection.listenerName()).maxReauthMs();
        long deadline = lifetimeMs > 0 ? System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(lifetimeMs)
                : Long.MAX_VALUE;
        connection.session().authenticated(principal, exchange.server.mechanism(), deadline);
        LOG.debug("Connection {} from {} authenticated as {} with {}", connection.id(), connection.remoteAddress(),
                principal, exchange.server.mechanism());
        return Math.max(lifetimeMs, 0);
    }

    private ScramCredential scramCredential(ScramMechanism mechanism, String user) {
        MetadataRecord.UserScramCredential c = metadata.image().scramCredentials().getOrDefault(user, Map.of())
                .get(mechanism.id());
        return c == null ? null : new ScramCredential(c.salt(), c.storedKey(), c.serverKey(), c.iterations());
    }

    /** Answers with {@code response}, after the failed-authentication delay, then closes the connection. */
    private <T> CompletableFuture<T> fail(ClientConnection connection, Request request, ApiMessage response,
            String logDetail) {
        return refuse(connection, ResponseEncoder.encode(request, response).toByteBuffer(), logDetail);
    }

    private <T> CompletableFuture<T> refuse(ClientConnection connection, ByteBuffer lastResponse, String logDetail) {
        LOG.info("Failed authentication with {} (connection {}, listener {}): {}", connection.remoteAddress(),
                connection.id(), connection.listenerName(), logDetail);
        connection.session().saslState(null);
        CompletableFuture<T> closed = new CompletableFuture<>();
        CompletableFuture.delayedExecutor(failedDelayMs, TimeUnit.MILLISECONDS).execute(() ->
                closed.completeExceptionally(new CloseConnection("failed authentication", lastResponse)));
        return closed;
    }
}
