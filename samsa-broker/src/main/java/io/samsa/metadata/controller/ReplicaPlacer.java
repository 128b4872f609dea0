package io.samsa.metadata.controller;

import io.samsa.metadata.MetadataException;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Chooses the brokers of new partitions, the way Kafka's rack-unaware assignment does: partition {@code p}'s first
 * replica (its leader) is broker {@code (start + p) mod n}, and the following replicas are shifted by an amount that
 * grows every {@code n} partitions, so that both leaders and replicas are spread evenly and two partitions led by one
 * broker do not have all their followers on the same other broker. {@code start} and the first shift are random per
 * call, so that many small topics do not all put their leader on the lowest broker id.
 *
 * <p>Only active brokers (registered, unfenced, not shutting down) take leaders. When the replication factor is above
 * their number but not above the number of registered brokers, the remaining replicas go to inactive brokers, as in
 * Kafka: they join the ISR once they catch up.
 *
 * <p>Not thread-safe (the random generator); the controller calls it under its lock.
 */
public final class ReplicaPlacer {

    private final RandomGenerator random;

    public ReplicaPlacer(RandomGenerator random) {
        this.random = random;
    }

    /**
     * Replica lists for partitions {@code firstPartition .. firstPartition + count - 1}.
     *
     * @param active brokers that may lead, in id order
     * @param inactive registered brokers that may not lead (fenced or shutting down), in id order
     * @throws MetadataException INVALID_REPLICATION_FACTOR when there are not enough brokers, with Kafka's message
     */
    public List<List<Integer>> place(int firstPartition, int count, int replicationFactor, List<Integer> active,
            List<Integer> inactive) {
        if (replicationFactor <= 0) {
            throw invalid(replicationFactor, "Invalid replication factor " + replicationFactor
                    + ": the replication factor must be positive.");
        }
        int registered = active.size() + inactive.size();
        if (registered < replicationFactor) {
            throw invalid(replicationFactor, "The target replication factor of " + replicationFactor
                    + " cannot be reached because only " + registered + " broker(s) are registered.");
        }
        if (active.isEmpty()) {
            throw invalid(replicationFactor, "All brokers are currently fenced.");
        }
        int n = active.size();
        int start = random.nextInt(n);
        int shift = random.nextInt(n);
        int fill = inactive.isEmpty() ? 0 : random.nextInt(inactive.size());
        List<List<Integer>> result = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int p = firstPartition + i;
            if (p > 0 && p % n == 0) {
                shift++;
            }
            int first = (p + start) % n;
            List<Integer> replicas = new ArrayList<>(replicationFactor);
            replicas.add(active.get(first));
            for (int j = 0; j < Math.min(replicationFactor, n) - 1; j++) {
                replicas.add(active.get((first + 1 + (shift + j) % (n - 1)) % n));
            }
            for (int j = 0; replicas.size() < replicationFactor; j++) {
                replicas.add(inactive.get((fill + p + j) % inactive.size()));
            }
            result.add(List.copyOf(replicas));
        }
        return result;
    }

    private static MetadataException invalid(int replicationFactor, String reason) {
        return new MetadataException(MetadataException.Kind.INVALID_REPLICATION_FACTOR,
                "Unable to replicate the partition " + replicationFactor + " time(s): " + reason);
    }
}
