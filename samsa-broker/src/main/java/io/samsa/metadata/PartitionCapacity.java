package io.samsa.metadata;

/**
 * Whether this node can host more partitions: the broker answers from its open-file budget, so that a change that
 * would exhaust it is refused with a clear error before anything is written, instead of failing half-way on disk,
 * and from its data directories, none of which may be able to take a partition (all full or failed).
 */
@FunctionalInterface
public interface PartitionCapacity {

    /** No limit (tests, tools). */
    PartitionCapacity UNLIMITED = count -> null;

    /** @return null when {@code count} more partitions fit on this node, else why not (sent to the client) */
    String refusal(int count);

    /**
     * @return null when some data directory of this node can take a new partition, else why not; the controller
     *     then refuses as Kafka's does when no usable broker is left (INVALID_REPLICATION_FACTOR)
     */
    default String storageRefusal() {
        return null;
    }
}
