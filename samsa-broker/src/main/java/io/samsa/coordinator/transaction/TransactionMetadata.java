package io.samsa.coordinator.transaction;

import java.util.HashSet;
import java.util.Set;

/**
 * What the coordinator keeps of one transactional id, as Kafka's TransactionMetadata. Immutable: a transition builds
 * the next value, which becomes current once its record is on {@code __transaction_state}.
 *
 * @param transactionalId the producer's transactional.id
 * @param producerId its producer id
 * @param previousProducerId the id before the last rotation (epoch exhausted), else -1
 * @param producerEpoch its current epoch; -1 before the first InitProducerId completes
 * @param lastProducerEpoch the epoch before the last bump asked for by the producer itself (KIP-360), so that a retry
 *     of that bump gets the same answer; -1 when none
 * @param timeoutMs transaction.timeout.ms the producer asked for
 * @param state the transaction's state
 * @param partitions the partitions of the transaction in progress, empty when none
 * @param startTimestamp when the transaction in progress (or the last one) began, -1 before any
 * @param lastUpdateTimestamp when this state was reached
 */
public record TransactionMetadata(String transactionalId, long producerId, long previousProducerId,
        short producerEpoch, short lastProducerEpoch, int timeoutMs, TransactionState state,
        Set<TxnPartition> partitions, long startTimestamp, long lastUpdateTimestamp) {

    static final short NO_EPOCH = -1;
    static final long NO_PRODUCER_ID = -1;

    public TransactionMetadata {
        partitions = Set.copyOf(partitions);
    }

    /** A transactional id seen for the first time, before its first epoch is written. */
    static TransactionMetadata fresh(String transactionalId, long producerId, int timeoutMs, long now) {
        return new TransactionMetadata(transactionalId, producerId, NO_PRODUCER_ID, NO_EPOCH, NO_EPOCH, timeoutMs,
                TransactionState.EMPTY, Set.of(), -1, now);
    }

    /** Kafka stops bumping an epoch one short of the maximum and rotates to a new producer id instead. */
    static boolean isEpochExhausted(short epoch) {
        return epoch >= Short.MAX_VALUE - 1;
    }

    /** Ready for a new transaction after InitProducerId: Empty with this producer id and epoch. */
    TransactionMetadata initialized(long newProducerId, long newPreviousProducerId, short epoch, short lastEpoch,
            int newTimeoutMs, long now) {
        return new TransactionMetadata(transactionalId, newProducerId, newPreviousProducerId, epoch, lastEpoch,
                newTimeoutMs, TransactionState.EMPTY, Set.of(), -1, now);
    }

    /** Ongoing with {@code added} among its partitions; a transaction that was not running starts now. */
    TransactionMetadata withPartitions(Set<TxnPartition> added, long now) {
        Set<TxnPartition> all = new HashSet<>(state == TransactionState.ONGOING ? partitions : Set.of());
        all.addAll(added);
        long start = state == TransactionState.ONGOING ? startTimestamp : now;
        return new TransactionMetadata(transactionalId, producerId, previousProducerId, producerEpoch,
                lastProducerEpoch, timeoutMs, TransactionState.ONGOING, all, start, now);
    }

    /** PrepareCommit or PrepareAbort: the decision is taken, the markers are to be written. */
    TransactionMetadata prepared(boolean commit, long now) {
        return new TransactionMetadata(transactionalId, producerId, previousProducerId, producerEpoch,
                lastProducerEpoch, timeoutMs, commit ? TransactionState.PREPARE_COMMIT : TransactionState.PREPARE_ABORT,
                partitions, startTimestamp, now);
    }

    /**
     * PrepareAbort at the next epoch: the coordinator aborts the transaction itself (InitProducerId of a new
     * producer instance, or the transaction timed out), so the producer that opened it is fenced.
     */
    TransactionMetadata fencedForAbort(long now) {
        short epoch = isEpochExhausted(producerEpoch) ? producerEpoch : (short) (producerEpoch + 1);
        return new TransactionMetadata(transactionalId, producerId, previousProducerId, epoch, NO_EPOCH, timeoutMs,
                TransactionState.PREPARE_ABORT, partitions, startTimestamp, now);
    }

    /** CompleteCommit or CompleteAbort once every marker is written. */
    TransactionMetadata completed(long now) {
        TransactionState done = state == TransactionState.PREPARE_COMMIT ? TransactionState.COMPLETE_COMMIT
                : TransactionState.COMPLETE_ABORT;
        return new TransactionMetadata(transactionalId, producerId, previousProducerId, producerEpoch,
                lastProducerEpoch, timeoutMs, done, Set.of(), startTimestamp, now);
    }

    TransactionMetadata inState(TransactionState transientState) {
        return new TransactionMetadata(transactionalId, producerId, previousProducerId, producerEpoch,
                lastProducerEpoch, timeoutMs, transientState, partitions, startTimestamp, lastUpdateTimestamp);
    }
}
