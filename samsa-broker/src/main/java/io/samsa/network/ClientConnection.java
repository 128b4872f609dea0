package io.samsa.network;

import java.net.SocketAddress;

/**
 * Who sent a request.
 *
 * @param id a process-unique connection id, for logs
 * @param remoteAddress the client's address
 * @param listenerName the name of the listener the connection came in on (as in {@code listeners}); null for the
 *     broker's internal requests
 * @param securityProtocol that listener's security protocol
 * @param session what the client has proved about itself so far
 */
public record ClientConnection(long id, SocketAddress remoteAddress, String listenerName,
        SecurityProtocol securityProtocol, Session session) {

    /** A connection of the broker to itself (warm-up): no listener, anonymous, nothing to authenticate. */
    public static ClientConnection internal(long id) {
        return new ClientConnection(id, null, null, SecurityProtocol.PLAINTEXT, Session.internal());
    }
}
