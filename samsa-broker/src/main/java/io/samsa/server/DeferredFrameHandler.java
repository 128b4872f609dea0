package io.samsa.server;

import io.samsa.network.ClientConnection;
import io.samsa.network.FrameHandler;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * Stands in for the API dispatcher between binding the listener and knowing the bound port (which the dispatcher
 * advertises). A request arriving in that window, which only a client guessing an ephemeral port could send, closes
 * its connection.
 */
final class DeferredFrameHandler implements FrameHandler {

    private volatile FrameHandler target;

    void set(FrameHandler target) {
        this.target = target;
    }

    @Override
    public CompletableFuture<ByteBuffer> handle(ByteBuffer frame, ClientConnection connection) {
        FrameHandler t = target;
        if (t == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("the broker is still starting"));
        }
        return t.handle(frame, connection);
    }
}
