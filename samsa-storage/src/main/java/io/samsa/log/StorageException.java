package io.samsa.log;

import java.util.List;

/**
 * A failure of a log operation that a client must hear about. The {@link Kind} says which Kafka error the
 * API layer answers with; the storage layer itself knows nothing of the wire protocol.
 */
public class StorageException extends RuntimeException {

    /** What went wrong, one value per Kafka error the storage layer can cause. */
    public enum Kind {
        /** A batch failed its CRC or is structurally invalid (CORRUPT_MESSAGE). */
        CORRUPT_MESSAGE,
        /** A batch is larger than max.message.bytes (MESSAGE_TOO_LARGE). */
        RECORD_TOO_LARGE,
        /** A batch is well formed but not acceptable, e.g. magic below 2 (INVALID_RECORD). */
        INVALID_RECORD,
        /** A timestamp outside the allowed range (INVALID_TIMESTAMP). */
        INVALID_TIMESTAMP,
        /** A read below the log start or above the log end (OFFSET_OUT_OF_RANGE). */
        OFFSET_OUT_OF_RANGE,
        /** An idempotent batch whose sequence does not follow the last one (OUT_OF_ORDER_SEQUENCE_NUMBER). */
        OUT_OF_ORDER_SEQUENCE,
        /** An idempotent batch from an older producer epoch (INVALID_PRODUCER_EPOCH). */
        INVALID_PRODUCER_EPOCH,
        /** A non-transactional batch from a producer with an open transaction (INVALID_TXN_STATE). */
        INVALID_TXN_STATE,
        /** A transaction marker from an older coordinator epoch (TRANSACTION_COORDINATOR_FENCED). */
        TRANSACTION_COORDINATOR_FENCED,
        /** The disk failed: an IOException while reading or writing (KAFKA_STORAGE_ERROR). */
        STORAGE_ERROR
    }

    /**
     * One record of a batch that was refused, as Kafka reports it in a Produce response (KIP-467), so that a client
     * fails only that record and retries or fails the rest of its batch separately.
     *
     * @param batchIndex the record's index within its batch
     * @param message why it was refused
     */
    public record RecordError(int batchIndex, String message) {
        @Override
        public String toString() {
            // As Kafka's ProduceResponse.RecordError prints itself in the summary message.
            return "RecordError(batchIndex=" + batchIndex + ", message='" + message + "')";
        }
    }

    private final Kind kind;
    private final List<RecordError> recordErrors;

    public StorageException(Kind kind, String message) {
        this(kind, message, List.of());
    }

    public StorageException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.recordErrors = List.of();
    }

    /** A refusal of some records of a batch (the whole batch is refused; {@code recordErrors} says which). */
    public StorageException(Kind kind, String message, List<RecordError> recordErrors) {
        super(message);
        this.kind = kind;
        this.recordErrors = List.copyOf(recordErrors);
    }

    public Kind kind() {
        return kind;
    }

    /** The records that caused the refusal, empty when it concerns the batch as a whole. */
    public List<RecordError> recordErrors() {
        return recordErrors;
    }
}
