package io.samsa.security;

import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * A SASL listener's authentication settings.
 *
 * @param enabledMechanisms sasl.enabled.mechanisms, in the order clients are told them
 * @param plainUsers PLAIN's users (name → password) from the listener's PLAIN JAAS configuration
 * @param maxReauthMs connections.max.reauth.ms: a session's lifetime (0: unlimited)
 */
public record SaslConfig(List<String> enabledMechanisms, Map<String, String> plainUsers, long maxReauthMs) {

    /** The mechanisms this broker implements. */
    public static final List<String> IMPLEMENTED = List.of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512");

    public SaslConfig {
        enabledMechanisms = List.copyOf(enabledMechanisms);
        plainUsers = Map.copyOf(plainUsers);
    }

    /**
     * A server for one authentication with an enabled mechanism.
     *
     * @param scramCredentials the stored credential of (mechanism, user), or null
     */
    public SaslServer newServer(String mechanism,
            BiFunction<ScramMechanism, String, ScramCredential> scramCredentials) {
        if (!enabledMechanisms.contains(mechanism)) {
            throw new IllegalArgumentException("mechanism " + mechanism + " is not enabled");
        }
        if (mechanism.equals("PLAIN")) {
            return new PlainSaslServer(plainUsers);
        }
        ScramMechanism scram = ScramMechanism.ofName(mechanism);
        return new ScramSaslServer(scram, user -> scramCredentials.apply(scram, user));
    }
}
