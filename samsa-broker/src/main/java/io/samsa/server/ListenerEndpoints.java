package io.samsa.server;

import io.samsa.network.KafkaServer;
import io.samsa.security.SslPrincipalMapper;
import io.samsa.security.TlsContexts;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the configured listeners into the network's endpoints: a TLS listener gets its server context and principal
 * mapping from its {@code ssl.*} settings (with Kafka's {@code listener.name.<name>.} overrides). A TLS setting that
 * cannot be used stops start-up with a {@link ConfigException} naming the listener and the setting.
 */
final class ListenerEndpoints {

    private ListenerEndpoints() {}

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
