package io.samsa.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;

/**
 * SASL PLAIN (RFC 4616): one client message {@code [authzid] NUL authcid NUL password}, checked against the
 * listener's users (from its JAAS configuration's {@code user_<name>="<password>"} options). An authorization id
 * different from the user name is refused, as Kafka refuses it. Passwords are compared in constant time.
 */
public final class PlainSaslServer implements SaslServer {

    static final String INVALID = "Authentication failed: Invalid username or password";

    private final Map<String, String> users;
    private String userName;

    public PlainSaslServer(Map<String, String> users) {
        this.users = users;
    }

    @Override
    public String mechanism() {
        return "PLAIN";
    }

    @Override
    public byte[] evaluate(byte[] clientToken) throws AuthenticationFailure {
        if (userName != null) {
            throw new AuthenticationFailure("Authentication failed: PLAIN takes one message", "second PLAIN message");
        }
        String message = new String(clientToken, StandardCharsets.UTF_8);
        int first = message.indexOf('\u0000');
        int second = first < 0 ? -1 : message.indexOf('\u0000', first + 1);
        if (second < 0 || message.indexOf('\u0000', second + 1) >= 0) {
            throw new AuthenticationFailure("Invalid SASL/PLAIN response: expected 3 tokens", "malformed PLAIN token");
        }
        String authorizationId = message.substring(0, first);
        String user = message.substring(first + 1, second);
        String password = message.substring(second + 1);
        if (user.isEmpty()) {
            throw new AuthenticationFailure("Authentication failed: username not specified", "empty PLAIN user");
        }
        if (password.isEmpty()) {
            throw new AuthenticationFailure("Authentication failed: password not specified", "empty PLAIN password");
        }
        if (!authorizationId.isEmpty() && !authorizationId.equals(user)) {
            throw new AuthenticationFailure("Authentication failed: Client requested an authorization id that is"
                    + " different from username", "PLAIN authorization id " + authorizationId + " for " + user);
        }
        String expected = users.get(user);
        boolean matches = MessageDigest.isEqual(
                (expected == null ? "\u0000unknown" : expected).getBytes(StandardCharsets.UTF_8),
                password.getBytes(StandardCharsets.UTF_8));
        if (expected == null || !matches) {
            throw new AuthenticationFailure(INVALID, (expected == null ? "unknown user " : "wrong password for ")
                    + user);
        }
        userName = user;
        return new byte[0];
    }

    @Override
    public boolean complete() {
        return userName != null;
    }

    @Override
    public String userName() {
        return userName;
    }
}
