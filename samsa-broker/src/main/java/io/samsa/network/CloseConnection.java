package io.samsa.network;

/**
 * What a {@link FrameHandler}'s future fails with to have its connection closed once the responses to the requests
 * before it are written, without a response of its own: Kafka's way of telling a client that sent a request
 * without a response (a produce with acks=0) that it failed. Logged at INFO: the client caused it.
 */
public final class CloseConnection extends RuntimeException {

    public CloseConnection(String reason) {
        super(reason, null, false, false);
    }
}
