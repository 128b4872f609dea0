package io.samsa.log;

import java.util.List;

/**
 * What a fetch reads from a log: a slice of a segment file, not copied, that the reader must release.
 *
 * @param slice the bytes, from a batch boundary, possibly ending inside a batch; {@link LogSlice#EMPTY} when there
 *     was nothing to read below the upper bound
 * @param logStartOffset the log start offset at the time of the read
 * @param logEndOffset the log end offset at the time of the read
 * @param abortedTransactions the aborted transactions overlapping the whole batches of the slice, when the reader
 *     asked for them (read_committed), else empty
 */
public record LogSliceRead(LogSlice slice, long logStartOffset, long logEndOffset,
        List<AbortedTxn> abortedTransactions) {}
