package io.samsa.security;

/**
 * A client failed to authenticate. The message is what the client is told (never whether a user exists); the log
 * says more.
 */
public final class AuthenticationFailure extends Exception {

    private final String logDetail;

    public AuthenticationFailure(String clientMessage, String logDetail) {
        super(clientMessage, null, false, false);
        this.logDetail = logDetail;
    }

    /** What the broker's log says about the failure (may name the user). */
    public String logDetail() {
        return logDetail;
    }
}
