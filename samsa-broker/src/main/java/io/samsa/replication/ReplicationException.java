package io.samsa.replication;

/** A partition-level refusal; each {@link Kind} maps to the Kafka error of the same name. */
public class ReplicationException extends RuntimeException {

    /** Why a partition operation was refused. */
    public enum Kind {
        UNKNOWN_TOPIC_OR_PARTITION,
        NOT_LEADER_OR_FOLLOWER,
        FENCED_LEADER_EPOCH,
        UNKNOWN_LEADER_EPOCH,
        NOT_ENOUGH_REPLICAS
    }

    private final Kind kind;

    public ReplicationException(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
