package io.samsa.metadata;

import java.util.List;
import java.util.UUID;

/**
 * A change to the cluster's metadata. The metadata log is a sequence of these; replaying it from the start rebuilds
 * the {@link MetadataImage}. The same types will travel through the Raft quorum when the cluster work lands.
 */
public sealed interface MetadataRecord {

    /** A broker joined: where clients reach it. */
    record BrokerRegistration(int brokerId, String host, int port, String rack) implements MetadataRecord {}

    /** A topic was created. */
    record Topic(String name, UUID topicId) implements MetadataRecord {}

    /**
     * A partition was created (with a new topic, or by CreatePartitions), or, in a snapshot, a partition as it is.
     *
     * @param partitionEpoch 0 for a new partition; a snapshot carries the partition's current epoch
     */
    record Partition(UUID topicId, int partition, List<Integer> replicas, List<Integer> isr, int leader,
            int leaderEpoch, int partitionEpoch) implements MetadataRecord {

        public Partition {
            replicas = List.copyOf(replicas);
            isr = List.copyOf(isr);
        }

        /** A new partition, at partition epoch 0. */
        public Partition(UUID topicId, int partition, List<Integer> replicas, List<Integer> isr, int leader,
                int leaderEpoch) {
            this(topicId, partition, replicas, isr, leader, leaderEpoch, 0);
        }
    }

    /** A topic and all its partitions were deleted. */
    record RemoveTopic(UUID topicId) implements MetadataRecord {}

    /** A block of producer ids was handed out: the next block starts at {@code nextBlockStart}. */
    record ProducerIds(long nextBlockStart) implements MetadataRecord {}

    /** A config was set (value non-null) or removed back to its default (value null). */
    record Config(ConfigResource.Type resourceType, String resourceName, String name, String value)
            implements MetadataRecord {}

    /**
     * A user's SCRAM credential for one mechanism was set (salted: never the password).
     *
     * @param mechanism Kafka's id of the SCRAM mechanism (1 SCRAM-SHA-256, 2 SCRAM-SHA-512)
     */
    record UserScramCredential(String user, byte mechanism, byte[] salt, byte[] storedKey, byte[] serverKey,
            int iterations) implements MetadataRecord {}

    /** A user's SCRAM credential for one mechanism was deleted. */
    record RemoveUserScramCredential(String user, byte mechanism) implements MetadataRecord {}

    /**
     * An ACL was created. The enums are Kafka's wire codes (resource type, pattern type, operation, permission).
     *
     * @param id identifies it for deletion
     */
    record AccessControlEntry(UUID id, byte resourceType, String resourceName, byte patternType, String principal,
            String host, byte operation, byte permission) implements MetadataRecord {}

    /** An ACL was deleted. */
    record RemoveAccessControlEntry(UUID id) implements MetadataRecord {}

    /** Where clients reach a broker on one of its listeners (not a record by itself: part of {@link RegisterBroker}). */
    record BrokerEndpoint(String listener, String host, int port) {}

    /**
     * A broker process registered: a new incarnation (one per process start) gets a new broker epoch, and starts
     * fenced; the same incarnation registering again keeps its epoch. Applied only when {@code brokerEpoch} is at least
     * the epoch the image holds for that broker, so a deposed controller's late write cannot replace a newer one.
     *
     * @param endpoints the advertised address of every listener; the first is the broker's main address
     * @param rack null when none is configured
     */
    record RegisterBroker(int brokerId, UUID incarnationId, long brokerEpoch, List<BrokerEndpoint> endpoints,
            String rack) implements MetadataRecord {

        public RegisterBroker {
            endpoints = List.copyOf(endpoints);
            if (endpoints.isEmpty()) {
                throw new IllegalArgumentException("a broker registers at least one endpoint");
            }
        }
    }

    /** The broker's session ended (expired, or its shutdown completed). Ignored unless the epoch is current. */
    record FenceBroker(int brokerId, long brokerEpoch) implements MetadataRecord {}

    /** The broker caught up with the metadata and may lead partitions. Ignored unless the epoch is current. */
    record UnfenceBroker(int brokerId, long brokerEpoch) implements MetadataRecord {}

    /**
     * The broker asked to shut down: it is no longer chosen as a leader, and hands its leaderships over. Ignored unless
     * the epoch is current.
     */
    record BrokerControlledShutdown(int brokerId, long brokerEpoch) implements MetadataRecord {}

    /**
     * A partition's leader or ISR changed. Applied only if the partition's epoch is {@code expectedPartitionEpoch};
     * applying it increments that epoch. A deposed controller's change, computed from an image that is no longer
     * current, thus changes nothing.
     */
    record PartitionChange(UUID topicId, int partition, int expectedPartitionEpoch, int leader, int leaderEpoch,
            List<Integer> isr) implements MetadataRecord {

        public PartitionChange {
            isr = List.copyOf(isr);
        }
    }
}
