package io.samsa.network;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The Kafka listener: a Netty server (native epoll where available) whose pipeline is frame decoding and a
 * {@link ConnectionHandler} per connection.
 *
 * <p>Lifecycle: {@link #start()} once, {@link #close()} once. Thread-safe.
 */
public final class KafkaServer implements AutoCloseable {

    /** Network settings, under Kafka's key names. */
    public record Settings(
            String host, int port, int networkThreads, int maxRequestBytes, long connectionsMaxIdleMs) {}

    private final Settings settings;
    private final FrameHandler handler;
    private final Executor requestExecutor;
    private EventLoopGroup acceptGroup;
    private EventLoopGroup ioGroup;
    private Channel serverChannel;
    private boolean closed;
    private final List<Long> networkThreadIds = new CopyOnWriteArrayList<>();

    public KafkaServer(Settings settings, FrameHandler handler, Executor requestExecutor) {
        this.settings = settings;
        this.handler = handler;
        this.requestExecutor = requestExecutor;
    }

    /**
     * Loads Netty's native transport (about 100 ms of native-library loading and platform probing) so that a later
     * {@link #start()} does not wait for it; safe to call from any thread, any number of times.
     */
    public static void preload() {
        Epoll.isAvailable();
    }

    /** Binds the listener; returns the address actually bound (the port may have been 0). */
    public InetSocketAddress start() {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> channelType =
                epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        acceptGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("samsa-accept", true), factory);
        ioGroup = new MultiThreadIoEventLoopGroup(
                settings.networkThreads(), new DefaultThreadFactory("samsa-network", true), factory);
        // The buffer allocator initialises lazily on the first read, which would cost the first client ~150 ms;
        // let every event loop do it now, in parallel with the bind.
        for (EventExecutor loop : ioGroup) {
            loop.execute(() -> {
                networkThreadIds.add(Thread.currentThread().threadId());
                ByteBufAllocator.DEFAULT.ioBuffer(4096).release();
            });
        }
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptGroup, ioGroup)
                .channel(channelType)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, 512)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(new IdleStateHandler(0, 0, settings.connectionsMaxIdleMs(),
                                        TimeUnit.MILLISECONDS))
                                .addLast(new FrameDecoder(settings.maxRequestBytes()))
                                .addLast(new ConnectionHandler(handler, requestExecutor));
                    }
                });
        io.netty.channel.ChannelFuture bound = bootstrap.bind(settings.host(), settings.port()).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            // Netty's bind failure (a NativeIoException on epoll) does not name the address.
            throw new IllegalStateException("cannot listen on " + settings.host() + ":" + settings.port()
                    + " (listeners): " + bound.cause().getMessage(), bound.cause());
        }
        serverChannel = bound.channel();
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** The ids of the network threads (the event loops that read and write client connections), once started. */
    public List<Long> networkThreadIds() {
        return List.copyOf(networkThreadIds);
    }

    /** The number of network threads. */
    public int networkThreads() {
        return settings.networkThreads();
    }

    /**
     * Stops listening and closes every connection. Idempotent: the broker closes the server first at shutdown and
     * again with the rest of its start-up resources (a second close of the channel would be refused by its stopped
     * event loop).
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        if (acceptGroup != null) {
            acceptGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (ioGroup != null) {
            ioGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
