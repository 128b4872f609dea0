package io.samsa.metadata;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The cluster's metadata at one point of the metadata log: brokers, topics with their partitions, and configs.
 * Immutable: {@link #apply} returns a new image, so readers never lock and always see a consistent whole.
 */
public final class MetadataImage {

    /** A partition's replica assignment and leadership. */
    public record PartitionImage(int partition, List<Integer> replicas, List<Integer> isr, int leader,
            int leaderEpoch) {}

    /** A topic and its partitions, ordered by index. */
    public record TopicImage(String name, UUID topicId, Map<Integer, PartitionImage> partitions) {}

    /** A registered broker. */
    public record BrokerImage(int brokerId, String host, int port, String rack) {}

    public static final MetadataImage EMPTY =
            new MetadataImage(Map.of(), Map.of(), Map.of(), Map.of(), 0L, Map.of(), Map.of());

    private final Map<Integer, BrokerImage> brokers;
    private final Map<String, TopicImage> topicsByName;
    private final Map<UUID, TopicImage> topicsById;
    private final Map<ConfigResource, Map<String, String>> configs;
    private final long nextProducerIdBlock;
    /** user → mechanism id → credential. */
    private final Map<String, Map<Byte, MetadataRecord.UserScramCredential>> scramCredentials;
    /** ACLs by id, in creation order. */
    private final Map<UUID, MetadataRecord.AccessControlEntry> acls;

    private MetadataImage(Map<Integer, BrokerImage> brokers, Map<String, TopicImage> topicsByName,
            Map<UUID, TopicImage> topicsById, Map<ConfigResource, Map<String, String>> configs,
            long nextProducerIdBlock, Map<String, Map<Byte, MetadataRecord.UserScramCredential>> scramCredentials,
            Map<UUID, MetadataRecord.AccessControlEntry> acls) {
        this.scramCredentials = scramCredentials;
        this.acls = acls;
        this.brokers = brokers;
        this.topicsByName = topicsByName;
        this.topicsById = topicsById;
        this.configs = configs;
        this.nextProducerIdBlock = nextProducerIdBlock;
    }

    /** The first producer id not handed out yet. */
    public long nextProducerIdBlock() {
        return nextProducerIdBlock;
    }

    /** Every user's SCRAM credentials: user (in name order) → mechanism id → credential. */
    public Map<String, Map<Byte, MetadataRecord.UserScramCredential>> scramCredentials() {
        return scramCredentials;
    }

    /** Every ACL by id, in creation order (the same map object until an ACL changes, so callers may cache on it). */
    public Map<UUID, MetadataRecord.AccessControlEntry> acls() {
        return acls;
    }

    public Map<Integer, BrokerImage> brokers() {
        return brokers;
    }

    /** Topics by name, in name order. */
    public Map<String, TopicImage> topics() {
        return topicsByName;
    }

    /** The topic of that name, or null (also for a null name, which a request may carry). */
    public TopicImage topic(String name) {
        return name == null ? null : topicsByName.get(name);
    }

    public TopicImage topic(UUID topicId) {
        return topicId == null ? null : topicsById.get(topicId);
    }

    /** The configs set on a resource (overrides only; defaults are not here). */
    public Map<String, String> configs(ConfigResource resource) {
        return configs.getOrDefault(resource, Map.of());
    }

    /**
     * A new image with the records applied in order. Linear in the records and the size of the image: the partition
     * map of a topic is copied once per call however many of its partitions the records add.
     */
    public MetadataImage apply(List<MetadataRecord> records) {
        if (records.isEmpty()) {
            return this;
        }
        Map<Integer, BrokerImage> newBrokers = new TreeMap<>(brokers);
        Map<String, TopicImage> byName = new TreeMap<>(topicsByName);
        Map<UUID, TopicImage> byId = new HashMap<>(topicsById);
        Map<ConfigResource, Map<String, String>> newConfigs = new HashMap<>(configs);
        Map<UUID, TreeMap<Integer, PartitionImage>> changedPartitions = new HashMap<>();
        long nextProducerIds = nextProducerIdBlock;
        Map<String, Map<Byte, MetadataRecord.UserScramCredential>> scram = scramCredentials;
        Map<UUID, MetadataRecord.AccessControlEntry> newAcls = null; // copied on the first ACL change
        for (MetadataRecord record : records) {
            switch (record) {
                case MetadataRecord.BrokerRegistration r ->
                        newBrokers.put(r.brokerId(), new BrokerImage(r.brokerId(), r.host(), r.port(), r.rack()));
                case MetadataRecord.Topic r -> {
                    TopicImage topic = new TopicImage(r.name(), r.topicId(), Map.of());
                    byName.put(r.name(), topic);
                    byId.put(r.topicId(), topic);
                    changedPartitions.put(r.topicId(), new TreeMap<>());
                }
                case MetadataRecord.Partition r -> {
                    TopicImage topic = byId.get(r.topicId());
                    if (topic == null) {
                        throw new IllegalStateException("partition record for unknown topic id " + r.topicId());
                    }
                    changedPartitions.computeIfAbsent(r.topicId(), id -> new TreeMap<>(topic.partitions()))
                            .put(r.partition(), new PartitionImage(r.partition(), r.replicas(), r.isr(), r.leader(),
                                    r.leaderEpoch()));
                }
                case MetadataRecord.RemoveTopic r -> {
                    TopicImage topic = byId.remove(r.topicId());
                    changedPartitions.remove(r.topicId());
                    if (topic != null) {
                        byName.remove(topic.name());
                        newConfigs.remove(new ConfigResource(ConfigResource.Type.TOPIC, topic.name()));
                    }
                }
                case MetadataRecord.ProducerIds r -> nextProducerIds = r.nextBlockStart();
                case MetadataRecord.UserScramCredential r -> scram = withScram(scram, r.user(), r.mechanism(), r);
                case MetadataRecord.RemoveUserScramCredential r ->
                        scram = withScram(scram, r.user(), r.mechanism(), null);
                case MetadataRecord.AccessControlEntry r -> {
                    newAcls = newAcls == null ? new java.util.LinkedHashMap<>(acls) : newAcls;
                    newAcls.put(r.id(), r);
                }
                case MetadataRecord.RemoveAccessControlEntry r -> {
                    newAcls = newAcls == null ? new java.util.LinkedHashMap<>(acls) : newAcls;
                    newAcls.remove(r.id());
                }
                case MetadataRecord.Config r -> {
                    ConfigResource resource = new ConfigResource(r.resourceType(), r.resourceName());
                    Map<String, String> values = new TreeMap<>(newConfigs.getOrDefault(resource, Map.of()));
                    if (r.value() == null) {
                        values.remove(r.name());
                    } else {
                        values.put(r.name(), r.value());
                    }
                    newConfigs.put(resource, Collections.unmodifiableMap(values));
                }
            }
        }
        changedPartitions.forEach((id, partitions) -> {
            TopicImage topic = byId.get(id);
            TopicImage updated = new TopicImage(topic.name(), id, Collections.unmodifiableMap(partitions));
            byName.put(topic.name(), updated);
            byId.put(id, updated);
        });
        return new MetadataImage(Collections.unmodifiableMap(newBrokers), Collections.unmodifiableMap(byName),
                Collections.unmodifiableMap(byId), Collections.unmodifiableMap(newConfigs), nextProducerIds, scram,
                newAcls == null ? acls : Collections.unmodifiableMap(newAcls));
    }

    /**
     * The image as records that rebuild it from {@link #EMPTY}, in a deterministic order: a snapshot of the metadata
     * log is these records. Every kind of state the image holds must be written here (a record type added later
     * extends this method), or a node restarted from a snapshot would lose it.
     */
    public List<MetadataRecord> toRecords() {
        List<MetadataRecord> out = new java.util.ArrayList<>();
        brokers.values().forEach(b -> out.add(new MetadataRecord.BrokerRegistration(b.brokerId(), b.host(), b.port(),
                b.rack())));
        for (TopicImage topic : topicsByName.values()) {
            out.add(new MetadataRecord.Topic(topic.name(), topic.topicId()));
            new TreeMap<>(topic.partitions()).values().forEach(p -> out.add(new MetadataRecord.Partition(
                    topic.topicId(), p.partition(), p.replicas(), p.isr(), p.leader(), p.leaderEpoch())));
        }
        configs.entrySet().stream()
                .sorted(java.util.Comparator.comparing((Map.Entry<ConfigResource, Map<String, String>> e) ->
                        e.getKey().type()).thenComparing(e -> e.getKey().name()))
                .forEach(e -> new TreeMap<>(e.getValue()).forEach((name, value) -> out.add(new MetadataRecord.Config(
                        e.getKey().type(), e.getKey().name(), name, value))));
        if (nextProducerIdBlock != 0) {
            out.add(new MetadataRecord.ProducerIds(nextProducerIdBlock));
        }
        scramCredentials.values().forEach(byMechanism -> out.addAll(byMechanism.values()));
        out.addAll(acls.values());
        return out;
    }

    /**
     * A digest of the whole image (SHA-256 of {@link #toRecords}, hex): two nodes that applied the same log report
     * the same digest, so tests and operators can compare images across nodes.
     */
    public String digest() {
        try {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            for (MetadataRecord record : toRecords()) {
                sha.update(MetadataRecordSerde.serialize(record));
            }
            return java.util.HexFormat.of().formatHex(sha.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A copy of the credentials with one set (or removed, for null); a user without credentials is dropped. */
    private static Map<String, Map<Byte, MetadataRecord.UserScramCredential>> withScram(
            Map<String, Map<Byte, MetadataRecord.UserScramCredential>> current, String user, byte mechanism,
            MetadataRecord.UserScramCredential credential) {
        Map<String, Map<Byte, MetadataRecord.UserScramCredential>> next = new TreeMap<>(current);
        Map<Byte, MetadataRecord.UserScramCredential> ofUser = new TreeMap<>(next.getOrDefault(user, Map.of()));
        if (credential == null) {
            ofUser.remove(mechanism);
        } else {
            ofUser.put(mechanism, credential);
        }
        if (ofUser.isEmpty()) {
            next.remove(user);
        } else {
            next.put(user, Collections.unmodifiableMap(ofUser));
        }
        return Collections.unmodifiableMap(next);
    }
}
