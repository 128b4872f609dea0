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
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.security.auth.x500.X500Principal;

/**
 * The Kafka listeners: one Netty server socket per configured listener (native epoll where available), sharing one
 * set of event loops. A connection's pipeline is
 *
 * <pre>
 *   plaintext listener:  IdleStateHandler → FrameDecoder → ConnectionHandler
 *   TLS listener:        SslHandler → TlsPrincipalHandler → IdleStateHandler → FrameDecoder → ConnectionHandler
 * </pre>
 *
 * <p>On a TLS listener everything written must be a {@code ByteBuf}: a {@code FileRegion} cannot pass through the
 * {@code SslHandler}, so zero-copy writes are for connections whose {@link ClientConnection#securityProtocol()} is not
 * TLS. Whether a listener authenticates with SASL is recorded in the connection's {@link Session}; the SASL exchange
 * itself is requests like any other and is served above this layer.
 *
 * <p>Lifecycle: {@link #start()} once, {@link #close()} once. Thread-safe.
 */
public final class KafkaServer implements AutoCloseable {

    /**
     * Network settings shared by all listeners, under Kafka's key names.
     *
     * @param maxUnauthenticatedRequestBytes sasl.server.max.receive.size: the largest frame before a SASL listener's
     *     client has authenticated
     */
    public record Settings(List<Endpoint> endpoints, int networkThreads, int maxRequestBytes,
            long connectionsMaxIdleMs, int maxUnauthenticatedRequestBytes) {}

    /**
     * One listener.
     *
     * @param name its name, upper case, as in {@code listeners}
     * @param protocol its security protocol
     * @param host the address to bind (0.0.0.0 for all)
     * @param port the port to bind (0 for any)
     * @param tls the TLS server context when {@code protocol} is SSL or SASL_SSL, else null
     */
    public record Endpoint(String name, SecurityProtocol protocol, String host, int port, TlsEndpoint tls) {}

    /**
     * A listener's TLS: the Netty context and how a verified client certificate becomes a principal.
     *
     * @param context the server context (JDK provider)
     * @param principalOf the principal ({@code User:...}) of a client's certificate subject
     */
    public record TlsEndpoint(SslContext context, Function<X500Principal, String> principalOf) {}

    private final Settings settings;
    private final FrameHandler handler;
    private final Executor requestExecutor;
    private EventLoopGroup acceptGroup;
    private EventLoopGroup ioGroup;
    private final List<Channel> serverChannels = new ArrayList<>();
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

    /** Binds every listener; returns the addresses actually bound (a port may have been 0), by listener name. */
    public Map<String, InetSocketAddress> start() {
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
        Map<String, InetSocketAddress> bound = new LinkedHashMap<>();
        for (Endpoint endpoint : settings.endpoints()) {
            bound.put(endpoint.name(), bind(endpoint, channelType));
        }
        return bound;
    }

    private InetSocketAddress bind(Endpoint endpoint, Class<? extends ServerChannel> channelType) {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptGroup, ioGroup)
                .channel(channelType)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, 512)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        Session session = new Session(endpoint.protocol().sasl());
                        if (endpoint.tls() != null) {
                            ch.pipeline()
                                    .addLast(endpoint.tls().context().newHandler(ch.alloc()))
                                    .addLast(new TlsPrincipalHandler(session, endpoint.tls().principalOf()));
                        }
                        ch.pipeline()
                                .addLast(new IdleStateHandler(0, 0, settings.connectionsMaxIdleMs(),
                                        TimeUnit.MILLISECONDS))
                                .addLast(new FrameDecoder(settings.maxRequestBytes(), session,
                                        settings.maxUnauthenticatedRequestBytes()))
                                .addLast(new ConnectionHandler(handler, requestExecutor, endpoint.name(),
                                        endpoint.protocol(), session));
                    }
                });
        io.netty.channel.ChannelFuture bound = bootstrap.bind(endpoint.host(), endpoint.port()).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            // Netty's bind failure (a NativeIoException on epoll) does not name the address.
            throw new IllegalStateException("cannot listen on " + endpoint.host() + ":" + endpoint.port()
                    + " (listeners, " + endpoint.name() + "): " + bound.cause().getMessage(), bound.cause());
        }
        serverChannels.add(bound.channel());
        return (InetSocketAddress) bound.channel().localAddress();
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
        for (Channel channel : serverChannels) {
            channel.close().syncUninterruptibly();
        }
        if (acceptGroup != null) {
            acceptGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (ioGroup != null) {
            ioGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
