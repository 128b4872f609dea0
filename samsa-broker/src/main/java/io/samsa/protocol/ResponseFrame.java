package io.samsa.protocol;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.List;

/**
 * An encoded response frame (length prefix included) as the parts it is written from, in order: bytes already in
 * memory, and ranges of open files that go from the page cache to the socket without entering the Java heap
 * ({@code sendfile} on plaintext connections). The framing around a file range is written without copying it.
 *
 * <p>Ownership: whoever holds a frame either hands it to the network, which releases every file part once it has
 * been written or dropped, or calls {@link #release()} itself. Immutable; thread-safe.
 */
public final class ResponseFrame {

    /** One piece of a frame. */
    public sealed interface Part {
        int size();
    }

    /** Bytes in memory, from position to limit. */
    public record Bytes(ByteBuffer buffer) implements Part {
        @Override
        public int size() {
            return buffer.remaining();
        }
    }

    /**
     * {@code size} bytes of {@code channel} from {@code position}; {@code release} lets go of the file (it runs once
     * the bytes are sent or the frame dropped, and must tolerate being the last user of the file).
     */
    public record FilePart(FileChannel channel, long position, int size, Runnable release) implements Part {

        /**
         * Copies the part into {@code dst} (for a pipeline that must see the bytes, such as TLS).
         *
         * @throws UncheckedIOException when the read fails or the file is shorter than the part (truncated meanwhile)
         */
        public void readInto(ByteBuffer dst) {
            int target = dst.position() + size;
            ByteBuffer window = dst.duplicate().limit(target);
            try {
                long at = position;
                while (window.hasRemaining()) {
                    int n = channel.read(window, at);
                    if (n < 0) {
                        throw new IOException("file ended " + window.remaining() + " bytes before the end of the"
                                + " response part (truncated while being sent)");
                    }
                    at += n;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            dst.position(target);
        }
    }

    private final List<Part> parts;
    private final int size;

    public ResponseFrame(List<Part> parts) {
        this.parts = List.copyOf(parts);
        int total = 0;
        for (Part part : this.parts) {
            total += part.size();
        }
        this.size = total;
    }

    /** A frame that is one buffer (position to limit). */
    public static ResponseFrame of(ByteBuffer buffer) {
        return new ResponseFrame(List.of(new Bytes(buffer)));
    }

    public List<Part> parts() {
        return parts;
    }

    /** Bytes in the frame, length prefix included. */
    public int size() {
        return size;
    }

    /** Lets go of the files of a frame that will not be written. */
    public void release() {
        for (Part part : parts) {
            if (part instanceof FilePart file) {
                file.release().run();
            }
        }
    }

    /**
     * The whole frame copied into one heap buffer, for tests and in-process callers that read responses; the files
     * are released.
     */
    public ByteBuffer toByteBuffer() {
        ByteBuffer out = ByteBuffer.allocate(size);
        try {
            for (Part part : parts) {
                switch (part) {
                    case Bytes bytes -> out.put(bytes.buffer().duplicate());
                    case FilePart file -> file.readInto(out);
                }
            }
        } finally {
            release();
        }
        return out.flip();
    }
}
