package io.samsa.server;

import io.samsa.metadata.PartitionCapacity;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * The open-file budget of this process as a {@link PartitionCapacity}: every hosted partition keeps files open (its
 * active segment, and more as it grows), so partitions are refused once hosting them would leave less than a reserve
 * of the process's file-descriptor limit ({@code ulimit -n}) for connections, segments and the rest. Without it, a
 * request for thousands of partitions fails half-way with "Too many open files", and so does every connection and
 * segment roll after it.
 *
 * <p>Thread-safe (reads the operating system's counts on each call).
 */
final class OpenFileBudget implements PartitionCapacity {

    /** Files a new partition opens at once: its first segment's log file (the indexes are memory-mapped). */
    static final int FILES_PER_PARTITION = 2;
    private static final long MIN_RESERVE = 512;

    private final com.sun.management.UnixOperatingSystemMXBean os;

    private OpenFileBudget(com.sun.management.UnixOperatingSystemMXBean os) {
        this.os = os;
    }

    /** The budget of this process, or no limit where the platform does not tell its open files (Windows). */
    static PartitionCapacity ofThisProcess() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.UnixOperatingSystemMXBean unix ? new OpenFileBudget(unix)
                : PartitionCapacity.UNLIMITED;
    }

    /** What stays free for everything but new partitions: a tenth of the limit, at least {@value #MIN_RESERVE}. */
    static long reserve(long limit) {
        return Math.max(MIN_RESERVE, limit / 10);
    }

    @Override
    public String refusal(int count) {
        long limit = os.getMaxFileDescriptorCount();
        long open = os.getOpenFileDescriptorCount();
        long needed = (long) count * FILES_PER_PARTITION;
        long reserve = reserve(limit);
        if (limit <= 0 || open < 0 || open + needed <= limit - reserve) {
            return null;
        }
        return "Hosting " + count + " more partition(s) needs about " + needed + " more open files, but this broker"
                + " has " + open + " open of its limit of " + limit + " (ulimit -n) and keeps " + reserve
                + " for connections and segments. Raise the limit, or delete topics that are no longer used.";
    }
}
