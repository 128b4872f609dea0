package io.samsa.cluster;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends Kafka requests to other nodes at the addresses this node's own {@code samsa.peers} gives (never an address
 * learned from metadata), one connection per peer, opened on first use and again after it breaks. Nothing blocks:
 * each send returns a future, failed on a broken connection or after the timeout.
 *
 * <p>Thread-safe.
 */
public final class PeerClient implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PeerClient.class);
    private static final int MAX_FRAME = 100 * 1024 * 1024;

    private final int nodeId;
    private final Map<Integer, InetSocketAddress> peers;
    private final Duration timeout;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, r -> {
        Thread t = new Thread(r, "samsa-peer-client");
        t.setDaemon(true);
        return t;
    }, NioIoHandler.newFactory());
    private final Map<Integer, Connection> connections = new ConcurrentHashMap<>();
    private final AtomicInteger correlationIds = new AtomicInteger();

    public PeerClient(int nodeId, Map<Integer, InetSocketAddress> peers, Duration timeout) {
        this.nodeId = nodeId;
        this.peers = Map.copyOf(peers);
        this.timeout = timeout;
    }

    /** The {@code n}th peer (modulo their number), in id order, or -1 without peers. */
    public int anyPeer(int n) {
        List<Integer> ids = peers.keySet().stream().sorted().toList();
        return ids.isEmpty() ? -1 : ids.get(Math.floorMod(n, ids.size()));
    }

    /** Whether this node has an address for {@code peer}. */
    public boolean knows(int peer) {
        return peers.containsKey(peer);
    }

    /**
     * Sends {@code request} to {@code peer}.
     *
     * @return the response, or a failure when the peer is unknown, unreachable or too slow
     */
    public CompletableFuture<AbstractResponse> send(int peer, AbstractRequest request) {
        InetSocketAddress address = peers.get(peer);
        if (address == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("no samsa.peers address for node "
                    + peer));
        }
        RequestHeader header = new RequestHeader(request.apiKey(), request.version(), "samsa-node-" + nodeId,
                correlationIds.incrementAndGet());
        Connection connection = connections.computeIfAbsent(peer, p -> new Connection(p, address));
        return connection.send(header, request).orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        connections.values().forEach(Connection::close);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    /** One connection to one peer and the requests waiting for its answers. */
    private final class Connection {
        private final int peer;
        private final InetSocketAddress address;
        private final Map<Integer, Pending> pending = new ConcurrentHashMap<>();
        private final ChannelFuture connected;

        private record Pending(RequestHeader header, CompletableFuture<AbstractResponse> response) {}

        Connection(int peer, InetSocketAddress address) {
            this.peer = peer;
            this.address = address;
            InetSocketAddress resolved = address.isUnresolved()
                    ? new InetSocketAddress(address.getHostString(), address.getPort()) : address;
            connected = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(timeout.toMillis(), 10_000))
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(MAX_FRAME, 0, 4, 0, 4),
                                    new SimpleChannelInboundHandler<ByteBuf>() {
                                        @Override
                                        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
                                            answered(frame);
                                        }

                                        @Override
                                        public void channelInactive(ChannelHandlerContext ctx) {
                                            broken(new IllegalStateException("connection to node " + peer
                                                    + " at " + address + " closed"));
                                        }

                                        @Override
                                        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                            ctx.close();
                                        }
                                    });
                        }
                    }).connect(resolved);
            connected.addListener(f -> {
                if (!f.isSuccess()) {
                    broken(new IllegalStateException("cannot connect to node " + peer + " at " + address + ": "
                            + f.cause()));
                }
            });
        }

        CompletableFuture<AbstractResponse> send(RequestHeader header, AbstractRequest request) {
            CompletableFuture<AbstractResponse> response = new CompletableFuture<>();
            pending.put(header.correlationId(), new Pending(header, response));
            // A response that never comes (timeout) must not stay registered.
            response.whenComplete((r, e) -> pending.remove(header.correlationId()));
            ByteBuffer body = request.serializeWithHeader(header);
            connected.addListener(f -> {
                if (!f.isSuccess()) {
                    return; // failed by broken()
                }
                Channel channel = connected.channel();
                ByteBuf frame = Unpooled.buffer(4 + body.remaining());
                frame.writeInt(body.remaining()).writeBytes(body);
                channel.writeAndFlush(frame).addListener(w -> {
                    if (!w.isSuccess()) {
                        response.completeExceptionally(w.cause());
                    }
                });
            });
            return response;
        }

        private void answered(ByteBuf frame) {
            ByteBuffer bytes = ByteBuffer.allocate(frame.readableBytes());
            frame.readBytes(bytes);
            bytes.flip();
            Pending p = pending.remove(bytes.getInt(0));
            if (p == null) {
                return; // timed out already
            }
            try {
                p.response().complete(AbstractResponse.parseResponse(bytes, p.header()));
            } catch (RuntimeException e) {
                p.response().completeExceptionally(e);
            }
        }

        private void broken(Exception cause) {
            connections.remove(peer, this);
            LOG.debug("Peer connection to node {} broken: {}", peer, cause.getMessage());
            pending.values().forEach(p -> p.response().completeExceptionally(cause));
            pending.clear();
        }

        void close() {
            connected.channel().close();
        }
    }
}
