package io.samsa.network;

/**
 * Who is on the other end of a connection, as far as it has proved it: the principal ({@code User:ANONYMOUS} until
 * TLS client authentication or SASL says otherwise) and whether a SASL listener's authentication is complete. The
 * network sets the TLS principal when the handshake completes; the SASL handlers set the SASL principal and keep their
 * exchange state in {@link #saslState}.
 *
 * <p>Thread-safety: written by the connection's event loop (TLS) before any frame is read, and by the serial request
 * chain of its connection afterwards (SASL); fields are volatile so that the future-completing threads read them too.
 */
public final class Session {

    public static final String ANONYMOUS = "User:ANONYMOUS";

    private final boolean saslRequired;
    private volatile String principal = ANONYMOUS;
    private volatile boolean authenticated;
    private volatile Object saslState;
    private volatile String saslMechanism;
    private volatile long reauthDeadlineNanos = Long.MAX_VALUE;

    public Session(boolean saslRequired) {
        this.saslRequired = saslRequired;
        this.authenticated = !saslRequired;
    }

    /** An internal session (the broker talking to itself): no authentication, anonymous principal. */
    public static Session internal() {
        return new Session(false);
    }

    public boolean saslRequired() {
        return saslRequired;
    }

    /** The principal as {@code User:name}. */
    public String principal() {
        return principal;
    }

    public void principal(String principal) {
        this.principal = principal;
    }

    /** False only on a SASL listener before authentication succeeded. */
    public boolean authenticated() {
        return authenticated;
    }

    /** SASL authentication succeeded (or re-authentication did) as {@code principal} with {@code mechanism}. */
    public void authenticated(String principal, String mechanism, long reauthDeadlineNanos) {
        this.principal = principal;
        this.saslMechanism = mechanism;
        this.reauthDeadlineNanos = reauthDeadlineNanos;
        this.saslState = null;
        this.authenticated = true;
    }

    /** The SASL mechanism the session authenticated with, or null. */
    public String saslMechanism() {
        return saslMechanism;
    }

    /** The SASL exchange in progress (owned by the SASL handlers), or null. */
    public Object saslState() {
        return saslState;
    }

    public void saslState(Object state) {
        this.saslState = state;
    }

    /** When the session expires (KIP-368, System.nanoTime based); Long.MAX_VALUE when it never does. */
    public long reauthDeadlineNanos() {
        return reauthDeadlineNanos;
    }
}
