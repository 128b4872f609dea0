package io.samsa.server;

import io.samsa.api.Apis;
import io.samsa.network.KafkaServer;
import io.samsa.security.JaasConfig;
import io.samsa.security.SaslConfig;
import io.samsa.security.SslPrincipalMapper;
import io.samsa.security.TlsContexts;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the configured listeners into the network's endpoints and the API layer's SASL settings: a TLS listener gets
 * its server context and principal mapping from its {@code ssl.*} settings, a SASL listener its mechanisms, PLAIN users
 * and session lifetime (all with Kafka's {@code listener.name.<name>.} overrides). A TLS setting that cannot be used
 * stops start-up with a {@link ConfigException} naming the listener and the setting.
 */
final class ListenerEndpoints {

    private ListenerEndpoints() {}

    /** The SASL settings of every SASL listener (validated by {@link BrokerConfig#parse}). */
    static Apis.Security security(BrokerConfig config) {
        Map<String, SaslConfig> sasl = new HashMap<>();
        for (Listeners.Listener l : config.listeners()) {
            if (l.protocol().sasl()) {
                List<String> mechanisms = SecurityKeys.list(config.listenerValue(l.name(), "sasl.enabled.mechanisms"));
                String jaas = config.listenerValue(l.name(), "plain.sasl.jaas.config");
                Map<String, String> plainUsers = mechanisms.contains("PLAIN") && jaas != null
                        ? JaasConfig.parse(jaas).plainUsers() : Map.of();
                sasl.put(l.name(), new SaslConfig(mechanisms, plainUsers,
                        Long.parseLong(config.listenerValue(l.name(), "connections.max.reauth.ms"))));
            }
        }
        return new Apis.Security(sasl, config.getInt("connection.failed.authentication.delay.ms"),
                !config.get("authorizer.class.name").isEmpty(), SecurityKeys.superUsers(config.get("super.users")),
                config.getBoolean("allow.everyone.if.no.acl.found"));
    }

    static List<KafkaServer.Endpoint> of(BrokerConfig config) {
        List<KafkaServer.Endpoint> endpoints = new ArrayList<>();
        for (Listeners.Listener l : config.listeners()) {
            KafkaServer.TlsEndpoint tls = null;
            if (l.protocol().tls()) {
                try {
                    SslPrincipalMapper mapper = SslPrincipalMapper.parse(
                            config.listenerValue(l.name(), "ssl.principal.mapping.rules"));
                    tls = new KafkaServer.TlsEndpoint(
                            TlsContexts.serverContext(key -> config.listenerValue(l.name(), key)),
                            subject -> "User:" + mapper.name(subject.getName()));
                } catch (IllegalArgumentException e) {
                    throw new ConfigException("Listener " + l.name() + " (" + l.protocol() + "): " + e.getMessage());
                }
            }
            endpoints.add(new KafkaServer.Endpoint(l.name(), l.protocol(), l.host(), l.port(), tls));
        }
        return endpoints;
    }
}
