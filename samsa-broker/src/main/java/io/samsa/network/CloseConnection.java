package io.samsa.network;

import java.nio.ByteBuffer;

/**
 * What a {@link FrameHandler}'s future fails with to have its connection closed once the responses to the requests
 * before it are written: without a response of its own (Kafka's way of telling a client that sent a request without
 * a response, a produce with acks=0, that it failed), or after a last response (a failed authentication's error).
 * Logged at INFO: the client caused it.
 */
public final class CloseConnection extends RuntimeException {

    private final transient ByteBuffer lastResponse;

    public CloseConnection(String reason) {
        this(reason, null);
    }

    /** @param lastResponse an encoded response frame written before the connection closes, or null */
    public CloseConnection(String reason, ByteBuffer lastResponse) {
        super(reason, null, false, false);
        this.lastResponse = lastResponse;
    }

    /** The response written before closing, or null. */
    public ByteBuffer lastResponse() {
        return lastResponse;
    }
}
