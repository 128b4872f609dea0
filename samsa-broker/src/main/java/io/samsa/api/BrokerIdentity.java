package io.samsa.api;

import java.util.Map;

/**
 * Who this broker is, as responses report it.
 *
 * @param brokerId node.id
 * @param clusterId the cluster id kept in the data directory
 * @param host the advertised host of the first listener (what the metadata log records)
 * @param port the advertised port of the first listener
 * @param endpoints every listener's advertised address, by listener name: a client is told the addresses of the
 *     listener it came in on, as Kafka does
 */
public record BrokerIdentity(int brokerId, String clusterId, String host, int port, Map<String, Endpoint> endpoints) {

    /** An advertised address. */
    public record Endpoint(String host, int port) {}

    public BrokerIdentity {
        endpoints = Map.copyOf(endpoints);
    }

    /** The address of this broker on the listener {@code listenerName} (the first listener's for null). */
    public Endpoint endpoint(String listenerName) {
        Endpoint endpoint = listenerName == null ? null : endpoints.get(listenerName);
        return endpoint != null ? endpoint : new Endpoint(host, port);
    }
}
