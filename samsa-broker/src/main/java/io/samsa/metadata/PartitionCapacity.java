package io.samsa.metadata;

/**
 * Whether this node can host more partitions: the broker answers from its open-file budget, so that a change that
 * would exhaust it is refused with a clear error before anything is written, instead of failing half-way on disk.
 */
@FunctionalInterface
public interface PartitionCapacity {

    /** No limit (tests, tools). */
    PartitionCapacity UNLIMITED = count -> null;

    /** @return null when {@code count} more partitions fit on this node, else why not (sent to the client) */
    String refusal(int count);
}
