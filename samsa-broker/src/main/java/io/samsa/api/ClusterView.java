package io.samsa.api;

import io.samsa.metadata.MetadataController;
import io.samsa.metadata.MetadataImage;
import io.samsa.metadata.MetadataRecord;
import io.samsa.replication.Partition;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * The cluster as this broker tells clients about it, read from the published metadata image: which brokers are live
 * and where a client reaches them on its listener, who leads a partition at which epoch, and which node is the active
 * controller. Metadata, DescribeCluster, FindCoordinator and the KIP-951 leader hints of Produce and Fetch all answer
 * from here, so they agree.
 *
 * <p>Two seams: {@link BrokerLiveness} says whether a registered broker is live (every registered broker, until
 * fencing exists), and the active controller id comes from a supplier (this node on a one-node cluster, the quorum
 * leader in a cluster). Thread-safe (stateless over immutable images).
 */
public final class ClusterView {

    /** No leader, no controller: Kafka's -1. */
    public static final int NONE = -1;

    /** Whether a broker is live: registered and not fenced. */
    @FunctionalInterface
    public interface BrokerLiveness {

        /** Every registered broker is live. */
        BrokerLiveness REGISTERED = (image, brokerId) -> image.brokers().containsKey(brokerId);

        /** Registered and not fenced (Kafka's alive brokers: one in controlled shutdown still counts). */
        BrokerLiveness UNFENCED = (image, brokerId) -> {
            MetadataImage.BrokerImage broker = image.brokers().get(brokerId);
            return broker != null && !broker.fenced();
        };

        boolean isLive(MetadataImage image, int brokerId);
    }

    /**
     * A partition's leader as Kafka's {@code getCurrentLeader} reports it in an error's KIP-951 hint.
     *
     * @param leaderId the leader, or -1 when none is known
     * @param leaderEpoch its epoch, or -1 when the partition is not known
     * @param endpoint where the client reaches the leader, or null when it is not live
     */
    public record LeaderHint(int leaderId, int leaderEpoch, BrokerIdentity.Endpoint endpoint) {}

    private final BrokerIdentity identity;
    private final MetadataController metadata;
    private final BrokerLiveness liveness;
    private final IntSupplier activeController;

    /**
     * @param activeController the id of the active controller, or -1 while none is known
     */
    public ClusterView(BrokerIdentity identity, MetadataController metadata, BrokerLiveness liveness,
            IntSupplier activeController) {
        this.identity = identity;
        this.metadata = metadata;
        this.liveness = liveness;
        this.activeController = activeController;
    }

    public MetadataImage image() {
        return metadata.image();
    }

    public int localBrokerId() {
        return identity.brokerId();
    }

    public String clusterId() {
        return identity.clusterId();
    }

    public boolean isLive(MetadataImage image, int brokerId) {
        return brokerId >= 0 && image.brokers().containsKey(brokerId) && liveness.isLive(image, brokerId);
    }

    /** Every live broker, in id order. */
    public List<MetadataImage.BrokerImage> liveBrokers(MetadataImage image) {
        List<MetadataImage.BrokerImage> live = new ArrayList<>(image.brokers().size());
        for (MetadataImage.BrokerImage broker : image.brokers().values()) {
            if (liveness.isLive(image, broker.brokerId())) {
                live.add(broker);
            }
        }
        return live;
    }

    /**
     * Where a client that came in on {@code listenerName} reaches a registered broker: this broker's address on that
     * listener; another broker's address on the listener of the same name when it registered one, else its main
     * address.
     */
    public BrokerIdentity.Endpoint endpoint(MetadataImage.BrokerImage broker, String listenerName) {
        if (broker.brokerId() == identity.brokerId()) {
            return identity.endpoint(listenerName);
        }
        MetadataRecord.BrokerEndpoint onListener = listenerName == null ? null : broker.endpoint(listenerName);
        return onListener != null ? new BrokerIdentity.Endpoint(onListener.host(), onListener.port())
                : new BrokerIdentity.Endpoint(broker.host(), broker.port());
    }

    /** Where a client reaches a live broker, or null when it is not registered or not live. */
    public BrokerIdentity.Endpoint liveEndpoint(MetadataImage image, int brokerId, String listenerName) {
        if (!isLive(image, brokerId)) {
            return null;
        }
        return endpoint(image.brokers().get(brokerId), listenerName);
    }

    /**
     * The node clients are told is the controller: the active controller when it is known and live, else this node
     * (every node forwards what only the controller may do, so any live node serves a controller request).
     */
    public int controllerId() {
        int active = activeController.getAsInt();
        return active >= 0 && isLive(image(), active) ? active : identity.brokerId();
    }

    /** The active controller as the quorum knows it, or -1 while none is: what DescribeCluster names. */
    public int activeControllerId() {
        return activeController.getAsInt();
    }

    /** The partition as the image has it, or null. */
    public static MetadataImage.PartitionImage partition(MetadataImage image, String topic, int partition) {
        MetadataImage.TopicImage t = image.topic(topic);
        return t == null ? null : t.partitions().get(partition);
    }

    /**
     * The current leader of a partition, for a client told NOT_LEADER_OR_FOLLOWER or FENCED_LEADER_EPOCH: as the
     * local replica knows it when this broker hosts the partition (it learns of a change before the image that
     * carries it is published, and a waiting fetch is answered at that moment), else as the image has it (Kafka's
     * getCurrentLeader).
     *
     * @param local this broker's replica of the partition, or null
     */
    public LeaderHint leaderHint(MetadataImage image, Partition local, String topic, int partition,
            String listenerName) {
        int leader;
        int epoch;
        if (local != null) {
            leader = local.leaderId();
            epoch = local.leaderEpoch();
        } else {
            MetadataImage.PartitionImage p = partition(image, topic, partition);
            if (p == null) {
                return new LeaderHint(NONE, NONE, null);
            }
            leader = p.leader();
            epoch = p.leaderEpoch();
        }
        return new LeaderHint(leader, epoch, liveEndpoint(image, leader, listenerName));
    }

    /** The replicas of a partition on brokers that are not live (not registered, or fenced). */
    public List<Integer> offlineReplicas(MetadataImage image, MetadataImage.PartitionImage partition) {
        List<Integer> offline = new ArrayList<>(0);
        for (int replica : partition.replicas()) {
            if (!isLive(image, replica)) {
                offline.add(replica);
            }
        }
        return offline;
    }

    /** Rack of a registered broker, or null. */
    public static String rack(MetadataImage image, int brokerId) {
        MetadataImage.BrokerImage broker = image.brokers().get(brokerId);
        return broker == null ? null : broker.rack();
    }
}
