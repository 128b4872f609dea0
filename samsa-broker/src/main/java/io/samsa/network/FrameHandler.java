package io.samsa.network;

import io.samsa.protocol.ResponseFrame;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * What the network hands each request frame to. The server plugs the API dispatcher in here, so the network layer
 * never knows about Kafka messages.
 *
 * <p>Calls for one connection are made one at a time, in arrival order, on a request thread (never an event loop);
 * the returned futures may complete in any order and on any thread, and the network writes their responses in
 * request order.
 */
public interface FrameHandler {

    /**
     * Handles one request frame (without its length prefix).
     *
     * @return the encoded response frame (with its length prefix; its file parts are the network's to release), or a
     *     future of null when the request gets no response (a produce with acks=0); completing exceptionally closes
     *     the connection
     */
    CompletableFuture<ResponseFrame> handle(ByteBuffer frame, ClientConnection connection);

    /**
     * Handles one request frame read from the socket at {@code receivedNanos} ({@link System#nanoTime()}), so that the
     * handler can tell how long the frame waited for a request thread (Kafka's request queue time).
     */
    default CompletableFuture<ResponseFrame> handle(ByteBuffer frame, ClientConnection connection,
            long receivedNanos) {
        return handle(frame, connection);
    }
}
