package io.samsa.log;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small simulated file system under one directory, for tests that need a full or failing disk without mounting
 * one: every file channel the log layer opens below {@link #root()} while this is installed is wrapped, so that
 * writes that grow files draw on a capacity (a write that does not fit writes what fits, then fails with "No space
 * left on device", leaving a torn batch as a real disk does), and {@link Mode#READ_ONLY} or {@link Mode#IO_ERROR}
 * make every write fail as a file system remounted read-only or a dying disk would. {@link LogDir} reads its free
 * space from here instead of the file store.
 *
 * <p>Nothing in production installs one; without it the log layer uses the JDK's channels unchanged. Install it
 * before the logs open (channels opened earlier are not wrapped) and close it at the end of the test.
 *
 * <p>The space accounting counts the bytes by which writes grew files and the bytes truncations gave back; files
 * deleted or renamed over give nothing back (checkpoints and snapshots are tiny). Thread-safe.
 */
public final class StorageFaults implements AutoCloseable {

    /** How writes under the root fail, besides running out of capacity. */
    public enum Mode {
        /** Writes succeed while there is capacity. */
        NONE,
        /** Every write, truncation, fsync and open for writing fails with "Read-only file system". */
        READ_ONLY,
        /** Every write, truncation and fsync fails with "Input/output error". */
        IO_ERROR
    }

    private static final Map<Path, StorageFaults> INSTALLED = new ConcurrentHashMap<>();

    private final Path root;
    private final AtomicLong capacity;
    private final AtomicLong used = new AtomicLong();
    private volatile Mode mode = Mode.NONE;

    private StorageFaults(Path root, long capacityBytes) {
        this.root = root;
        this.capacity = new AtomicLong(capacityBytes);
    }

    /**
     * Simulates a file system of {@code capacityBytes} under {@code root} (its bytes already there do not count).
     *
     * @throws IllegalStateException when one is already installed there
     */
    public static StorageFaults install(Path root, long capacityBytes) {
        Path key = root.toAbsolutePath().normalize();
        StorageFaults faults = new StorageFaults(key, capacityBytes);
        if (INSTALLED.putIfAbsent(key, faults) != null) {
            throw new IllegalStateException("Storage faults are already installed under " + key);
        }
        return faults;
    }

    /** The simulation covering {@code file}, or null (always null in production). */
    public static StorageFaults covering(Path file) {
        if (INSTALLED.isEmpty()) {
            return null;
        }
        Path absolute = file.toAbsolutePath().normalize();
        for (StorageFaults faults : INSTALLED.values()) {
            if (absolute.startsWith(faults.root)) {
                return faults;
            }
        }
        return null;
    }

    public Path root() {
        return root;
    }

    public void setMode(Mode mode) {
        this.mode = mode;
    }

    public Mode mode() {
        return mode;
    }

    /** Sets the capacity; setting it above what is used "frees" space. */
    public void setCapacity(long bytes) {
        capacity.set(bytes);
    }

    public long capacityBytes() {
        return capacity.get();
    }

    /** Capacity not yet used by growing files. */
    public long usableBytes() {
        return Math.max(0, capacity.get() - used.get());
    }

    /** Bytes that files under the root grew by since installation, net of truncations. */
    public long usedBytes() {
        return used.get();
    }

    /**
     * Reserves up to {@code growth} bytes for a write; returns how many it got (the write writes that much of its
     * growth and then fails).
     */
    public long reserve(long growth) {
        while (true) {
            long now = used.get();
            long granted = Math.max(0, Math.min(growth, capacity.get() - now));
            if (used.compareAndSet(now, now + granted)) {
                return granted;
            }
        }
    }

    /** Gives back bytes a truncation freed. */
    public void release(long bytes) {
        used.addAndGet(-bytes);
    }

    /** Throws the failure of the current mode for a write, truncation or fsync, if any. */
    public void checkWrite(Path file) throws IOException {
        switch (mode) {
            case READ_ONLY -> throw new java.nio.file.FileSystemException(file.toString(), null,
                    "Read-only file system");
            case IO_ERROR -> throw new IOException("Input/output error");
            case NONE -> { }
        }
    }

    /** The failure of a write that did not fit. */
    public static IOException noSpace() {
        return new IOException("No space left on device");
    }

    @Override
    public void close() {
        INSTALLED.remove(root, this);
    }

    @Override
    public String toString() {
        return "StorageFaults(" + root + ", mode=" + mode + ", used=" + used + " of " + capacity + ")";
    }
}
