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
 * A segment's sparse time index in Kafka's format: 12-byte entries of (int64 timestamp, int32 offset relative to
 * the segment's base offset). An entry (t, o) says that no record before the batch ending at offset o has a
 * timestamp above t. Timestamps strictly increase from entry to entry, offsets do not decrease.
 *
 * <p>Like {@link OffsetIndex}: entries in memory, mirrored to a file that is exactly entries * 12 bytes long.
 *
 * <p>Thread-safety: one writer under the log's append lock, concurrent readers; the count is published last.
 */
public final class TimeIndex {

    public static final int ENTRY_SIZE = 12;

    private volatile Path file;
    private final long baseOffset;
    private final int maxEntries;
    private volatile long[] timestamps;
    private volatile int[] relativeOffsets;
    private volatile int entries;
    private FileChannel writer;

    private TimeIndex(Path file, long baseOffset, int maxEntries, long[] timestamps, int[] relativeOffsets, int n) {
        this.file = file;
        this.baseOffset = baseOffset;
        this.maxEntries = Math.max(1, maxEntries);
        this.timestamps = timestamps;
        this.relativeOffsets = relativeOffsets;
        this.entries = n;
    }

    public static TimeIndex empty(Path file, long baseOffset, int maxIndexBytes) {
        return new TimeIndex(file, baseOffset, maxIndexBytes / ENTRY_SIZE, new long[16], new int[16], 0);
    }

    /** Loads the index file, or returns null when it is missing or implausible (the caller rebuilds it). */
    public static TimeIndex load(Path file, long baseOffset, int maxIndexBytes) throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length % ENTRY_SIZE != 0) {
            return null;
        }
        int n = bytes.length / ENTRY_SIZE;
        long[] ts = new long[Math.max(16, n)];
        int[] rel = new int[Math.max(16, n)];
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        for (int i = 0; i < n; i++) {
            ts[i] = buf.getLong();
            rel[i] = buf.getInt();
            boolean ordered = i == 0 || (ts[i] > ts[i - 1] && rel[i] >= rel[i - 1]);
            if (rel[i] < 0 || !ordered) {
                return null;
            }
        }
        return new TimeIndex(file, baseOffset, Math.max(maxIndexBytes / ENTRY_SIZE, n), ts, rel, n);
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

    /** The timestamp of the last entry, or -1 when empty. */
    public long lastTimestamp() {
        int n = entries;
        return n == 0 ? -1 : timestamps[n - 1];
    }

    /** The offset of the last entry, or -1 when empty. */
    public long lastOffset() {
        int n = entries;
        return n == 0 ? -1 : baseOffset + relativeOffsets[n - 1];
    }

    /**
     * The offset from which to look for the first record with timestamp >= {@code timestamp}: that of the
     * largest entry whose timestamp is at most it, else -1 (scan from the segment start).
     */
    public long lookup(long timestamp) {
        int n = entries;
        long[] ts = timestamps;
        int[] rel = relativeOffsets;
        int lo = 0;
        int hi = n - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (ts[mid] <= timestamp) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found < 0 ? -1 : baseOffset + rel[found];
    }

    /** Adds (timestamp, offset) when the timestamp is above the last entry's; otherwise does nothing. */
    public void maybeAppend(long timestamp, long offset) throws IOException {
        int n = entries;
        if (n > 0 && timestamp <= timestamps[n - 1]) {
            return;
        }
        int relative = Math.toIntExact(offset - baseOffset);
        long[] ts = timestamps;
        int[] rel = relativeOffsets;
        if (n == ts.length) {
            ts = Arrays.copyOf(ts, n * 2);
            rel = Arrays.copyOf(rel, n * 2);
        }
        ts[n] = timestamp;
        rel[n] = relative;
        ByteBuffer entry = ByteBuffer.allocate(ENTRY_SIZE).putLong(timestamp).putInt(relative).flip();
        FileUtil.writeFully(writer(), entry, (long) n * ENTRY_SIZE);
        timestamps = ts;
        relativeOffsets = rel;
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

    public void reset() throws IOException {
        entries = 0;
        writer().truncate(0);
    }

    public void flush() throws IOException {
        if (writer != null) {
            writer.force(true);
        }
    }

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
