package io.samsa.metrics;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The operations listener: {@code /metrics} (Prometheus text format), {@code /health} (the process is alive) and
 * {@code /ready} (the broker serves clients), on its own port ({@code samsa.http.port}).
 *
 * <p>It runs on Netty like the Kafka listener, on one event-loop thread of its own, so a scrape never waits behind
 * client traffic and client traffic never waits behind a scrape. {@code /health} and {@code /ready} are answered on
 * that event loop at once; {@code /metrics} is rendered on a separate thread, because computing consumer lag reads
 * record timestamps from the logs, and an event loop never does disk I/O. Netty rather than the JDK's
 * {@code com.sun.net.httpserver}: the JDK server reads a request on a blocking worker thread, so a few slow or silent
 * clients would hold all of its threads, and it has no limit on header size; Netty reads without blocking, bounds the
 * request line and headers, and is already the broker's network library.
 *
 * <p>Limits against bad input: request line 4 KiB and headers 8 KiB (answered 414 / 431 and closed), bodies at most
 * 4 KiB (413), a whole request must arrive within {@link Settings#requestTimeoutMs} of the connection opening or of
 * the previous answer (else the connection is closed), and at most {@link Settings#maxConnections} connections at once
 * (others are closed on accept).
 *
 * <p>Lifecycle: {@link #start} once, {@link #close} once. Thread-safe.
 */
public final class HttpEndpoint implements AutoCloseable {

    static final int MAX_INITIAL_LINE_BYTES = 4096;
    static final int MAX_HEADER_BYTES = 8192;
    static final int MAX_BODY_BYTES = 4096;

    /**
     * @param requestTimeoutMs how long a connection may take to send one whole request
     * @param maxConnections connections served at once
     */
    public record Settings(String host, int port, long requestTimeoutMs, int maxConnections) {}

    /** What the endpoints serve. */
    public interface Source {
        /** The Prometheus text exposition of every metric; called on the metrics thread, one call at a time. */
        String scrape();

        /** Null when the broker is ready, else why it is not (shown in the 503 answer). */
        String notReadyReason();

        /**
         * The metadata image this node serves: its offset and digest (equal on nodes that applied the same log), so
         * operators and tests can compare nodes' images.
         */
        default String metadataSummary() {
            return "";
        }
    }

    private final Settings settings;
    private final Supplier<Source> source;
    private final AtomicInteger connections = new AtomicInteger();
    private EventLoopGroup group;
    private ExecutorService scrapeThread;
    private Channel serverChannel;

    /** @param source what to serve, or null while the broker is still starting (then /metrics answers 503) */
    public HttpEndpoint(Settings settings, Supplier<Source> source) {
        this.settings = settings;
        this.source = source;
    }

    /**
     * Binds the listener.
     *
     * @return the bound address
     * @throws IllegalStateException naming the address and {@code samsa.http.port} when the port cannot be bound
     */
    public InetSocketAddress start() {
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("samsa-http", true),
                NioIoHandler.newFactory());
        scrapeThread = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("samsa-metrics").factory());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (connections.incrementAndGet() > settings.maxConnections()) {
                            connections.decrementAndGet();
                            ch.close();
                            return;
                        }
                        ch.closeFuture().addListener(f -> connections.decrementAndGet());
                        ch.pipeline()
                                .addLast(new HttpServerCodec(MAX_INITIAL_LINE_BYTES, MAX_HEADER_BYTES, 8192))
                                .addLast(new HttpObjectAggregator(MAX_BODY_BYTES))
                                .addLast(new HttpRequestHandler(source, scrapeThread, settings.requestTimeoutMs()));
                    }
                });
        ChannelFuture bound = bootstrap.bind(settings.host(), settings.port()).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            close();
            throw new IllegalStateException("cannot listen on " + settings.host() + ":" + settings.port()
                    + " (samsa.http.port): " + bound.cause().getMessage(), bound.cause());
        }
        serverChannel = bound.channel();
        return (InetSocketAddress) serverChannel.localAddress();
    }

    @Override
    public void close() {
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (scrapeThread != null) {
            scrapeThread.shutdownNow();
        }
    }
}
