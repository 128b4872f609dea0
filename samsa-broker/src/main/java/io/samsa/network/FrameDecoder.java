package io.samsa.network;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.ByteBuffer;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Splits the byte stream into Kafka frames: an int32 size, then that many bytes. A size that is negative or above
 * {@code socket.request.max.bytes} closes the connection before anything is buffered. Each frame is copied into its
 * own heap buffer, so the request it holds (and the produce records in it) outlive the socket's buffers safely.
 *
 * <p>Not thread-safe: one instance per channel, used on its event loop.
 */
final class FrameDecoder extends ByteToMessageDecoder {

    private static final Logger LOG = LoggerFactory.getLogger(FrameDecoder.class);

    private final int maxFrameBytes;
    private final Session session;
    private final int maxUnauthenticatedFrameBytes;

    /**
     * @param session the connection's session: until it is authenticated, frames are limited to
     *     {@code maxUnauthenticatedFrameBytes} (sasl.server.max.receive.size), so that an unauthenticated client cannot
     *     make the broker buffer a large request
     */
    FrameDecoder(int maxFrameBytes, Session session, int maxUnauthenticatedFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
        this.session = session;
        this.maxUnauthenticatedFrameBytes = maxUnauthenticatedFrameBytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.readableBytes() >= 4) {
            int size = in.getInt(in.readerIndex());
            boolean authenticated = session.authenticated();
            int max = authenticated ? maxFrameBytes : Math.min(maxFrameBytes, maxUnauthenticatedFrameBytes);
            if (size < 0 || size > max) {
                LOG.warn("Closing connection from {}: frame size {} is outside 0..{} ({})",
                        ctx.channel().remoteAddress(), size, max,
                        authenticated ? "socket.request.max.bytes" : "sasl.server.max.receive.size before"
                                + " authentication");
                in.skipBytes(in.readableBytes());
                ctx.close();
                return;
            }
            if (in.readableBytes() < 4 + size) {
                return;
            }
            in.skipBytes(4);
            byte[] frame = new byte[size];
            in.readBytes(frame);
            out.add(ByteBuffer.wrap(frame));
        }
    }
}
