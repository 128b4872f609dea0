package io.samsa.log.internal;

import java.nio.file.Path;

/**
 * Kafka's file names inside a partition directory: a segment's files are named by its base offset zero-padded to
 * 20 digits, so that lexicographic order is offset order.
 *
 * <p>Stateless and thread-safe.
 */
public final class SegmentFiles {

    public static final String LOG_SUFFIX = ".log";
    public static final String INDEX_SUFFIX = ".index";
    public static final String TIME_INDEX_SUFFIX = ".timeindex";
    public static final String TXN_INDEX_SUFFIX = ".txnindex";
    public static final String SNAPSHOT_SUFFIX = ".snapshot";
    /** Appended to a segment's files when retention removes them; they are deleted after file.delete.delay.ms. */
    public static final String DELETED_SUFFIX = ".deleted";
    /** Appended to the files of a segment the cleaner is writing; a crash leaves them incomplete, so they go. */
    public static final String CLEANED_SUFFIX = ".cleaned";
    /**
     * Appended to the files of a complete cleaned segment while it replaces the segments it was made of; a crash
     * leaves the replacement for the next open to finish.
     */
    public static final String SWAP_SUFFIX = ".swap";

    private static final int OFFSET_DIGITS = 20;

    private SegmentFiles() {}

    /** {@code 00000000000000000042} for 42. */
    public static String offsetName(long offset) {
        String digits = Long.toString(offset);
        return "0".repeat(Math.max(0, OFFSET_DIGITS - digits.length())) + digits;
    }

    public static Path logFile(Path dir, long baseOffset) {
        return dir.resolve(offsetName(baseOffset) + LOG_SUFFIX);
    }

    public static Path indexFile(Path dir, long baseOffset) {
        return dir.resolve(offsetName(baseOffset) + INDEX_SUFFIX);
    }

    public static Path timeIndexFile(Path dir, long baseOffset) {
        return dir.resolve(offsetName(baseOffset) + TIME_INDEX_SUFFIX);
    }

    public static Path txnIndexFile(Path dir, long baseOffset) {
        return dir.resolve(offsetName(baseOffset) + TXN_INDEX_SUFFIX);
    }

    public static Path snapshotFile(Path dir, long offset) {
        return dir.resolve(offsetName(offset) + SNAPSHOT_SUFFIX);
    }

    /**
     * The offset a file is named after, when its name is {@code <20 digits><suffix>}.
     *
     * @return the offset, or -1 when the name does not match
     */
    public static long parseOffset(String fileName, String suffix) {
        if (!fileName.endsWith(suffix) || fileName.length() != OFFSET_DIGITS + suffix.length()) {
            return -1;
        }
        String digits = fileName.substring(0, OFFSET_DIGITS);
        for (int i = 0; i < digits.length(); i++) {
            if (!Character.isDigit(digits.charAt(i))) {
                return -1;
            }
        }
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
