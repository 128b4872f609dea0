package io.samsa.log;

import io.samsa.log.internal.FileUtil;
import io.samsa.log.internal.IoErrors;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A range of one segment's {@code .log} file handed to a reader without copying it: {@link #size()} bytes from
 * {@link #position()}, starting at a batch boundary. Like Kafka's fetch it may end inside a batch when the byte
 * limit cuts one; readers drop that partial batch (the Java consumer, librdkafka and followers all do).
 *
 * <p>A slice holds a reference on its segment's file: the file stays open until {@link #release()}, even when
 * retention or compaction deletes the segment meanwhile, and it is closed as soon as the log and every slice have let
 * go of it. Release exactly once; a second call does nothing. Thread-safe.
 */
public final class LogSlice {

    /** No bytes and no file. */
    public static final LogSlice EMPTY = new LogSlice(null, null, 0, 0, () -> { });

    private final FileChannel channel;
    private final Path file;
    private final long position;
    private final int size;
    private final Runnable releaser;
    private final AtomicBoolean released = new AtomicBoolean();

    LogSlice(FileChannel channel, Path file, long position, int size, Runnable releaser) {
        this.channel = channel;
        this.file = file;
        this.position = position;
        this.size = size;
        this.releaser = releaser;
    }

    /** The open segment file; valid until {@link #release()}. Null for {@link #EMPTY}. */
    public FileChannel channel() {
        return channel;
    }

    public long position() {
        return position;
    }

    public int size() {
        return size;
    }

    /** Lets go of the segment file; the first call counts, later ones do nothing. */
    public void release() {
        if (released.compareAndSet(false, true)) {
            releaser.run();
        }
    }

    /**
     * Copies the bytes into {@code dst}, for a reader that needs them on the heap or in a direct buffer.
     *
     * @throws StorageException when the file is shorter than the slice (it was truncated meanwhile)
     */
    public void readInto(ByteBuffer dst) {
        if (size == 0) {
            return;
        }
        ByteBuffer target = dst.slice(dst.position(), size);
        int read = IoErrors.call("read", file, () -> FileUtil.readFully(channel, target, position));
        if (read < size) {
            throw new StorageException(StorageException.Kind.STORAGE_ERROR, "Segment " + file + " was truncated"
                    + " while being read: " + read + " of " + size + " bytes at " + position);
        }
        dst.position(dst.position() + size);
    }

    @Override
    public String toString() {
        return "LogSlice(" + file + ", position=" + position + ", size=" + size + ")";
    }
}
