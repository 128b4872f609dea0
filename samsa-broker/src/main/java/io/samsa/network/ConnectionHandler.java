package io.samsa.network;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: hands frames to the {@link FrameHandler} one at a time in arrival order, and writes the
 * responses back in that same order however their futures complete (a long-polling fetch does not hold back a
 * metadata response queued behind it forever: it holds it back until the fetch answers, exactly as Kafka's ordering
 * guarantee requires).
 *
 * <pre>
 *   frame read ──► pending.addLast(slot) ──► requestExecutor (serial per connection) ──► handler.handle()
 *                                                                                       │ completes
 *   write responses of completed slots at the head of pending ◄── event loop ◄─────────┘
 * </pre>
 *
 * <p>Backpressure: when more than {@link #MAX_PENDING} requests wait on this connection, reading stops until they
 * drain. All mutable state is touched on the channel's event loop only, except the serial request chain.
 */
final class ConnectionHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionHandler.class);
    private static final AtomicLong IDS = new AtomicLong();
    static final int MAX_PENDING = 32;

    /** A request in flight: its response (null = none) once the handler has answered. */
    private static final class Slot {
        ByteBuffer response;
        /** Set when the handler asked to close the connection at this request's turn instead of answering. */
        CloseConnection close;
        boolean done;
    }

    private final FrameHandler handler;
    private final Executor requestExecutor;
    private final ArrayDeque<Slot> pending = new ArrayDeque<>();
    private final String listenerName;
    private final SecurityProtocol protocol;
    private final Session session;
    private ClientConnection connection;
    /** The tail of this connection's serial chain of handler calls. */
    private CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);

    ConnectionHandler(FrameHandler handler, Executor requestExecutor, String listenerName, SecurityProtocol protocol,
            Session session) {
        this.handler = handler;
        this.requestExecutor = requestExecutor;
        this.listenerName = listenerName;
        this.protocol = protocol;
        this.session = session;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        connection = new ClientConnection(IDS.incrementAndGet(), ctx.channel().remoteAddress(), listenerName,
                protocol, session);
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuffer frame = (ByteBuffer) msg;
        Slot slot = new Slot();
        pending.addLast(slot);
        if (pending.size() >= MAX_PENDING) {
            ctx.channel().config().setAutoRead(false);
        }
        chain = chain.thenRunAsync(() -> dispatch(ctx, frame, slot), requestExecutor);
    }

    private void dispatch(ChannelHandlerContext ctx, ByteBuffer frame, Slot slot) {
        CompletableFuture<ByteBuffer> response;
        try {
            response = handler.handle(frame, connection);
        } catch (RuntimeException e) {
            response = CompletableFuture.failedFuture(e);
        } catch (Error e) {
            // Left to fail the serial chain, it would leave every later request of this connection unanswered.
            LOG.error("Request handler failed on connection {} from {}", connection.id(), connection.remoteAddress(),
                    e);
            response = CompletableFuture.failedFuture(e);
        }
        response.whenComplete((buffer, error) -> ctx.executor().execute(() -> complete(ctx, slot, buffer, error)));
    }

    private void complete(ChannelHandlerContext ctx, Slot slot, ByteBuffer response, Throwable error) {
        Throwable cause = error != null && error.getCause() != null
                && error instanceof java.util.concurrent.CompletionException ? error.getCause() : error;
        if (cause instanceof CloseConnection close) {
            slot.close = close;
        } else if (cause != null) {
            LOG.warn("Closing connection {} from {}: {}", connection.id(), connection.remoteAddress(),
                    cause.getMessage());
            pending.clear();
            ctx.close();
            return;
        }
        slot.response = response;
        slot.done = true;
        boolean wrote = false;
        while (!pending.isEmpty() && pending.peekFirst().done) {
            Slot head = pending.pollFirst();
            if (head.close != null) {
                LOG.info("Closing connection {} from {}: {}", connection.id(), connection.remoteAddress(),
                        head.close.getMessage());
                pending.clear();
                ByteBuffer last = head.close.lastResponse();
                ctx.writeAndFlush(last == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(last))
                        .addListener(f -> ctx.close());
                return;
            }
            if (head.response != null) {
                ctx.write(Unpooled.wrappedBuffer(head.response));
                wrote = true;
            }
        }
        if (wrote) {
            ctx.flush();
        }
        if (pending.size() < MAX_PENDING / 2 && !ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            LOG.debug("Closing idle connection {} from {}", connection.id(), connection.remoteAddress());
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            LOG.debug("Connection {} from {} failed: {}", connection == null ? -1 : connection.id(),
                    ctx.channel().remoteAddress(), cause.getMessage());
        } else {
            LOG.warn("Closing connection from {}: {}", ctx.channel().remoteAddress(), cause.toString());
        }
        ctx.close();
    }
}
