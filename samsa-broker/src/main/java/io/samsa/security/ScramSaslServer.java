package io.samsa.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.function.Function;

/**
 * The server side of SCRAM (RFC 5802) for one authentication: client-first → server-first (nonce, salt, iterations)
 * → client-final (proof) → server-final (signature). No channel binding (Kafka has none); the {@code tokenauth}
 * extension (delegation tokens) is refused. Every failure tells the client only that the credentials were invalid,
 * as Kafka does, so a client cannot learn which users exist.
 *
 * <pre>
 *   RECEIVE_CLIENT_FIRST ──evaluate──► RECEIVE_CLIENT_FINAL ──evaluate──► COMPLETE
 *            └──────────── any failure ───────────┴──► FAILED
 * </pre>
 */
public final class ScramSaslServer implements SaslServer {

    static final byte[] CLIENT_KEY = "Client Key".getBytes(StandardCharsets.US_ASCII);
    static final byte[] SERVER_KEY = "Server Key".getBytes(StandardCharsets.US_ASCII);
    private static final SecureRandom RANDOM = new SecureRandom();

    private enum State {
        RECEIVE_CLIENT_FIRST,
        RECEIVE_CLIENT_FINAL,
        COMPLETE,
        FAILED
    }

    private final ScramMechanism mechanism;
    private final Function<String, ScramCredential> credentials;
    private State state = State.RECEIVE_CLIENT_FIRST;
    private String userName;
    private ScramCredential credential;
    private String clientFirstBare;
    private String serverFirst;
    private String gs2Header;
    private String nonce;

    /**
     * @param credentials the stored credential of a user for this mechanism, or null when there is none
     */
    public ScramSaslServer(ScramMechanism mechanism, Function<String, ScramCredential> credentials) {
        this.mechanism = mechanism;
        this.credentials = credentials;
    }

    @Override
    public String mechanism() {
        return mechanism.mechanismName();
    }

    @Override
    public byte[] evaluate(byte[] clientToken) throws AuthenticationFailure {
        try {
            String message = new String(clientToken, StandardCharsets.UTF_8);
            return switch (state) {
                case RECEIVE_CLIENT_FIRST -> clientFirst(message);
                case RECEIVE_CLIENT_FINAL -> clientFinal(message);
                case COMPLETE, FAILED -> throw fail("unexpected SCRAM message in state " + state);
            };
        } catch (AuthenticationFailure e) {
            state = State.FAILED;
            throw e;
        } catch (RuntimeException e) {
            state = State.FAILED;
            throw fail("malformed SCRAM message: " + e.getMessage());
        }
    }

    private byte[] clientFirst(String message) throws AuthenticationFailure {
        // gs2-header: "n," or "y," (no channel binding), then an optional "a=authzid", then ","
        if (!(message.startsWith("n,") || message.startsWith("y,"))) {
            throw fail("SCRAM client-first message asks for channel binding or is malformed");
        }
        int bare = message.indexOf(',', 2);
        if (bare < 0) {
            throw fail("SCRAM client-first message has no bare part");
        }
        gs2Header = message.substring(0, bare + 1);
        String authorizationId = message.substring(2, bare);
        clientFirstBare = message.substring(bare + 1);
        String[] fields = clientFirstBare.split(",");
        if (fields.length < 2 || !fields[0].startsWith("n=") || !fields[1].startsWith("r=")) {
            throw fail("SCRAM client-first message lacks n= or r=");
        }
        userName = fields[0].substring(2).replace("=2C", ",").replace("=3D", "=");
        String clientNonce = fields[1].substring(2);
        for (int i = 2; i < fields.length; i++) {
            if (fields[i].startsWith("tokenauth=")) {
                throw fail("SCRAM delegation-token authentication (tokenauth) is not supported");
            }
        }
        if (!authorizationId.isEmpty() && !authorizationId.equals("a=" + fields[0].substring(2))) {
            throw fail("SCRAM authorization id " + authorizationId + " differs from user " + userName);
        }
        if (clientNonce.isEmpty()) {
            throw fail("empty SCRAM client nonce");
        }
        credential = credentials.apply(userName);
        if (credential == null) {
            throw fail("no " + mechanism.mechanismName() + " credential for user " + userName);
        }
        byte[] serverNonce = new byte[24];
        RANDOM.nextBytes(serverNonce);
        nonce = clientNonce + Base64.getUrlEncoder().withoutPadding().encodeToString(serverNonce);
        serverFirst = "r=" + nonce + ",s=" + Base64.getEncoder().encodeToString(credential.salt()) + ",i="
                + credential.iterations();
        state = State.RECEIVE_CLIENT_FINAL;
        return serverFirst.getBytes(StandardCharsets.UTF_8);
    }

    private byte[] clientFinal(String message) throws AuthenticationFailure {
        int proofAt = message.lastIndexOf(",p=");
        if (proofAt < 0) {
            throw fail("SCRAM client-final message has no proof");
        }
        String withoutProof = message.substring(0, proofAt);
        String[] fields = withoutProof.split(",");
        if (fields.length < 2 || !fields[0].startsWith("c=") || !fields[1].startsWith("r=")) {
            throw fail("SCRAM client-final message lacks c= or r=");
        }
        byte[] channelBinding = Base64.getDecoder().decode(fields[0].substring(2));
        if (!MessageDigest.isEqual(channelBinding, gs2Header.getBytes(StandardCharsets.UTF_8))) {
            throw fail("SCRAM channel binding does not match the client-first message");
        }
        // Kafka accepts a final nonce that ends with the full nonce, and librdkafka relies on it: it sends its own
        // nonce in front of the server's whole one (the client's part twice).
        if (!fields[1].substring(2).endsWith(nonce)) {
            throw fail("SCRAM client-final nonce does not end with the server's nonce");
        }
        byte[] proof = Base64.getDecoder().decode(message.substring(proofAt + 3));
        byte[] authMessage = (clientFirstBare + "," + serverFirst + "," + withoutProof)
                .getBytes(StandardCharsets.UTF_8);
        byte[] clientSignature = mechanism.hmac(credential.storedKey(), authMessage);
        if (proof.length != clientSignature.length) {
            throw fail("SCRAM proof of the wrong length for user " + userName);
        }
        byte[] clientKey = new byte[proof.length];
        for (int i = 0; i < proof.length; i++) {
            clientKey[i] = (byte) (proof[i] ^ clientSignature[i]);
        }
        if (!MessageDigest.isEqual(mechanism.hash(clientKey), credential.storedKey())) {
            throw fail("wrong " + mechanism.mechanismName() + " password for user " + userName);
        }
        byte[] serverSignature = mechanism.hmac(credential.serverKey(), authMessage);
        state = State.COMPLETE;
        return ("v=" + Base64.getEncoder().encodeToString(serverSignature)).getBytes(StandardCharsets.UTF_8);
    }

    private AuthenticationFailure fail(String logDetail) {
        return new AuthenticationFailure("Authentication failed during authentication due to invalid credentials with"
                + " SASL mechanism " + mechanism.mechanismName(), logDetail);
    }

    @Override
    public boolean complete() {
        return state == State.COMPLETE;
    }

    @Override
    public String userName() {
        return userName;
    }
}
