package io.samsa.log.internal;

import io.samsa.log.EpochEndOffset;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader epochs of a partition and the offset at which each began, persisted in Kafka's
 * {@code leader-epoch-checkpoint} format: a version line (0), a count line, then one {@code "<epoch> <startOffset>"}
 * line per epoch. Every change rewrites the file atomically.
 *
 * <p>Invariant: epochs and start offsets both strictly increase along the list.
 *
 * <p>Thread-safety: all methods are synchronized; mutators are also called under the log's append lock.
 */
public final class LeaderEpochCache {

    public static final String FILE_NAME = "leader-epoch-checkpoint";

    private static final Logger LOG = LoggerFactory.getLogger(LeaderEpochCache.class);

    /** One epoch and the first offset written in it. */
    public record Entry(int epoch, long startOffset) {}

    private final Path file;
    private final List<Entry> entries = new ArrayList<>();
    /** An epoch was assigned with {@link #assignDeferred} and is not in the file yet. */
    private boolean unpersisted;

    private LeaderEpochCache(Path file) {
        this.file = file;
    }

    /** Loads the checkpoint of {@code dir}; a missing or unreadable file gives an empty cache. */
    public static LeaderEpochCache load(Path dir) {
        LeaderEpochCache cache = new LeaderEpochCache(dir.resolve(FILE_NAME));
        try {
            List<String> lines = Files.readAllLines(cache.file, StandardCharsets.UTF_8);
            if (lines.size() < 2 || !"0".equals(lines.get(0).trim())) {
                throw new IOException("unknown format");
            }
            int count = Integer.parseInt(lines.get(1).trim());
            for (int i = 0; i < count; i++) {
                String[] parts = lines.get(2 + i).trim().split("\\s+");
                cache.entries.add(new Entry(Integer.parseInt(parts[0]), Long.parseLong(parts[1])));
            }
        } catch (NoSuchFileException e) {
            // a new partition
        } catch (IOException | RuntimeException e) {
            LOG.warn("Ignoring unreadable leader epoch checkpoint {}: {}", cache.file, e.toString());
            cache.entries.clear();
        }
        return cache;
    }

    /**
     * Records that {@code epoch} starts at {@code startOffset}, when it is newer than the latest known epoch; an
     * epoch assigned with {@link #assignDeferred} is written now.
     */
    public synchronized void assign(int epoch, long startOffset) {
        if (add(epoch, startOffset) || unpersisted) {
            persist();
        }
    }

    /**
     * As {@link #assign}, but the file is written only with the next change or the first append of the epoch (which
     * calls {@link #assign}): a replica that becomes leader records its epoch at once
     * for OffsetForLeaderEpoch without a synchronous write per partition (thousands at a topic creation). Until
     * something is appended in the epoch nothing in the log depends on the entry (reopening the log drops an epoch
     * that starts at its end anyway), and the replica that leads again at that epoch assigns it again.
     */
    public synchronized void assignDeferred(int epoch, long startOffset) {
        if (add(epoch, startOffset)) {
            unpersisted = true;
        }
    }

    private boolean add(int epoch, long startOffset) {
        if (epoch < 0 || (!entries.isEmpty() && epoch <= latestEpoch())) {
            return false;
        }
        // An epoch that wrote nothing must not claim an end offset: drop entries that would not end before it.
        entries.removeIf(e -> e.startOffset() >= startOffset);
        entries.add(new Entry(epoch, startOffset));
        return true;
    }

    /** The epoch whose range holds {@code offset}: the last one starting at or before it, or -1. */
    public synchronized int epochForOffset(long offset) {
        int found = -1;
        for (Entry entry : entries) {
            if (entry.startOffset() > offset) {
                break;
            }
            found = entry.epoch();
        }
        return found;
    }

    /** The latest epoch, or -1 when none is known. */
    public synchronized int latestEpoch() {
        return entries.isEmpty() ? -1 : entries.get(entries.size() - 1).epoch();
    }

    /**
     * Kafka's OffsetsForLeaderEpoch answer: for the latest epoch, the log end offset; for an older known epoch, the
     * start of the next one; for an epoch between known ones, the largest older epoch and the start of the next;
     * for an epoch below all known ones, that epoch and the start of the first; (-1, -1) above all known epochs.
     */
    public synchronized EpochEndOffset endOffsetFor(int epoch, long logEndOffset) {
        if (epoch < 0 || entries.isEmpty()) {
            return new EpochEndOffset(-1, -1);
        }
        if (epoch == latestEpoch()) {
            return new EpochEndOffset(epoch, logEndOffset);
        }
        Entry floor = null;
        Entry higher = null;
        for (Entry e : entries) {
            if (e.epoch() <= epoch) {
                floor = e;
            } else {
                higher = e;
                break;
            }
        }
        if (higher == null) {
            return new EpochEndOffset(-1, -1);
        }
        return floor == null
                ? new EpochEndOffset(epoch, higher.startOffset())
                : new EpochEndOffset(floor.epoch(), higher.startOffset());
    }

    /** Drops epochs starting at or after {@code endOffset}, after the log was truncated there. */
    public synchronized void truncateFromEnd(long endOffset) {
        if (entries.removeIf(e -> e.startOffset() >= endOffset)) {
            persist();
        }
    }

    /**
     * Drops epochs that ended before {@code startOffset}, after the log start moved there; the epoch holding it
     * then starts at it.
     */
    public synchronized void truncateFromStart(long startOffset) {
        int keepFrom = 0;
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).startOffset() <= startOffset) {
                keepFrom = i;
            }
        }
        if (keepFrom == 0 && (entries.isEmpty() || entries.get(0).startOffset() >= startOffset)) {
            return;
        }
        Entry holder = entries.get(keepFrom);
        entries.subList(0, keepFrom + 1).clear();
        entries.add(0, new Entry(holder.epoch(), startOffset));
        persist();
    }

    public synchronized List<Entry> entries() {
        return List.copyOf(entries);
    }

    private void persist() {
        StringBuilder text = new StringBuilder("0\n").append(entries.size()).append('\n');
        for (Entry e : entries) {
            text.append(e.epoch()).append(' ').append(e.startOffset()).append('\n');
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        IoErrors.run("write", file, () -> FileUtil.writeAtomically(file, bytes));
        unpersisted = false;
    }
}
