package io.samsa.log;

/**
 * The answer to "where does leader epoch E end": the largest epoch at most E that the log knows, and the start
 * offset of the next larger epoch (or the log end offset when there is none). Both are -1 when the log knows no
 * epoch at most E.
 *
 * @param leaderEpoch the epoch found
 * @param endOffset its end offset (exclusive)
 */
public record EpochEndOffset(int leaderEpoch, long endOffset) {}
