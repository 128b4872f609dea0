package io.samsa.log.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * A segment's sparse offset index in Kafka's format: 8-byte entries of (int32 offset relative to the segment's base
 * offset, int32 byte position in the .log file). An entry (o, p) says that the batch at p has last offset o, so a
 * scan for any offset >= o may start at p. Entries are strictly increasing in both fields.
 *
 * <p>The entries live in memory (so lookups never touch the disk) and are mirrored to the file with positional
 * writes. Unlike Kafka's memory-mapped index the file is not preallocated: its length is always entries * 8.
 *
 * <p>Thread-safety: one writer (holding the log's append lock) and any number of concurrent readers. The writer
 * stores an entry, then publishes the arrays, then the count, all volatile, so a reader that reads the count first
 * sees complete entries.
 */
public final class OffsetIndex {

    public static final int ENTRY_SIZE = 8;

    private volatile Path file;
    private final long baseOffset;
    private final int maxEntries;
    private volatile int[] relativeOffsets;
    private volatile int[] positions;
    private volatile int entries;
    private FileChannel writer;

    private OffsetIndex(Path file, long baseOffset, int maxEntries, int[] relativeOffsets, int[] positions, int n) {
        this.file = file;
        this.baseOffset = baseOffset;
        this.maxEntries = Math.max(1, maxEntries);
        this.relativeOffsets = relativeOffsets;
        this.positions = positions;
        this.entries = n;
    }

    /** An empty index; the file is created on the first append. */
    public static OffsetIndex empty(Path file, long baseOffset, int maxIndexBytes) {
        return new OffsetIndex(file, baseOffset, maxIndexBytes / ENTRY_SIZE, new int[16], new int[16], 0);
    }

    /**
     * Loads the index file, or returns null when it is missing or not a plausible index for a log of
     * {@code logSize} bytes (the caller then rebuilds it from the log).
     */
    public static OffsetIndex load(Path file, long baseOffset, int maxIndexBytes, int logSize) throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length % ENTRY_SIZE != 0) {
            return null;
        }
        int n = bytes.length / ENTRY_SIZE;
        int[] rel = new int[Math.max(16, n)];
        int[] pos = new int[Math.max(16, n)];
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        for (int i = 0; i < n; i++) {
            rel[i] = buf.getInt();
            pos[i] = buf.getInt();
            boolean increasing = i == 0 || (rel[i] > rel[i - 1] && pos[i] > pos[i - 1]);
            if (rel[i] < 0 || pos[i] < 0 || pos[i] >= logSize || !increasing) {
                return null;
            }
        }
        return new OffsetIndex(file, baseOffset, Math.max(maxIndexBytes / ENTRY_SIZE, n), rel, pos, n);
    }

    public Path file() {
        return file;
    }

    /** Moves the index file to {@code target} (when it exists yet); later writes go there. */
    public void renameTo(Path target) throws IOException {
        close();
        if (Files.exists(file)) {
            Files.move(file, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        file = target;
    }

    public int entries() {
        return entries;
    }

    public boolean isFull() {
        return entries >= maxEntries;
    }

    /** The offset of the last entry, or -1 when empty. */
    public long lastOffset() {
        int n = entries;
        return n == 0 ? -1 : baseOffset + relativeOffsets[n - 1];
    }

    /** The position of the last entry, or 0 when empty. */
    public int lastPosition() {
        int n = entries;
        return n == 0 ? 0 : positions[n - 1];
    }

    /** The position from which to scan for {@code offset}: that of the largest entry <= offset, else 0. */
    public int lookup(long offset) {
        int n = entries;
        int[] rel = relativeOffsets;
        int[] pos = positions;
        long target = offset - baseOffset;
        int lo = 0;
        int hi = n - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (rel[mid] <= target) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found < 0 ? 0 : pos[found];
    }

    /** Adds an entry; offsets and positions must grow. */
    public void append(long offset, int position) throws IOException {
        int n = entries;
        int relative = Math.toIntExact(offset - baseOffset);
        if (n > 0 && (relative <= relativeOffsets[n - 1] || position <= positions[n - 1])) {
            throw new IllegalStateException("Offset index entry (" + offset + ", " + position
                    + ") does not follow the last one in " + file);
        }
        int[] rel = relativeOffsets;
        int[] pos = positions;
        if (n == rel.length) {
            rel = Arrays.copyOf(rel, n * 2);
            pos = Arrays.copyOf(pos, n * 2);
        }
        rel[n] = relative;
        pos[n] = position;
        ByteBuffer entry = ByteBuffer.allocate(ENTRY_SIZE).putInt(relative).putInt(position).flip();
        FileUtil.writeFully(writer(), entry, (long) n * ENTRY_SIZE);
        relativeOffsets = rel;
        positions = pos;
        entries = n + 1;
    }

    /** Drops the entries for offsets >= {@code offset}. */
    public void truncateTo(long offset) throws IOException {
        int n = entries;
        while (n > 0 && baseOffset + relativeOffsets[n - 1] >= offset) {
            n--;
        }
        entries = n;
        writer().truncate((long) n * ENTRY_SIZE);
    }

    /** Drops every entry, to rebuild the index. */
    public void reset() throws IOException {
        entries = 0;
        writer().truncate(0);
    }

    public void flush() throws IOException {
        if (writer != null) {
            writer.force(true);
        }
    }

    /** Closes the file handle; lookups keep working from memory, and a later append reopens the file. */
    public void close() throws IOException {
        if (writer != null) {
            writer.close();
            writer = null;
        }
    }

    private FileChannel writer() throws IOException {
        if (writer == null) {
            writer = FileChannels.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        }
        return writer;
    }
}
