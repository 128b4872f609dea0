package io.samsa.server;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which configuration keys are about security, and which of those may be set per listener with Kafka's
 * {@code listener.name.<name>.} prefix. A security key this broker does not implement must stop start-up: a broker
 * whose configuration asks for protection it would silently not give is worse than one that does not start.
 * Thread-safe (stateless).
 */
final class SecurityKeys {

    /** Prefixes and names of Kafka's security settings (broker side). */
    private static final List<String> SECURITY_PREFIXES = List.of("ssl.", "sasl.", "security.", "listener.name.",
            "authorizer.", "delegation.token.", "password.encoder.", "principal.builder.", "ssl_", "sasl_");
    private static final Set<String> SECURITY_NAMES = Set.of("super.users", "allow.everyone.if.no.acl.found",
            "connections.max.reauth.ms", "connection.failed.authentication.delay.ms", "control.plane.listener.name",
            "early.start.listeners", "inter.broker.listener.name", "listener.security.protocol.map",
            "sasl.mechanism.inter.broker.protocol", "sasl.mechanism.controller.protocol");

    /** The implemented keys a {@code listener.name.<name>.} prefix may carry. */
    static final Set<String> PER_LISTENER = Set.of("ssl.keystore.type", "ssl.keystore.location",
            "ssl.keystore.password", "ssl.key.password", "ssl.keystore.certificate.chain", "ssl.keystore.key",
            "ssl.truststore.type", "ssl.truststore.location", "ssl.truststore.password", "ssl.truststore.certificates",
            "ssl.enabled.protocols", "ssl.protocol", "ssl.cipher.suites", "ssl.client.auth",
            "ssl.principal.mapping.rules", "sasl.enabled.mechanisms", "connections.max.reauth.ms");

    /** {@code <mechanism>.sasl.jaas.config} of an implemented mechanism (per listener only, as in Kafka). */
    static boolean isMechanismJaasConfig(String key) {
        return key.equals("plain.sasl.jaas.config") || key.equals("scram-sha-256.sasl.jaas.config")
                || key.equals("scram-sha-512.sasl.jaas.config");
    }

    /** super.users' principals (semicolon-separated, as Kafka reads them). */
    static java.util.Set<String> superUsers(String value) {
        java.util.Set<String> users = new java.util.LinkedHashSet<>();
        for (String u : value.split(";")) {
            if (!u.isBlank()) {
                users.add(u.trim());
            }
        }
        return users;
    }

    /** A comma-separated value's items, trimmed. */
    static List<String> list(String value) {
        return value == null ? List.of()
                : java.util.Arrays.stream(value.split(",")).map(String::trim).filter(v -> !v.isEmpty()).toList();
    }

    private SecurityKeys() {}

    /** The keys among these whose values are secrets: passwords, private keys and JAAS configurations. */
    static Set<String> sensitive(Set<String> keys) {
        Set<String> result = new java.util.HashSet<>();
        for (String key : keys) {
            String k = key.toLowerCase(Locale.ROOT);
            if (k.endsWith("password") || k.endsWith("ssl.keystore.key") || k.endsWith("sasl.jaas.config")) {
                result.add(key);
            }
        }
        return result;
    }

    /** True for a key that configures security in Kafka. */
    static boolean isSecurityKey(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return SECURITY_NAMES.contains(k) || SECURITY_PREFIXES.stream().anyMatch(k::startsWith);
    }

    /** The problem with an unimplemented security key, naming it. */
    static String unimplemented(String key) {
        return "Unsupported security setting '" + key + "': this broker does not implement it, and refuses to start"
                + " rather than run without the protection it asks for";
    }

    /**
     * The key inside a {@code listener.name.<name>.<key>} setting.
     *
     * @return {name, key}, or null when the setting does not have that shape
     */
    static String[] splitPerListener(String setting) {
        if (!setting.startsWith("listener.name.")) {
            return null;
        }
        String rest = setting.substring("listener.name.".length());
        int dot = rest.indexOf('.');
        if (dot <= 0 || dot == rest.length() - 1) {
            return null;
        }
        return new String[] {rest.substring(0, dot).toUpperCase(Locale.ROOT), rest.substring(dot + 1)};
    }
}
