package io.samsa.metadata;

/**
 * A metadata change that was refused. The API layer answers with the Kafka error that {@link Kind} names and with
 * this exception's message.
 */
public class MetadataException extends RuntimeException {

    /** Why a change was refused; each maps to the Kafka error of the same name. */
    public enum Kind {
        TOPIC_ALREADY_EXISTS,
        INVALID_TOPIC_EXCEPTION,
        UNKNOWN_TOPIC_OR_PARTITION,
        UNKNOWN_TOPIC_ID,
        INVALID_PARTITIONS,
        INVALID_REPLICATION_FACTOR,
        INVALID_REPLICA_ASSIGNMENT,
        INVALID_CONFIG,
        INVALID_REQUEST,
        POLICY_VIOLATION,
        /** The metadata log's disk refused the write (full, read-only, failing): nothing was committed. */
        KAFKA_STORAGE_ERROR,
        /** This node is not the active controller, or lost that role before the change committed: retry elsewhere. */
        NOT_CONTROLLER,
        /** The quorum did not commit the change in time (no leader, or too few voters reachable): retriable. */
        REQUEST_TIMED_OUT
    }

    private final Kind kind;

    public MetadataException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
