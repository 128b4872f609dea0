package io.samsa.server;

import io.samsa.network.ClientConnection;
import io.samsa.network.FrameHandler;
import io.samsa.protocol.ResponseFrame;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * Lets the listener accept connections before the API dispatcher exists: a request that arrives while the broker
 * is still starting waits for it (or fails, closing its connection, if start-up fails).
 */
final class DeferredFrameHandler implements FrameHandler {

    private final CompletableFuture<FrameHandler> target = new CompletableFuture<>();

    void set(FrameHandler handler) {
        target.complete(handler);
    }

    /** Start-up failed or the broker stopped before it was ready: waiting requests close their connections. */
    void fail() {
        target.completeExceptionally(new IllegalStateException("the broker is not running"));
    }

    @Override
    public CompletableFuture<ResponseFrame> handle(ByteBuffer frame, ClientConnection connection) {
        return handle(frame, connection, System.nanoTime());
    }

    @Override
    public CompletableFuture<ResponseFrame> handle(ByteBuffer frame, ClientConnection connection,
            long receivedNanos) {
        FrameHandler ready = target.getNow(null);
        return ready != null ? ready.handle(frame, connection, receivedNanos)
                : target.thenCompose(t -> t.handle(frame, connection, receivedNanos));
    }
}
