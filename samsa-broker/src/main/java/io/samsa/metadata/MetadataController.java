package io.samsa.metadata;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Validates metadata changes, writes them to the {@link MetadataLog} as records and publishes the resulting
 * {@link MetadataImage}. The single writer of metadata: every change is serialized by this object's lock, so two
 * CreateTopics for the same name cannot both succeed.
 *
 * <p>Listeners are called with each new image after its records are durable, on the thread that made the change and
 * still under the lock, so they see images in log order.
 */
public final class MetadataController {

    /** Cluster-wide defaults a change falls back to. */
    public record Settings(int brokerId, int defaultPartitions, short defaultReplicationFactor) {}

    private final MetadataLog log;
    private final Settings settings;
    private final List<Consumer<MetadataImage>> listeners = new CopyOnWriteArrayList<>();
    private volatile MetadataImage image;

    public MetadataController(MetadataLog log, Settings settings) {
        this.log = log;
        this.settings = settings;
        this.image = MetadataImage.EMPTY.apply(log.readAll());
    }

    public MetadataImage image() {
        return image;
    }

    public void addListener(Consumer<MetadataImage> listener) {
        listeners.add(listener);
    }

    /** Registers (or re-registers with a new address) this node's broker. */
    public synchronized void registerBroker(int brokerId, String host, int port) {
        MetadataImage.BrokerImage existing = image.brokers().get(brokerId);
        if (existing != null && existing.host().equals(host) && existing.port() == port) {
            return;
        }
        commit(List.of(new MetadataRecord.BrokerRegistration(brokerId, host, port, null)));
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
     */
    public synchronized MetadataImage.TopicImage createTopic(String name, int partitions, short replicationFactor,
            Map<Integer, List<Integer>> assignments, Map<String, String> configs, boolean validateOnly) {
        TopicNames.validate(name);
        if (image.topic(name) != null) {
            throw new MetadataException(MetadataException.Kind.TOPIC_ALREADY_EXISTS,
                    "Topic '" + name + "' already exists.");
        }
        String collision = TopicNames.collision(name, image.topics().keySet());
        if (collision != null) {
            throw new MetadataException(MetadataException.Kind.INVALID_TOPIC_EXCEPTION,
                    "Topic '" + name + "' collides with existing topic: " + collision);
        }
        validateConfigs(configs);
        List<List<Integer>> replicaLists = assign(partitions, replicationFactor, assignments);
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
            return MetadataImage.EMPTY.apply(records).topic(name);
        }
        commit(records);
        return image.topic(name);
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
        List<Integer> brokerIds = new ArrayList<>(image.brokers().keySet());
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
            if (!image.brokers().containsKey(broker)) {
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
        long start = image.nextProducerIdBlock();
        commit(List.of(new MetadataRecord.ProducerIds(start + blockSize)));
        return start;
    }

    /** Deletes a topic with all its partitions and configs. */
    public synchronized void deleteTopic(UUID topicId) {
        if (image.topic(topicId) == null) {
            throw new MetadataException(MetadataException.Kind.UNKNOWN_TOPIC_ID, "Topic id " + topicId
                    + " does not exist.");
        }
        commit(List.of(new MetadataRecord.RemoveTopic(topicId)));
    }

    /** Grows a topic to {@code totalCount} partitions. */
    public synchronized void createPartitions(String topicName, int totalCount, List<List<Integer>> assignments,
            boolean validateOnly) {
        MetadataImage.TopicImage topic = image.topic(topicName);
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
        if (assignments != null && assignments.size() != added) {
            throw new MetadataException(MetadataException.Kind.INVALID_REPLICA_ASSIGNMENT,
                    "Attempted to add " + added + " additional partition(s), but only " + assignments.size()
                            + " assignment(s) were specified.");
        }
        int rf = topic.partitions().get(0).replicas().size();
        List<MetadataRecord> records = new ArrayList<>();
        List<Integer> brokerIds = new ArrayList<>(image.brokers().keySet());
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
            records.add(new MetadataRecord.Partition(topic.topicId(), current + i, replicas, replicas,
                    replicas.get(0), 0));
        }
        if (!validateOnly) {
            commit(records);
        }
    }

    /**
     * Changes configs of a resource.
     *
     * @param changes name → new value, or name → null to remove the override
     */
    public synchronized void alterConfigs(ConfigResource resource, Map<String, String> changes,
            boolean validateOnly) {
        if (resource.type() == ConfigResource.Type.TOPIC && image.topic(resource.name()) == null) {
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
        if (!validateOnly && !records.isEmpty()) {
            commit(records);
        }
    }

    /** Replaces every override of a resource with {@code configs} (the legacy AlterConfigs semantics). */
    public synchronized void replaceConfigs(ConfigResource resource, Map<String, String> configs,
            boolean validateOnly) {
        Map<String, String> changes = new java.util.HashMap<>();
        image.configs(resource).keySet().forEach(k -> changes.put(k, null));
        changes.putAll(configs);
        alterConfigs(resource, changes, validateOnly);
    }

    private static void validateConfigs(Map<String, String> configs) {
        for (Map.Entry<String, String> entry : configs.entrySet()) {
            String error = TopicConfigs.validate(entry.getKey(), entry.getValue());
            if (error != null) {
                throw new MetadataException(MetadataException.Kind.INVALID_CONFIG, error);
            }
        }
    }

    private void commit(List<MetadataRecord> records) {
        log.append(records);
        MetadataImage next = image.apply(records);
        image = next;
        for (Consumer<MetadataImage> listener : listeners) {
            listener.accept(next);
        }
    }

    @Override
    public String toString() {
        return "MetadataController(broker " + settings.brokerId() + ", " + Objects.requireNonNull(image).topics().size()
                + " topics)";
    }
}
