package io.samsa.api;

/**
 * Who this broker is, as responses report it.
 *
 * @param brokerId node.id
 * @param clusterId the cluster id kept in the data directory
 * @param host the advertised host
 * @param port the advertised port
 */
public record BrokerIdentity(int brokerId, String clusterId, String host, int port) {}
