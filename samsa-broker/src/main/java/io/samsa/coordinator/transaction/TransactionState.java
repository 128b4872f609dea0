package io.samsa.coordinator.transaction;

/**
 * The states of a transactional id, Kafka's state machine: {@code Empty → Ongoing → PrepareCommit|PrepareAbort →
 * CompleteCommit|CompleteAbort → Ongoing ...}. PrepareEpochFence and Dead are transient: Kafka holds them while the
 * coordinator fences a producer or removes an expired id, and so does this coordinator while the record that ends
 * them is written; they are never stored.
 */
public enum TransactionState {
    EMPTY("Empty", 0),
    ONGOING("Ongoing", 1),
    PREPARE_COMMIT("PrepareCommit", 2),
    PREPARE_ABORT("PrepareAbort", 3),
    COMPLETE_COMMIT("CompleteCommit", 4),
    COMPLETE_ABORT("CompleteAbort", 5),
    DEAD("Dead", 6),
    PREPARE_EPOCH_FENCE("PrepareEpochFence", 7);

    private final String kafkaName;
    private final byte id;

    TransactionState(String kafkaName, int id) {
        this.kafkaName = kafkaName;
        this.id = (byte) id;
    }

    /** The name DescribeTransactions and ListTransactions use. */
    public String kafkaName() {
        return kafkaName;
    }

    byte id() {
        return id;
    }

    static TransactionState ofId(byte id) {
        for (TransactionState state : values()) {
            if (state.id == id) {
                return state;
            }
        }
        throw new IllegalArgumentException("unknown transaction state id " + id);
    }

    /** The state with this Kafka name, or null. */
    public static TransactionState fromKafkaName(String name) {
        for (TransactionState state : values()) {
            if (state.kafkaName.equals(name)) {
                return state;
            }
        }
        return null;
    }

    boolean isPrepare() {
        return this == PREPARE_COMMIT || this == PREPARE_ABORT;
    }

    boolean isComplete() {
        return this == COMPLETE_COMMIT || this == COMPLETE_ABORT;
    }
}
