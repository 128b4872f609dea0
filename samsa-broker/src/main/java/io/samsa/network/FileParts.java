package io.samsa.network;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.DefaultFileRegion;
import io.samsa.protocol.ResponseFrame;

/**
 * The two ways a {@link ResponseFrame.FilePart} reaches the socket: as a file region that the transport sends with
 * {@code sendfile} (plaintext), or read once into a pooled direct buffer for a pipeline that must see the bytes (TLS:
 * Netty's {@code SslHandler} takes buffers only).
 */
final class FileParts {

    private FileParts() {}

    /**
     * A region the epoll and NIO transports send with {@code sendfile} (they recognise {@link DefaultFileRegion});
     * when Netty is done with it, it releases the part instead of closing the file, which is shared.
     */
    static final class SharedFileRegion extends DefaultFileRegion {

        private final Runnable release;

        SharedFileRegion(ResponseFrame.FilePart part) {
            super(part.channel(), part.position(), part.size());
            this.release = part.release();
        }

        @Override
        protected void deallocate() {
            release.run();
        }
    }

    /**
     * Whether the part's file is the JDK's own file channel. The native transports' {@code sendfile} takes the file
     * descriptor out of that class; any other channel (the storage layer's fault-injecting one in tests) would send
     * nothing, so its bytes are copied instead.
     */
    static boolean canSendFile(ResponseFrame.FilePart part) {
        return part.channel().getClass().getName().equals(JDK_FILE_CHANNEL);
    }

    private static final String JDK_FILE_CHANNEL = "sun.nio.ch.FileChannelImpl";

    /** Reads the part into a pooled direct buffer and releases it. */
    static ByteBuf readIntoDirect(ResponseFrame.FilePart part, ByteBufAllocator allocator) {
        ByteBuf buffer = allocator.directBuffer(part.size());
        try {
            part.readInto(buffer.nioBuffer(0, part.size()));
            buffer.writerIndex(part.size());
            return buffer;
        } catch (RuntimeException e) {
            buffer.release();
            throw e;
        } finally {
            part.release().run();
        }
    }
}
