package io.samsa.network;

import java.net.SocketAddress;

/**
 * Who sent a request.
 *
 * @param id a process-unique connection id, for logs
 * @param remoteAddress the client's address
 */
public record ClientConnection(long id, SocketAddress remoteAddress) {}
