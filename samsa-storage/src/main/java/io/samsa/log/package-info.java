/**
 * Partition logs: segmented files of Kafka v2 record batches with sparse offset and time indexes, crash recovery,
 * retention and the idempotent-producer state that lives beside the segments.
 *
 * <p>This package reads batches as bytes and never imports kafka-clients: the broker above it turns
 * {@link io.samsa.log.StorageException.Kind}s into Kafka error codes.
 */
package io.samsa.log;
