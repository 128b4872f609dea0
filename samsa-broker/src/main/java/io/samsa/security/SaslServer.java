package io.samsa.security;

/**
 * The server side of one SASL exchange. Not thread-safe: one per authentication attempt, driven by the connection's
 * serial request chain.
 */
public interface SaslServer {

    /** The mechanism's name, as clients ask for it (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512). */
    String mechanism();

    /**
     * Evaluates the client's next token.
     *
     * @return the server's token (empty when there is none)
     * @throws AuthenticationFailure when the client did not prove who it is
     */
    byte[] evaluate(byte[] clientToken) throws AuthenticationFailure;

    /** True once the client is authenticated. */
    boolean complete();

    /** The authenticated user name (the principal is {@code User:<name>}); valid once complete. */
    String userName();
}
