package io.samsa.log;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Whole record batches read from a log.
 *
 * @param records the batches, in Kafka's v2 format, ready to be sent to a client; empty when there was nothing to
 *     read below the upper bound
 * @param logStartOffset the log start offset at the time of the read
 * @param logEndOffset the log end offset at the time of the read
 * @param abortedTransactions the aborted transactions overlapping the batches read, when the reader asked for them
 *     (read_committed), else empty
 */
public record LogReadResult(ByteBuffer records, long logStartOffset, long logEndOffset,
        List<AbortedTxn> abortedTransactions) {

    public LogReadResult(ByteBuffer records, long logStartOffset, long logEndOffset) {
        this(records, logStartOffset, logEndOffset, List.of());
    }
}
