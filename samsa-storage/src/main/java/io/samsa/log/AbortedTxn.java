package io.samsa.log;

/**
 * An aborted transaction as the transaction index keeps it: a read_committed consumer drops the records of
 * {@code producerId} between {@code firstOffset} and the abort marker at {@code lastOffset}.
 *
 * @param producerId the producer whose transaction was aborted
 * @param firstOffset the offset of the transaction's first record in this partition
 * @param lastOffset the offset of the abort marker
 * @param lastStableOffset the partition's first unstable offset once the abort was written: no transaction that
 *     began below it was still open, which lets a search for the transactions overlapping a range stop early
 */
public record AbortedTxn(long producerId, long firstOffset, long lastOffset, long lastStableOffset) {}
