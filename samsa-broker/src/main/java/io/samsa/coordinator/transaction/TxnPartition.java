package io.samsa.coordinator.transaction;

/**
 * A partition taking part in a transaction: a data partition the producer writes to, or the
 * {@code __consumer_offsets} partition of a group whose offsets it commits.
 *
 * @param topic the topic
 * @param partition the partition index
 */
public record TxnPartition(String topic, int partition) {}
