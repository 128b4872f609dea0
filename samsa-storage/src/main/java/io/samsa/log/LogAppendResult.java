package io.samsa.log;

/**
 * What an append did.
 *
 * @param firstOffset offset assigned to the first record appended
 * @param lastOffset offset assigned to the last record appended
 * @param logAppendTime the broker time stamped on the batches when the topic uses LogAppendTime, else -1
 * @param logStartOffset the log start offset after the append
 * @param recordCount records appended
 * @param duplicate true when every batch was a retry of an idempotent batch already in the log; the offsets are
 *     then those of the original append and nothing was written
 */
public record LogAppendResult(
        long firstOffset, long lastOffset, long logAppendTime, long logStartOffset, int recordCount, boolean duplicate) {}
