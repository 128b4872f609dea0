package io.samsa.coordinator;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * The narrow view a coordinator has of the log of its internal topic: append key/value records to a partition, and
 * replay a partition from the start when the coordinator loads it.
 */
public interface PartitionWriter {

    /** A record of an internal topic; a null value is a tombstone. */
    record KeyValue(byte[] key, byte[] value) {}

    /** Appends the records as one batch; the future completes when they are committed (below the high watermark). */
    CompletableFuture<Void> append(int partition, List<KeyValue> records);

    /** Calls {@code consumer} with every record of the partition, oldest first. */
    void replay(int partition, BiConsumer<byte[], byte[]> consumer);
}
