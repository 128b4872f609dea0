package io.samsa.log;

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

    private final Kind kind;

    public StorageException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public StorageException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
