package io.samsa.api;

import io.samsa.coordinator.transaction.TxnError;
import org.apache.kafka.common.protocol.Errors;

/**
 * The transaction coordinator's errors as an API version can carry them: PRODUCER_FENCED and TRANSACTION_ABORTABLE
 * came with later versions, and older clients get the error Kafka gave them before (INVALID_PRODUCER_EPOCH,
 * INVALID_TXN_STATE). Thread-safe (stateless).
 */
final class TxnErrors {

    private TxnErrors() {}

    /**
     * @param fencedSince the first version that has PRODUCER_FENCED
     * @param abortableSince the first version that has TRANSACTION_ABORTABLE
     */
    static Errors forVersion(TxnError error, short version, int fencedSince, int abortableSince) {
        Errors mapped = ErrorMapper.toError(error);
        if (mapped == Errors.PRODUCER_FENCED && version < fencedSince) {
            return Errors.INVALID_PRODUCER_EPOCH;
        }
        if (mapped == Errors.TRANSACTION_ABORTABLE && version < abortableSince) {
            return Errors.INVALID_TXN_STATE;
        }
        return mapped;
    }

    /**
     * The error a transactional write (Produce, TxnOffsetCommit) gets when its partition fails the coordinator's
     * verification, as Kafka maps it: a fenced producer hears INVALID_PRODUCER_EPOCH, which it treats as abortable;
     * a partition not in the transaction is TRANSACTION_ABORTABLE where the version has it, else INVALID_TXN_STATE.
     */
    static Errors forVerification(TxnError error, boolean abortableSupported) {
        return switch (error) {
            case PRODUCER_FENCED -> Errors.INVALID_PRODUCER_EPOCH;
            case TRANSACTION_ABORTABLE -> abortableSupported ? Errors.TRANSACTION_ABORTABLE : Errors.INVALID_TXN_STATE;
            default -> ErrorMapper.toError(error);
        };
    }
}
