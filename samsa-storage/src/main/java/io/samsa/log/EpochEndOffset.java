package io.samsa.log;

/**
 * The answer to "where does leader epoch E end" (OffsetsForLeaderEpoch), with Kafka's rules: for the latest epoch,
 * (E, log end offset); otherwise the largest known epoch at most E and the start offset of the next larger epoch;
 * when E is below every known epoch, (E, start offset of the first known epoch); both -1 when E is above every
 * known epoch, negative, or the log knows no epoch.
 *
 * @param leaderEpoch the epoch found
 * @param endOffset its end offset (exclusive)
 */
public record EpochEndOffset(int leaderEpoch, long endOffset) {}
