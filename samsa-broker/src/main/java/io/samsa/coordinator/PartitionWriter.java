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

    /** What a replay meets, in log order. */
    interface ReplayVisitor {
        /** A record; {@code producerId} is the transaction's producer for a transactional record, else -1. */
        void record(long producerId, byte[] key, byte[] value);

        /** The commit or abort marker of {@code producerId}'s transaction. */
        void marker(long producerId, boolean commit);
    }

    /**
     * Why an append failed, in a coordinator's terms: Kafka's coordinators turn these log errors into the errors their
     * clients retry on.
     */
    enum WriteFailure {
        /** The partition's leadership moved or its disk refused the write: the client finds the coordinator again. */
        NOT_COORDINATOR,
        /** The partition cannot take writes for now (too few in-sync replicas, not hosted): the client retries. */
        COORDINATOR_NOT_AVAILABLE
    }

    /** What an append's future fails with for a {@link WriteFailure}; other failures are passed on as they are. */
    final class WriteFailedException extends RuntimeException {
        private final WriteFailure failure;

        public WriteFailedException(WriteFailure failure, Throwable cause) {
            super(cause.getMessage(), cause);
            this.failure = failure;
        }

        public WriteFailure failure() {
            return failure;
        }
    }

    /** The write failure behind {@code error} (unwrapping a CompletionException), or null when it is another one. */
    static WriteFailure failureOf(Throwable error) {
        Throwable e = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause() : error;
        return e instanceof WriteFailedException w ? w.failure() : null;
    }

    /** Appends the records as one batch; the future completes when they are committed (below the high watermark). */
    CompletableFuture<Void> append(int partition, List<KeyValue> records);

    /**
     * Appends the records as one batch of {@code producerId}'s transaction (transactional offset commits): they
     * count only once its commit marker follows them in the partition. {@code check} runs under the partition's
     * append lock, so that no marker can slip in between it and the write; it throws to refuse the append, and the
     * future then fails with its exception.
     */
    CompletableFuture<Void> appendTransactional(int partition, long producerId, short producerEpoch,
            List<KeyValue> records, Runnable check);

    /** Calls {@code visitor} with every record and transaction marker of the partition, oldest first. */
    void replay(int partition, ReplayVisitor visitor);

    /** Calls {@code consumer} with every record of a partition that holds no transactional records, oldest first. */
    default void replay(int partition, BiConsumer<byte[], byte[]> consumer) {
        replay(partition, new ReplayVisitor() {
            @Override
            public void record(long producerId, byte[] key, byte[] value) {
                consumer.accept(key, value);
            }

            @Override
            public void marker(long producerId, boolean commit) {
                // no transactions on such a topic
            }
        });
    }
}
