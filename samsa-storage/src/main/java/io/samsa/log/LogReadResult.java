package io.samsa.log;

import java.nio.ByteBuffer;

/**
 * Whole record batches read from a log.
 *
 * @param records the batches, in Kafka's v2 format, ready to be sent to a client; empty when there was nothing to
 *     read below the upper bound
 * @param logStartOffset the log start offset at the time of the read
 * @param logEndOffset the log end offset at the time of the read
 */
public record LogReadResult(ByteBuffer records, long logStartOffset, long logEndOffset) {}
