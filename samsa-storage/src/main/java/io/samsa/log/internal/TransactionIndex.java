package io.samsa.log.internal;

import io.samsa.log.AbortedTxn;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The aborted transactions whose abort marker is in one segment, in marker order: {@code <baseOffset>.txnindex},
 * Kafka's layout of fixed 34-byte entries (big-endian): version int16 (0), producerId int64, firstOffset int64,
 * lastOffset int64, lastStableOffset int64. The file is created with the first entry, so most segments have none.
 *
 * <p>The entries are also kept in memory: aborts are rare, and a read_committed fetch looks them up on every read.
 * A torn entry at the end of the file (a crash mid-write) is dropped when the index is opened; the log then rebuilds
 * the entries after its last producer snapshot by replaying the markers.
 *
 * <p>Thread-safety: mutators run under the owning log's append lock; {@link #collect} may run concurrently and sees
 * an immutable list published after each change.
 */
public final class TransactionIndex {

    private static final Logger LOG = LoggerFactory.getLogger(TransactionIndex.class);
    static final int ENTRY_BYTES = 2 + 8 + 8 + 8 + 8;
    private static final short VERSION = 0;

    private Path file;
    private FileChannel channel;
    private volatile List<AbortedTxn> entries;

    private TransactionIndex(Path file, List<AbortedTxn> entries) {
        this.file = file;
        this.entries = entries;
    }

    /** A new, empty index, removing a stale file of the same name. */
    public static TransactionIndex empty(Path file) {
        IoErrors.run("delete", file, () -> Files.deleteIfExists(file));
        return new TransactionIndex(file, List.of());
    }

    /** Loads the index file if there is one, cutting a torn last entry. */
    public static TransactionIndex load(Path file) {
        if (!Files.exists(file)) {
            return new TransactionIndex(file, List.of());
        }
        return IoErrors.call("load transaction index", file, () -> {
            byte[] bytes = Files.readAllBytes(file);
            int whole = bytes.length / ENTRY_BYTES;
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            List<AbortedTxn> entries = new ArrayList<>(whole);
            for (int i = 0; i < whole; i++) {
                short version = buf.getShort();
                if (version != VERSION) {
                    throw new IOException("unknown transaction index entry version " + version + " at entry " + i);
                }
                entries.add(new AbortedTxn(buf.getLong(), buf.getLong(), buf.getLong(), buf.getLong()));
            }
            TransactionIndex index = new TransactionIndex(file, List.copyOf(entries));
            if (bytes.length % ENTRY_BYTES != 0) {
                LOG.warn("Truncating {} to {} whole entries: a torn write of {} bytes at its end", file, whole,
                        bytes.length % ENTRY_BYTES);
                index.truncateFile(whole);
            }
            return index;
        });
    }

    /** Moves the file (if it was written yet) to {@code target}; the index goes on there. */
    public void renameTo(Path target) throws IOException {
        close();
        if (Files.exists(file)) {
            Files.move(file, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        file = target;
    }

    /** Every aborted transaction in the index, oldest first (the cleaner carries them into cleaned segments). */
    public List<AbortedTxn> entries() {
        return entries;
    }

    public Path file() {
        return file;
    }

    /**
     * Adds an abort; markers come in offset order.
     *
     * @throws IllegalStateException when its marker is not after the last one indexed
     */
    public void append(AbortedTxn aborted) {
        List<AbortedTxn> current = entries;
        if (!current.isEmpty() && current.getLast().lastOffset() >= aborted.lastOffset()) {
            throw new IllegalStateException("Abort marker at " + aborted.lastOffset() + " is not after the last one"
                    + " in " + file + ", at " + current.getLast().lastOffset());
        }
        IoErrors.run("append to", file, () -> {
            ByteBuffer entry = ByteBuffer.allocate(ENTRY_BYTES).putShort(VERSION).putLong(aborted.producerId())
                    .putLong(aborted.firstOffset()).putLong(aborted.lastOffset()).putLong(aborted.lastStableOffset())
                    .flip();
            FileUtil.writeFully(channel(), entry, (long) current.size() * ENTRY_BYTES);
        });
        List<AbortedTxn> next = new ArrayList<>(current);
        next.add(aborted);
        entries = List.copyOf(next);
    }

    /** Removes the aborts whose marker is at or after {@code offset}. */
    public void truncateTo(long offset) {
        List<AbortedTxn> current = entries;
        int below = 0;
        while (below < current.size() && current.get(below).lastOffset() < offset) {
            below++;
        }
        int keep = below;
        if (keep < current.size()) {
            entries = List.copyOf(current.subList(0, keep));
            IoErrors.run("truncate", file, () -> truncateFile(keep));
        }
    }

    private void truncateFile(int keptEntries) throws IOException {
        if (Files.exists(file)) {
            channel().truncate((long) keptEntries * ENTRY_BYTES);
        }
    }

    /**
     * Adds to {@code out} the aborted transactions that overlap [{@code fetchOffset}, {@code upperBoundOffset}).
     *
     * @return true when the search may stop: an abort here was written when no transaction that began below the
     *     upper bound was open any more, so no later segment holds one that overlaps
     */
    public boolean collect(long fetchOffset, long upperBoundOffset, List<AbortedTxn> out) {
        for (AbortedTxn aborted : entries) {
            if (aborted.lastOffset() >= fetchOffset && aborted.firstOffset() < upperBoundOffset) {
                out.add(aborted);
            }
            if (aborted.lastStableOffset() >= upperBoundOffset) {
                return true;
            }
        }
        return false;
    }

    private FileChannel channel() throws IOException {
        if (channel == null) {
            channel = FileChannels.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
        }
        return channel;
    }

    public void flush() {
        IoErrors.run("flush", file, () -> {
            if (channel != null) {
                channel.force(true);
            }
        });
    }

    /** Closes the file; a later append reopens it. */
    public void close() {
        IoErrors.run("close", file, () -> {
            if (channel != null) {
                channel.close();
                channel = null;
            }
        });
    }
}
