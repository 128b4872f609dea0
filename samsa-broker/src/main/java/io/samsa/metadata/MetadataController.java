package io.samsa.metadata;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validates metadata changes, writes them to the {@link MetadataLog} as records and publishes the resulting
 * {@link MetadataImage}. The single writer of metadata: validation and the append are serialized by this object's
 * lock, so two CreateTopics for the same name cannot both succeed.
 *
 * <p>Publishing is the slow part of a change (a new topic's partition logs are created on disk) and runs off the
 * lock, on one thread, "samsa-metadata-publisher": listeners see every image in log order, and {@link #image()} is the
 * last image they have seen, so what a handler reads is always hosted. Each change returns a future that completes
 * once its image is published; a request waits on it without holding a thread, so one large change never blocks
 * requests that do not depend on it.
 *
 * <p>One change is bounded as in Kafka's controller: at most {@value #MAX_RECORDS_PER_CHANGE} records, and the new
 * partitions must fit this node's {@link PartitionCapacity}.
 */
public final class MetadataController implements AutoCloseable {

    /** Kafka's limit on the records one user operation may write (QuorumController.MAX_RECORDS_PER_USER_OP). */
    public static final int MAX_RECORDS_PER_CHANGE = 10_000;
    /** Kafka's message when a change would exceed {@link #MAX_RECORDS_PER_CHANGE}. */
    public static final String TOO_LARGE_CHANGE = "Unable to perform excessively large batch operation.";

    private static final Logger LOG = LoggerFactory.getLogger(MetadataController.class);

    /**
     * A committed (or validated) change: what it made, at once, and when it is published.
     *
     * @param value what the change made, as committed
     * @param published completes once the change is published (at once for a validate-only change)
     */
    public record Committed<T>(T value, CompletableFuture<MetadataImage> published) {}

    /** Cluster-wide defaults a change falls back to. */
    public record Settings(int brokerId, int defaultPartitions, short defaultReplicationFactor) {}

    private final MetadataLog log;
    private final Settings settings;
    private final PartitionCapacity capacity;
    private final List<Consumer<MetadataImage>> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService publisher = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "samsa-metadata-publisher");
        t.setDaemon(true);
        return t;
    });
    /** The image of every committed change, what changes are validated against; guarded by this. */
    private MetadataImage committed;
    /** The image the listeners have seen last: what the broker serves. */
    private volatile MetadataImage published;

    public MetadataController(MetadataLog log, Settings settings) {
        this(log, settings, PartitionCapacity.UNLIMITED);
    }

    public MetadataController(MetadataLog log, Settings settings, PartitionCapacity capacity) {
        this.log = log;
        this.settings = settings;
        this.capacity = capacity;
        this.committed = MetadataImage.EMPTY.apply(log.readAll());
        this.published = committed;
    }

    /** num.partitions: the partition count of a topic created without one. */
    public int defaultPartitions() {
        return settings.defaultPartitions();
    }

    /** The last published image: every topic in it is hosted. */
    public MetadataImage image() {
        return published;
    }

    /** Completes once every change committed so far is published. */
    public synchronized CompletableFuture<Void> published() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        publisher.execute(() -> done.complete(null));
        return done;
    }

    /** Listeners are called on the publisher thread with each new image, in log order. */
    public void addListener(Consumer<MetadataImage> listener) {
        listeners.add(listener);
    }

    /** Registers (or re-registers with a new address) this node's broker. */
    public synchronized CompletableFuture<Void> registerBroker(int brokerId, String host, int port) {
        MetadataImage.BrokerImage existing = committed.brokers().get(brokerId);
        if (existing != null && existing.host().equals(host) && existing.port() == port) {
            return CompletableFuture.completedFuture(null);
        }
        return commit(List.of(new MetadataRecord.BrokerRegistration(brokerId, host, port, null))).thenApply(i -> null);
    }

    /**
     * Creates a topic.
     *
     * @param partitions partition count, or -1 for num.partitions
     * @param replicationFactor replication factor, or -1 for default.replication.factor
     * @param assignments explicit replica lists per partition, or empty
     * @param configs topic config overrides
     * @param validateOnly check everything but change nothing
     * @return the topic as it is (or would be) created
     * @throws MetadataException when the topic cannot be created
     */
    public synchronized Committed<MetadataImage.TopicImage> createTopic(String name, int partitions,
            short replicationFactor, Map<Integer, List<Integer>> assignments, Map<String, String> configs,
            boolean validateOnly) {
        TopicNames.validate(name);
        if (name.equals(TopicNames.METADATA_TOPIC)) {
            throw new MetadataException(MetadataException.Kind.INVALID_REQUEST,
                    "Creation of internal topic " + TopicNames.METADATA_TOPIC + " is prohibited.");
        }
        if (committed.topic(name) != null) {
            throw new MetadataException(MetadataException.Kind.TOPIC_ALREADY_EXISTS,
                    "Topic '" + name + "' already exists.");
        }
        String collision = TopicNames.collision(name, committed.topics().keySet());
        if (collision != null) {
            throw new MetadataException(MetadataException.Kind.INVALID_TOPIC_EXCEPTION,
                    "Topic '" + name + "' collides with existing topic: " + collision);
        }
        validateConfigs(configs);
        // Counted before anything is built: a count of two billion must cost nothing.
        checkChangeSize(1L + (assignments.isEmpty() ? resolvedCount(partitions) : assignments.size())
                + configs.size());
        List<List<Integer>> replicaLists = assign(partitions, replicationFactor, assignments);
        checkCapacity(replicaLists);
        UUID topicId = UUID.randomUUID();
        List<MetadataRecord> records = new ArrayList<>();
        records.add(new MetadataRecord.Topic(name, topicId));
        for (int p = 0; p < replicaLists.size(); p++) {
            List<Integer> replicas = replicaLists.get(p);
            records.add(new MetadataRecord.Partition(topicId, p, replicas, replicas, replicas.get(0), 0));
        }
        configs.forEach((key, value) -> records.add(
                new MetadataRecord.Config(ConfigResource.Type.TOPIC, name, key, value.trim())));
        if (validateOnly) {
            return new Committed<>(MetadataImage.EMPTY.apply(records).topic(name),
                    CompletableFuture.completedFuture(published));
        }
        CompletableFuture<MetadataImage> done = commit(records);
        return new Committed<>(committed.topic(name), done);
    }

    private int resolvedCount(int partitions) {
        return partitions == -1 ? settings.defaultPartitions() : Math.max(partitions, 0);
    }

    private static void checkChangeSize(long records) {
        if (records > MAX_RECORDS_PER_CHANGE) {
            throw new MetadataException(MetadataException.Kind.POLICY_VIOLATION, TOO_LARGE_CHANGE);
        }
    }

    /** New partitions this node would host must fit what it can still open. */
    private void checkCapacity(List<List<Integer>> replicaLists) {
        int local = 0;
        for (List<Integer> replicas : replicaLists) {
            if (replicas.contains(settings.brokerId())) {
                local++;
            }
        }
        if (local == 0) {
            return;
        }
        String noDirectory = capacity.storageRefusal();
        if (noDirectory != null) {
            throw new MetadataException(MetadataException.Kind.INVALID_REPLICATION_FACTOR, "Unable to replicate the"
                    + " partition " + (replicaLists.isEmpty() ? 0 : replicaLists.getFirst().size()) + " time(s): "
                    + noDirectory);
        }
        String refusal = capacity.refusal(local);
        if (refusal != null) {
            throw new MetadataException(MetadataException.Kind.POLICY_VIOLATION, refusal);
        }
    }

    private List<List<Integer>> assign(int partitions, short replicationFactor,
            Map<Integer, List<Integer>> assignments) {
        List<List<Integer>> result = new ArrayList<>();
        if (!assignments.isEmpty()) {
            if (partitions != -1 || replicationFactor != -1) {
                throw new MetadataException(MetadataException.Kind.INVALID_REQUEST,
                        "Both numPartitions or replicationFactor and replicasAssignments were set. "
                                + "Both cannot be used at the same time.");
            }
            for (int p = 0; p < assignments.size(); p++) {
                List<Integer> replicas = assignments.get(p);
                if (replicas == null) {
                    throw new MetadataException(MetadataException.Kind.INVALID_REPLICA_ASSIGNMENT,
                            "Partitions must be numbered 0.." + (assignments.size() - 1) + " without gaps");
                }
                result.add(checkReplicas(replicas));
            }
            return result;
        }
        int count = partitions == -1 ? settings.defaultPartitions() : partitions;
        int rf = replicationFactor == -1 ? settings.defaultReplicationFactor() : replicationFactor;
        if (count <= 0) {
            throw new MetadataException(MetadataException.Kind.INVALID_PARTITIONS,
                    "Number of partitions was set to an invalid non-positive value.");
        }
        if (rf <= 0) {
            throw new MetadataException(MetadataException.Kind.INVALID_REPLICATION_FACTOR,
                    "Replication factor must be larger than 0, or -1 to use the default value.");
        }
        List<Integer> brokerIds = new ArrayList<>(committed.brokers().keySet());
        if (rf > brokerIds.size()) {
            throw new MetadataException(MetadataException.Kind.INVALID_REPLICATION_FACTOR,
                    "Unable to replicate the partition " + rf + " time(s): The target replication factor of " + rf
                            + " cannot be reached because only " + brokerIds.size() + " broker(s) are registered.");
        }
        for (int p = 0; p < count; p++) {
            List<Integer> replicas = new ArrayList<>(rf);
            for (int r = 0; r < rf; r++) {
                replicas.add(brokerIds.get((p + r) % brokerIds.size()));
            }
            result.add(replicas);
        }
        return result;
    }

    private List<Integer> checkReplicas(List<Integer> replicas) {
        if (replicas.isEmpty()) {
            throw new MetadataException(MetadataException.Kind.INVALID_REPLICA_ASSIGNMENT,
                    "The manual partition assignment includes an empty replica list.");
        }
        if (replicas.stream().distinct().count() != replicas.size()) {
            throw new MetadataException(MetadataException.Kind.INVALID_REPLICA_ASSIGNMENT,
                    "The manual partition assignment includes a duplicate replica: " + replicas);
        }
        for (int broker : replicas) {
            if (!committed.brokers().containsKey(broker)) {
                throw new MetadataException(MetadataException.Kind.INVALID_REPLICA_ASSIGNMENT,
                        "The manual partition assignment includes broker " + broker + ", but no such broker is"
                                + " registered.");
            }
        }
        return List.copyOf(replicas);
    }

    /**
     * Hands out a block of producer ids that no other allocation, before or after a restart, will ever repeat.
     *
     * @return the first id of the block
     */
    public synchronized long allocateProducerIds(int blockSize) {
        long start = committed.nextProducerIdBlock();
        commit(List.of(new MetadataRecord.ProducerIds(start + blockSize)));
        return start;
    }

    /**
     * Sets and deletes SCRAM credentials ({@link MetadataRecord.UserScramCredential} and
     * {@link MetadataRecord.RemoveUserScramCredential} records, validated by the caller) as one change.
     */
    public synchronized CompletableFuture<Void> changeScramCredentials(List<MetadataRecord> changes) {
        for (MetadataRecord record : changes) {
            if (!(record instanceof MetadataRecord.UserScramCredential
                    || record instanceof MetadataRecord.RemoveUserScramCredential)) {
                throw new IllegalArgumentException("not a SCRAM credential change: " + record);
            }
        }
        checkChangeSize(changes.size());
        return changes.isEmpty() ? CompletableFuture.completedFuture(null) : commit(changes).thenApply(i -> null);
    }

    /** Creates and deletes ACLs ({@link MetadataRecord.AccessControlEntry} and its removal, validated by the caller). */
    public synchronized CompletableFuture<Void> changeAcls(List<MetadataRecord> changes) {
        for (MetadataRecord record : changes) {
            if (!(record instanceof MetadataRecord.AccessControlEntry
                    || record instanceof MetadataRecord.RemoveAccessControlEntry)) {
                throw new IllegalArgumentException("not an ACL change: " + record);
            }
        }
        checkChangeSize(changes.size());
        return changes.isEmpty() ? CompletableFuture.completedFuture(null) : commit(changes).thenApply(i -> null);
    }

    /** Deletes a topic with all its partitions and configs; the future completes once its logs are gone. */
    public synchronized CompletableFuture<Void> deleteTopic(UUID topicId) {
        if (committed.topic(topicId) == null) {
            throw new MetadataException(MetadataException.Kind.UNKNOWN_TOPIC_ID, "Topic id " + topicId
                    + " does not exist.");
        }
        return commit(List.of(new MetadataRecord.RemoveTopic(topicId))).thenApply(i -> null);
    }

    /** Grows a topic to {@code totalCount} partitions; the future completes once they are published. */
    public synchronized CompletableFuture<Void> createPartitions(String topicName, int totalCount,
            List<List<Integer>> assignments, boolean validateOnly) {
        MetadataImage.TopicImage topic = committed.topic(topicName);
        if (topic == null) {
            throw new MetadataException(MetadataException.Kind.UNKNOWN_TOPIC_OR_PARTITION,
                    "This server does not host this topic-partition.");
        }
        int current = topic.partitions().size();
        if (totalCount < current) {
            throw new MetadataException(MetadataException.Kind.INVALID_PARTITIONS,
                    "The topic " + topicName + " currently has " + current + " partition(s); " + totalCount
                            + " would not be an increase.");
        }
        if (totalCount == current) {
            throw new MetadataException(MetadataException.Kind.INVALID_PARTITIONS,
                    "Topic already has " + current + " partition(s).");
        }
        int added = totalCount - current;
        checkChangeSize(added);
        if (assignments != null && assignments.size() != added) {
            throw new MetadataException(MetadataException.Kind.INVALID_REPLICA_ASSIGNMENT,
                    "Attempted to add " + added + " additional partition(s), but only " + assignments.size()
                            + " assignment(s) were specified.");
        }
        int rf = topic.partitions().get(0).replicas().size();
        List<MetadataRecord> records = new ArrayList<>();
        List<Integer> brokerIds = new ArrayList<>(committed.brokers().keySet());
        List<List<Integer>> replicaLists = new ArrayList<>(added);
        for (int i = 0; i < added; i++) {
            List<Integer> replicas;
            if (assignments != null) {
                replicas = checkReplicas(assignments.get(i));
                if (replicas.size() != rf) {
                    throw new MetadataException(MetadataException.Kind.INVALID_REPLICA_ASSIGNMENT,
                            "The manual partition assignment includes a partition with " + replicas.size()
                                    + " replica(s), but this is not consistent with previous partitions, which have "
                                    + rf + " replica(s).");
                }
            } else {
                replicas = new ArrayList<>(rf);
                for (int r = 0; r < rf; r++) {
                    replicas.add(brokerIds.get((current + i + r) % brokerIds.size()));
                }
            }
            replicaLists.add(replicas);
            records.add(new MetadataRecord.Partition(topic.topicId(), current + i, replicas, replicas,
                    replicas.get(0), 0));
        }
        checkCapacity(replicaLists);
        return validateOnly ? CompletableFuture.completedFuture(null) : commit(records).thenApply(i -> null);
    }

    /**
     * Changes configs of a resource.
     *
     * @param changes name → new value, or name → null to remove the override
     */
    public synchronized CompletableFuture<Void> alterConfigs(ConfigResource resource, Map<String, String> changes,
            boolean validateOnly) {
        if (resource.type() == ConfigResource.Type.TOPIC && committed.topic(resource.name()) == null) {
            throw new MetadataException(MetadataException.Kind.UNKNOWN_TOPIC_OR_PARTITION,
                    "Topic " + resource.name() + " does not exist.");
        }
        if (resource.type() == ConfigResource.Type.TOPIC) {
            Map<String, String> sets = new java.util.HashMap<>();
            changes.forEach((k, v) -> {
                if (v != null) {
                    sets.put(k, v);
                } else if (TopicConfigs.key(k) == null) {
                    throw new MetadataException(MetadataException.Kind.INVALID_CONFIG, "Unknown topic config name: "
                            + k);
                }
            });
            validateConfigs(sets);
        } else {
            throw new MetadataException(MetadataException.Kind.INVALID_REQUEST,
                    "Dynamic broker configs are not supported yet; set them in the broker's properties file.");
        }
        List<MetadataRecord> records = new ArrayList<>();
        changes.forEach((key, value) -> records.add(new MetadataRecord.Config(resource.type(), resource.name(), key,
                value == null ? null : value.trim())));
        checkChangeSize(records.size());
        if (validateOnly || records.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return commit(records).thenApply(i -> null);
    }

    /** Replaces every override of a resource with {@code configs} (the legacy AlterConfigs semantics). */
    public synchronized CompletableFuture<Void> replaceConfigs(ConfigResource resource, Map<String, String> configs,
            boolean validateOnly) {
        Map<String, String> changes = new java.util.HashMap<>();
        committed.configs(resource).keySet().forEach(k -> changes.put(k, null));
        changes.putAll(configs);
        return alterConfigs(resource, changes, validateOnly);
    }

    private static void validateConfigs(Map<String, String> configs) {
        for (Map.Entry<String, String> entry : configs.entrySet()) {
            if (entry.getValue() == null) {
                throw new MetadataException(MetadataException.Kind.INVALID_CONFIG,
                        "Null value not supported for topic configs: " + entry.getKey());
            }
            String error = TopicConfigs.validate(entry.getKey(), entry.getValue());
            if (error != null) {
                throw new MetadataException(MetadataException.Kind.INVALID_CONFIG, error);
            }
        }
    }

    /**
     * Appends records as they are, without validation, and publishes them: for tests that need a cluster state the
     * controller reaches through other means (another broker registered, a partition led elsewhere).
     *
     * @return completes once the records are published
     */
    public synchronized CompletableFuture<MetadataImage> appendUnvalidated(List<MetadataRecord> records) {
        return commit(records);
    }

    /**
     * Makes records durable and applies them to the committed image under the lock, then hands the image to the
     * publisher thread; submitted under the lock, images are published in log order.
     *
     * @return the published image
     */
    private CompletableFuture<MetadataImage> commit(List<MetadataRecord> records) {
        log.append(records);
        MetadataImage next = committed.apply(records);
        committed = next;
        CompletableFuture<MetadataImage> done = new CompletableFuture<>();
        publisher.execute(() -> publish(next, done));
        return done;
    }

    private void publish(MetadataImage next, CompletableFuture<MetadataImage> done) {
        for (Consumer<MetadataImage> listener : listeners) {
            try {
                listener.accept(next);
            } catch (RuntimeException e) {
                // The change is committed whatever a listener does; the others and later images must still be seen.
                LOG.error("A metadata listener failed on a new image", e);
            }
        }
        published = next;
        done.complete(next);
    }

    /** Stops publishing; images committed but not yet published are dropped (the log has them). */
    @Override
    public void close() {
        publisher.shutdown();
        try {
            if (!publisher.awaitTermination(30, TimeUnit.SECONDS)) {
                publisher.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "MetadataController(broker " + settings.brokerId() + ", "
                + Objects.requireNonNull(published).topics().size() + " topics)";
    }
}
