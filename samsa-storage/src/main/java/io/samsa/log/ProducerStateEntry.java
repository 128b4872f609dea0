package io.samsa.log;

/**
 * The state the log keeps for one idempotent producer, as DescribeProducers shows it.
 *
 * @param producerId the producer id
 * @param producerEpoch its current epoch
 * @param lastSequence the sequence of the last record appended
 * @param lastTimestamp the max timestamp of its last batch
 * @param coordinatorEpoch the coordinator epoch of its last transaction marker, -1 without transactions
 * @param currentTxnStartOffset the first offset of its open transaction, -1 without one
 */
public record ProducerStateEntry(
        long producerId,
        short producerEpoch,
        int lastSequence,
        long lastTimestamp,
        int coordinatorEpoch,
        long currentTxnStartOffset) {}
