package io.samsa.replication;

import io.samsa.log.AbortedTxn;
import io.samsa.log.LogSlice;
import java.util.List;

/**
 * What a fetch returns for one partition: its records, or the error that prevented reading them.
 *
 * @param request the partition asked for
 * @param error null, a {@link ReplicationException} or a {@link io.samsa.log.StorageException}
 * @param highWatermark the partition's high watermark, or -1 on error
 * @param lastStableOffset its last stable offset, or -1 on error
 * @param logStartOffset its log start offset, or -1 on error
 * @param records the batches read, still in the segment file (empty on error); whoever ends up with the result
 *     releases it
 * @param abortedTransactions for read_committed, the aborted transactions overlapping the batches read
 */
public record FetchResult(FetchPartition request, RuntimeException error, long highWatermark, long lastStableOffset,
        long logStartOffset, LogSlice records, List<AbortedTxn> abortedTransactions) {

    static FetchResult failed(FetchPartition request, RuntimeException error) {
        return new FetchResult(request, error, -1, -1, -1, LogSlice.EMPTY, List.of());
    }

    /** Releases the records of each result. */
    public static void releaseAll(List<FetchResult> results) {
        for (FetchResult result : results) {
            result.records().release();
        }
    }
}
