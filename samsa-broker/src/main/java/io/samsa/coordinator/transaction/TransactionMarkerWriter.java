package io.samsa.coordinator.transaction;

import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Writes the commit or abort markers of a transaction into the partitions it touched: data partitions, and the
 * {@code __consumer_offsets} partitions whose pending transactional offsets the group coordinator then makes visible
 * or drops. On one node this is a local append (Kafka sends WriteTxnMarkers to each partition leader).
 */
public interface TransactionMarkerWriter {

    /**
     * Writes one marker per partition, with the producer's id and epoch.
     *
     * @return the partitions whose marker could not be written now and must be retried; a partition that no longer
     *     exists counts as done, as in Kafka
     */
    CompletableFuture<Set<TxnPartition>> write(long producerId, short producerEpoch, int coordinatorEpoch,
            boolean commit, Set<TxnPartition> partitions);
}
