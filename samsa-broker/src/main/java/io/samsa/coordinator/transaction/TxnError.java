package io.samsa.coordinator.transaction;

/** The outcomes of transaction coordinator operations; each maps to the Kafka error of the same name. */
public enum TxnError {
    NONE,
    INVALID_REQUEST,
    INVALID_TRANSACTION_TIMEOUT,
    CONCURRENT_TRANSACTIONS,
    PRODUCER_FENCED,
    INVALID_PRODUCER_ID_MAPPING,
    INVALID_TXN_STATE,
    TRANSACTION_ABORTABLE,
    TRANSACTIONAL_ID_NOT_FOUND,
    COORDINATOR_NOT_AVAILABLE,
    NOT_COORDINATOR
}
