package io.samsa.log;

import io.samsa.log.internal.LogSegment;
import java.util.List;

/**
 * A compacted log as the cleaner sees it when choosing what to clean (Kafka's LogToClean): the clean part below the
 * first dirty offset, the dirty part up to the first offset it may not clean, and their sizes.
 *
 * @param log the log
 * @param firstDirtyOffset where the last clean stopped (or the log start offset)
 * @param firstUncleanableOffset the first offset this clean may not touch: the active segment, the cleanable end
 *     offset of the log, or the first segment younger than min.compaction.lag.ms
 * @param cleanBytes bytes of the segments wholly below the first dirty offset
 * @param dirtyBytes bytes of the segments from the one holding the first dirty offset to the first uncleanable one
 * @param pastMaxCompactionLag whether a dirty segment's first batch is older than max.compaction.lag.ms
 */
record LogToClean(Log log, long firstDirtyOffset, long firstUncleanableOffset, long cleanBytes, long dirtyBytes,
        boolean pastMaxCompactionLag) {

    /** The dirty share of the log's cleanable bytes, compared with min.cleanable.dirty.ratio. */
    double dirtyRatio() {
        long total = cleanBytes + dirtyBytes;
        return total == 0 ? 0 : (double) dirtyBytes / total;
    }

    /**
     * Kafka's rule: cleanable when the dirty ratio is above min.cleanable.dirty.ratio (strictly, so a ratio of 0 still
     * needs dirty bytes), or when some dirty bytes are past max.compaction.lag.ms.
     */
    boolean needsCleaning() {
        return dirtyBytes > 0 && (pastMaxCompactionLag || dirtyRatio() > log.config().minCleanableDirtyRatio());
    }

    /** Measures {@code log} at {@code nowMs}. */
    static LogToClean of(Log log, long nowMs) {
        LogConfig config = log.config();
        long start = log.logStartOffset();
        long checkpoint = log.cleanedUpTo();
        // A checkpoint below the log start (retention, DeleteRecords) or above its end (lost tail) is stale.
        long firstDirty = checkpoint < start || checkpoint > log.logEndOffset() ? start : checkpoint;
        long uncleanable = log.cleanableEndOffset();
        List<LogSegment> closed = log.closedSegmentsBelow(uncleanable);
        if (config.minCompactionLagMs() > 0) {
            for (int i = 0; i < closed.size(); i++) {
                long next = i + 1 < closed.size() ? closed.get(i + 1).baseOffset() : uncleanable;
                if (next > firstDirty && closed.get(i).largestTimestamp() > nowMs - config.minCompactionLagMs()) {
                    uncleanable = closed.get(i).baseOffset();
                    break;
                }
            }
        }
        uncleanable = Math.max(firstDirty, uncleanable);
        long cleanBytes = 0;
        long dirtyBytes = 0;
        long earliestDirtyTimestamp = Long.MAX_VALUE;
        for (int i = 0; i < closed.size(); i++) {
            LogSegment segment = closed.get(i);
            long next = i + 1 < closed.size() ? closed.get(i + 1).baseOffset() : log.cleanableEndOffset();
            if (next <= firstDirty) {
                cleanBytes += segment.size();
                continue;
            }
            if (segment.firstBatchTimestamp() > 0) {
                earliestDirtyTimestamp = Math.min(earliestDirtyTimestamp, segment.firstBatchTimestamp());
            }
            if (segment.baseOffset() < uncleanable) {
                dirtyBytes += segment.size();
            }
        }
        boolean pastMaxLag = earliestDirtyTimestamp < nowMs - Math.max(config.maxCompactionLagMs(), 0L);
        return new LogToClean(log, firstDirty, uncleanable, cleanBytes, dirtyBytes, pastMaxLag);
    }
}
