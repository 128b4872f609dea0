package io.samsa.log;

import io.samsa.log.internal.FileChannels;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health of one data directory (an entry of log.dirs): whether its partitions may be written, and how much space
 * is left. Every append asks it first ({@link #checkAppend}); every disk failure of a log in it is reported to it
 * ({@link #failed}). Its state:
 *
 * <pre>
 *            free space below the threshold, or "No space left on device"
 *   ONLINE ---------------------------------------------------------------------> FULL
 *     ^  ^ <-- free space above where appends stopped (plus a margin) and a write probe works --+
 *     |  |                                                                          ^
 *     |  |                                         writable again, but short of space |
 *     |  +--- a write probe works, enough space ---+------------------------------------+
 *     |                                            |
 *     +-- any other I/O failure (read-only file system, I/O error, directory removed) --> OFFLINE
 * </pre>
 *
 * FULL refuses appends only (reads, and everything that does not write, go on); OFFLINE also refuses reads: its
 * partitions are offline, as Kafka takes a failed log directory offline. Unlike Kafka, a directory comes back by
 * itself: while not ONLINE, the next append (or {@link #refresh()}, which the log manager calls in the background)
 * checks again, at most once per {@link #RECHECK_MS}. A directory whose {@code .lock} file is gone (removed under
 * the broker) stays OFFLINE until a restart: its logs' files are gone with it.
 *
 * <p>Each change of state is logged once, at ERROR when a problem starts (with the directory, its free space and what
 * is refused) and at INFO when it clears; the requests refused meanwhile are not logged.
 *
 * <p>The threshold ({@code samsa.log.dir.min.free.bytes} and {@code samsa.log.dir.min.free.ratio}: the smaller of the
 * two) keeps appends from using the last bytes of the disk, so that segment rolls, producer snapshots, index and
 * checkpoint writes, which follow appends, find room. Free space is read from the file store at most once per
 * {@link #RECHECK_MS}, and sooner when the bytes appended since could have crossed the threshold.
 *
 * <p>Thread-safe: appends of all partitions of the directory call it concurrently; state changes are serialized on
 * this object. Lock order: a log's append lock, then this object's monitor, never the reverse. The monitor is held
 * across one small probe of the disk (statvfs; while FULL or OFFLINE also a one-byte write, fsync and delete), at most
 * once per {@link #RECHECK_MS} or when an append may cross the threshold.
 */
public final class LogDir {

    /** How often, at most, free space is read again and a failed directory is probed again. */
    public static final long RECHECK_MS = 500;
    static final String LOCK_FILE = ".lock";
    private static final String PROBE_FILE = ".samsa-write-probe";
    private static final Logger LOG = LoggerFactory.getLogger(LogDir.class);

    /** Whether a directory's partitions may be written and read. */
    public enum Status {
        /** Appends and reads are served. */
        ONLINE,
        /** Free space is below the threshold or ran out: appends are refused, reads are served. */
        FULL,
        /** The directory failed (read-only, I/O errors, removed): its partitions are offline. */
        OFFLINE
    }

    /**
     * What the directory looks like now.
     *
     * @param usableBytes free space a write may use, as last read (-1 when it could not be read)
     * @param totalBytes the size of the file system (-1 when it could not be read)
     * @param thresholdBytes appends are refused when less than this is free
     * @param reason why it is not ONLINE, or null
     */
    public record State(Path path, Status status, long usableBytes, long totalBytes, long thresholdBytes,
            String reason) {}

    /**
     * The low-space threshold: appends are refused when free space drops below the smaller of {@code minFreeBytes}
     * and {@code minFreeRatio} of the file system's size.
     */
    public record Threshold(long minFreeBytes, double minFreeRatio) {
        /** No threshold: appends go on until the disk refuses them. */
        public static final Threshold NONE = new Threshold(0, 0);
        /** 256 MiB or 1% of the file system, whichever is smaller. */
        public static final Threshold DEFAULT = new Threshold(256L * 1024 * 1024, 0.01);

        long bytesFor(long totalBytes) {
            return totalBytes < 0 ? minFreeBytes : Math.min(minFreeBytes, (long) (minFreeRatio * totalBytes));
        }
    }

    private final Path path;
    private final Threshold threshold;
    private final LongSupplier nowMs;
    private volatile State state;
    private volatile long checkedAtMs;
    /** Bytes appended since free space was last read; the estimate of what is left subtracts them. */
    private final LongAdder appendedSinceCheck = new LongAdder();
    /** While FULL: the free space at which appends resume (above where they stopped, so that it does not flap). */
    private long resumeAtBytes;

    public LogDir(Path path, Threshold threshold, LongSupplier nowMs) {
        this.path = path.toAbsolutePath().normalize();
        this.threshold = threshold;
        this.nowMs = nowMs;
        this.state = new State(this.path, Status.ONLINE, -1, -1, threshold.minFreeBytes(), null);
        this.checkedAtMs = Long.MIN_VALUE / 2;
    }

    /** A directory with no threshold, for a log opened on its own (tests, tools). */
    public static LogDir unmanaged(Path path, LongSupplier nowMs) {
        return new LogDir(path, Threshold.NONE, nowMs);
    }

    public Path path() {
        return path;
    }

    /** The state as last checked; cheap (see {@link #refresh()} for a fresh one). */
    public State state() {
        return state;
    }

    public Status status() {
        return state.status();
    }

    /** Reads free space again and, when the directory is not ONLINE, probes whether it has come back. */
    public synchronized State refresh() {
        check(nowMs.getAsLong(), true);
        return state;
    }

    /**
     * Called before an append of {@code bytes} to a log of this directory.
     *
     * @throws StorageException STORAGE_ERROR, naming the directory and its free space, when the directory is FULL or
     *     OFFLINE (the latter only after a probe of at most once per {@link #RECHECK_MS} found it still failing)
     */
    public void checkAppend(long bytes) {
        long now = nowMs.getAsLong();
        State current = state;
        boolean stale = now - checkedAtMs >= RECHECK_MS;
        boolean mayCross = current.status() == Status.ONLINE && current.usableBytes() >= 0
                && current.usableBytes() - appendedSinceCheck.sum() - bytes < current.thresholdBytes();
        if (stale || mayCross) {
            synchronized (this) {
                check(now, mayCross);
                current = state;
            }
        }
        if (current.status() != Status.ONLINE) {
            throw refusal(current);
        }
        appendedSinceCheck.add(bytes);
    }

    /**
     * Called when a log of this directory could not write (or read) {@code what}: the failure decides the new state
     * (no space: FULL; anything else: OFFLINE), which is logged once.
     *
     * @return the exception to throw: STORAGE_ERROR naming the directory, its state and the original failure
     */
    public StorageException failed(StorageException failure) {
        synchronized (this) {
            long now = nowMs.getAsLong();
            checkedAtMs = now;
            State current = state;
            if (isNoSpace(failure)) {
                long[] space = readSpace();
                if (current.status() != Status.FULL) {
                    transition(new State(path, Status.FULL, space[0], space[1], threshold.bytesFor(space[1]),
                            "no space left on device"), failure);
                }
            } else if (current.status() != Status.OFFLINE) {
                long[] space = readSpace();
                transition(new State(path, Status.OFFLINE, space[0], space[1], threshold.bytesFor(space[1]),
                        rootCause(failure)), failure);
            }
        }
        return new StorageException(StorageException.Kind.STORAGE_ERROR, describe(state) + ": "
                + failure.getMessage(), failure);
    }

    /** Throws STORAGE_ERROR when the directory is OFFLINE (its partitions are not served at all). */
    public void checkOnline() {
        if (state.status() == Status.OFFLINE) {
            recheck();
            State current = state;
            if (current.status() == Status.OFFLINE) {
                throw refusal(current);
            }
        }
    }

    /** Checks whether a FULL or OFFLINE directory has come back, unless that was checked within {@link #RECHECK_MS}. */
    public void recheck() {
        long now = nowMs.getAsLong();
        if (now - checkedAtMs >= RECHECK_MS) {
            synchronized (this) {
                check(now, false);
            }
        }
    }

    private StorageException refusal(State current) {
        return new StorageException(StorageException.Kind.STORAGE_ERROR, describe(current));
    }

    private void check(long now, boolean force) {
        if (!force && now - checkedAtMs < RECHECK_MS) {
            return;
        }
        checkedAtMs = now;
        appendedSinceCheck.reset();
        State current = state;
        long[] space = readSpace();
        long thresholdBytes = threshold.bytesFor(space[1]);
        boolean lowSpace = space[0] >= 0 && space[0] < thresholdBytes;
        switch (current.status()) {
            case ONLINE -> {
                if (lowSpace) {
                    transition(new State(path, Status.FULL, space[0], space[1], thresholdBytes,
                            "free space below the threshold"), null);
                } else {
                    state = new State(path, Status.ONLINE, space[0], space[1], thresholdBytes, null);
                }
            }
            case FULL -> {
                if (space[0] >= resumeAtBytes && probeWrite() == null) {
                    transition(new State(path, Status.ONLINE, space[0], space[1], thresholdBytes, null), null);
                } else {
                    state = new State(path, Status.FULL, space[0], space[1], thresholdBytes, current.reason());
                }
            }
            case OFFLINE -> {
                String problem = probeWrite();
                if (problem == null && lowSpace) {
                    // Writable again, but short of space: appends stay refused, reads are served again.
                    transition(new State(path, Status.FULL, space[0], space[1], thresholdBytes,
                            "free space below the threshold"), null);
                } else if (problem == null) {
                    transition(new State(path, Status.ONLINE, space[0], space[1], thresholdBytes, null), null);
                } else {
                    state = new State(path, Status.OFFLINE, space[0], space[1], thresholdBytes, current.reason());
                }
            }
        }
    }

    private void transition(State next, Exception cause) {
        State before = state;
        state = next;
        if (next.status() == Status.FULL) {
            long stoppedAt = Math.max(next.thresholdBytes(), next.usableBytes());
            resumeAtBytes = stoppedAt + resumeMargin(next.totalBytes());
        }
        if (before.status() == next.status()) {
            return;
        }
        if (next.status() == Status.ONLINE) {
            LOG.info("Log directory {} is writable again ({} free of {}): appends to its partitions resume", path,
                    bytes(next.usableBytes()), bytes(next.totalBytes()));
        } else if (next.status() == Status.FULL) {
            LOG.error("Log directory {} is full: {} free of {}, the threshold is {} (samsa.log.dir.min.free.bytes,"
                    + " samsa.log.dir.min.free.ratio); appends to its partitions (produce, offset commits, transaction"
                    + " state) are refused with KAFKA_STORAGE_ERROR until space is freed; reads go on{}", path,
                    bytes(next.usableBytes()), bytes(next.totalBytes()), bytes(next.thresholdBytes()),
                    cause == null ? "" : " (" + rootCause(cause) + ")");
        } else {
            LOG.error("Log directory {} failed: {}; its partitions are offline (produce and fetch are refused with"
                    + " KAFKA_STORAGE_ERROR) until it is writable again; {} free of {}", path, next.reason(),
                    bytes(next.usableBytes()), bytes(next.totalBytes()));
        }
    }

    /** A message for clients and logs: the directory, its state and its free space. */
    private static String describe(State s) {
        return switch (s.status()) {
            case ONLINE -> "Log directory " + s.path() + " is online";
            case FULL -> "Log directory " + s.path() + " is full (" + bytes(s.usableBytes()) + " free of "
                    + bytes(s.totalBytes()) + ", threshold " + bytes(s.thresholdBytes()) + "): appends are refused"
                    + " until space is freed";
            case OFFLINE -> "Log directory " + s.path() + " is offline: " + s.reason();
        };
    }

    /** [usable, total], or -1s when the file store cannot be read (a removed directory). */
    private long[] readSpace() {
        StorageFaults faults = StorageFaults.covering(path);
        if (faults != null) {
            return new long[] {faults.usableBytes(), faults.capacityBytes()};
        }
        try {
            FileStore store = Files.getFileStore(path);
            return new long[] {store.getUsableSpace(), store.getTotalSpace()};
        } catch (IOException | RuntimeException e) {
            return new long[] {-1, -1};
        }
    }

    /** Writes, fsyncs and deletes a probe file; null when that worked, else what went wrong. */
    private String probeWrite() {
        if (!Files.exists(path.resolve(LOCK_FILE))) {
            return "the directory or its " + LOCK_FILE + " file was removed; restart the broker once it is back";
        }
        Path probe = path.resolve(PROBE_FILE);
        try {
            try (FileChannel ch = FileChannels.open(probe, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(ByteBuffer.wrap(new byte[] {1}), 0);
                ch.force(true);
            }
            Files.deleteIfExists(probe);
            return null;
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(probe);
            } catch (IOException ignored) {
                // the next probe tries again
            }
            return e.toString();
        }
    }

    /** How much more than when appends stopped must be free before they resume: 1% of the disk, 64 KiB to 16 MiB. */
    private static long resumeMargin(long totalBytes) {
        return Math.clamp(totalBytes / 100, 64L * 1024, 16L * 1024 * 1024);
    }

    static boolean isNoSpace(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            if (message.contains("No space left on device") || message.contains("Disk quota exceeded")) {
                return true;
            }
        }
        return false;
    }

    private static String rootCause(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.toString();
    }

    /** "1.2 MiB (1258291 bytes) free of 40.0 MiB (41943040 bytes)". */
    public static String describeSpace(State s) {
        return bytes(s.usableBytes()) + " free of " + bytes(s.totalBytes());
    }

    /** "12.3 MiB (12897484 bytes)", "916 bytes", or "unknown". */
    static String bytes(long n) {
        if (n < 0) {
            return "unknown";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = n;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit < 0 ? n + " bytes" : String.format(Locale.ROOT, "%.1f %s (%d bytes)", value, units[unit], n);
    }

    @Override
    public String toString() {
        return "LogDir(" + path + ", " + state.status() + ")";
    }
}
