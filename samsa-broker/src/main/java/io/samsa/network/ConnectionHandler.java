package io.samsa.network;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.FileRegion;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.samsa.protocol.ResponseFrame;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
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
 *
 * <p>Responses are {@link ResponseFrame}s: file parts go out as file regions ({@code sendfile}) unless the pipeline
 * has an {@link SslHandler}, where they are read once into pooled direct buffers. Every file part is released exactly
 * once: by Netty after the write, or here when the response is dropped (connection closed, error, shutdown).
 */
final class ConnectionHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionHandler.class);
    private static final AtomicLong IDS = new AtomicLong();
    static final int MAX_PENDING = 32;

    /** A request in flight: its response (null = none) once the handler has answered. */
    private static final class Slot {
        /** The response as Netty messages (buffers and file regions), which this handler must write or release. */
        List<Object> response;
        /** Set when the handler asked to close the connection at this request's turn instead of answering. */
        CloseConnection close;
        boolean done;
        /** {@link System#nanoTime()} when the frame was read: the start of its queue time. */
        long receivedNanos;
    }

    private final FrameHandler handler;
    private final Executor requestExecutor;
    private final ArrayDeque<Slot> pending = new ArrayDeque<>();
    private final String listenerName;
    private final SecurityProtocol protocol;
    private final Session session;
    private ClientConnection connection;
    /**
     * Whether file parts of responses go out as file regions (sendfile). False when the pipeline encrypts: Netty's
     * SslHandler takes buffers only, so file parts are read once into pooled direct buffers instead.
     */
    private volatile boolean zeroCopy = true;
    /**
     * Set on the event loop once the connection is closing or closed: responses completing later are released, not
     * written.
     */
    private boolean closed;
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
        zeroCopy = ctx.pipeline().get(SslHandler.class) == null;
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        releasePending();
        super.channelInactive(ctx);
    }

    /**
     * The connection is closing: releases the responses that were answered but never written, forgets every pending
     * request, and has later answers released as they come.
     */
    private void releasePending() {
        closed = true;
        for (Slot slot : pending) {
            release(slot.response);
        }
        pending.clear();
    }

    private static void release(List<Object> messages) {
        if (messages != null) {
            for (Object message : messages) {
                ReferenceCountUtil.safeRelease(message);
            }
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuffer frame = (ByteBuffer) msg;
        Slot slot = new Slot();
        slot.receivedNanos = System.nanoTime();
        pending.addLast(slot);
        if (pending.size() >= MAX_PENDING) {
            ctx.channel().config().setAutoRead(false);
        }
        chain = chain.thenRunAsync(() -> dispatch(ctx, frame, slot), requestExecutor);
    }

    private void dispatch(ChannelHandlerContext ctx, ByteBuffer frame, Slot slot) {
        CompletableFuture<ResponseFrame> response;
        try {
            response = handler.handle(frame, connection, slot.receivedNanos);
        } catch (RuntimeException e) {
            response = CompletableFuture.failedFuture(e);
        } catch (Error e) {
            // Left to fail the serial chain, it would leave every later request of this connection unanswered.
            LOG.error("Request handler failed on connection {} from {}", connection.id(), connection.remoteAddress(),
                    e);
            response = CompletableFuture.failedFuture(e);
        }
        response.whenComplete((frameOut, error) -> {
            List<Object> messages = null;
            Throwable failure = error;
            if (frameOut != null) {
                try {
                    // Here, on the thread that answered, never on the event loop: a TLS connection reads files now.
                    messages = toMessages(frameOut, ctx.alloc());
                } catch (RuntimeException e) {
                    failure = e;
                }
            }
            List<Object> ready = messages;
            Throwable cause = failure;
            try {
                ctx.executor().execute(() -> complete(ctx, slot, ready, cause));
            } catch (RejectedExecutionException e) {
                release(ready); // the event loop is shutting down: the connection is gone
            }
        });
    }

    /**
     * The frame as Netty messages: buffers as they are, file parts as file regions (sendfile), or on a connection
     * without zero-copy read once into pooled direct buffers. Either way every file part is released exactly once,
     * by Netty after writing or by whoever drops the messages; on failure here, before returning.
     */
    private List<Object> toMessages(ResponseFrame frame, ByteBufAllocator allocator) {
        List<Object> messages = new ArrayList<>(frame.parts().size());
        List<ResponseFrame.Part> parts = frame.parts();
        int i = 0;
        try {
            for (; i < parts.size(); i++) {
                switch (parts.get(i)) {
                    case ResponseFrame.Bytes bytes -> messages.add(Unpooled.wrappedBuffer(bytes.buffer()));
                    case ResponseFrame.FilePart file -> messages.add(zeroCopy && FileParts.canSendFile(file)
                            ? new FileParts.SharedFileRegion(file) : FileParts.readIntoDirect(file, allocator));
                }
            }
            return messages;
        } catch (RuntimeException e) {
            release(messages);
            for (i++; i < parts.size(); i++) {
                if (parts.get(i) instanceof ResponseFrame.FilePart file) {
                    file.release().run();
                }
            }
            throw e;
        }
    }

    private void complete(ChannelHandlerContext ctx, Slot slot, List<Object> response, Throwable error) {
        if (closed) {
            release(response);
            return;
        }
        Throwable cause = error != null && error.getCause() != null
                && error instanceof java.util.concurrent.CompletionException ? error.getCause() : error;
        if (cause instanceof CloseConnection close) {
            slot.close = close;
        } else if (cause != null) {
            LOG.warn("Closing connection {} from {}: {}", connection.id(), connection.remoteAddress(),
                    cause.getMessage());
            release(response);
            releasePending();
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
                release(head.response);
                releasePending();
                ByteBuffer last = head.close.lastResponse();
                ctx.writeAndFlush(last == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(last))
                        .addListener(f -> ctx.close());
                return;
            }
            if (head.response != null) {
                for (Object message : head.response) {
                    if (message instanceof FileRegion) {
                        // A region that cannot be sent whole (its file was truncated) leaves the stream torn.
                        ctx.write(message).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
                    } else {
                        ctx.write(message, ctx.voidPromise());
                    }
                }
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
