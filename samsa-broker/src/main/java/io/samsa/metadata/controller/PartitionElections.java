package io.samsa.metadata.controller;

import io.samsa.metadata.ConfigResource;
import io.samsa.metadata.MetadataImage;
import io.samsa.metadata.MetadataImage.PartitionImage;
import io.samsa.metadata.MetadataImage.TopicImage;
import io.samsa.metadata.MetadataRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * The partition changes that follow a broker's change of state, computed from an image in which that state change is
 * already applied. Kafka's rules ({@code PartitionChangeBuilder}, without eligible leader replicas):
 *
 * <ul>
 *   <li>A broker that is fenced or shutting down leaves every ISR, except that an ISR never becomes empty: its last
 *       member stays, so that it can lead again when it comes back (it has every acknowledged record). A broker
 *       shutting down keeps the leadership of partitions no other ISR member can take ({@link #handOver}).</li>
 *   <li>A partition that needs a leader gets the first replica, in assignment order, that is in the ISR and active
 *       (registered, unfenced, not shutting down). If there is none, the partition has no leader, unless the topic's
 *       {@code unclean.leader.election.enable} is true: then the first active replica leads and the ISR is just it
 *       (records only it had may be lost; that is what the setting accepts).</li>
 *   <li>Every change of leader increments the leader epoch; every change increments the partition epoch (on apply)
 *       and names the partition epoch it was computed from, so it is ignored if something else changed the partition
 *       first.</li>
 * </ul>
 *
 * <p>Linear in the partitions of the image; these events are rare (a broker starting, stopping or dying). Stateless.
 */
public final class PartitionElections {

    static final String UNCLEAN_KEY = "unclean.leader.election.enable";

    private PartitionElections() {}

    /** Takes {@code brokerId} out of every ISR and elects a new leader wherever it led. */
    public static List<MetadataRecord> removeBroker(MetadataImage image, int brokerId, boolean uncleanByDefault) {
        return removeBroker(image, brokerId, uncleanByDefault, false);
    }

    /**
     * For a controlled shutdown: moves {@code brokerId}'s leaderships to clean successors and takes it out of the
     * ISRs, but leaves it the leader where no other ISR member can lead. It still has the data and serves until it
     * stops, so making such a partition leaderless (Kafka does) would only open an unavailability window earlier,
     * and an unclean election away from a live, complete leader would lose records for nothing. Once it is fenced,
     * its remaining partitions count as leaderless ({@link #needsLeader}) and it leads them again when it returns.
     */
    public static List<MetadataRecord> handOver(MetadataImage image, int brokerId) {
        return removeBroker(image, brokerId, false, true);
    }

    private static List<MetadataRecord> removeBroker(MetadataImage image, int brokerId, boolean uncleanByDefault,
            boolean keepWithoutSuccessor) {
        List<MetadataRecord> changes = new ArrayList<>();
        for (TopicImage topic : image.topics().values()) {
            boolean unclean = unclean(image, topic, uncleanByDefault);
            for (PartitionImage p : topic.partitions().values()) {
                boolean inIsr = p.isr().contains(brokerId);
                if (!inIsr && p.leader() != brokerId) {
                    continue;
                }
                List<Integer> isr = p.isr();
                if (inIsr && isr.size() > 1) {
                    isr = new ArrayList<>(isr);
                    isr.remove(Integer.valueOf(brokerId));
                }
                int leader = p.leader();
                if (keepWithoutSuccessor && leader == brokerId
                        && cleanLeader(image, p, isr, brokerId) == MetadataImage.NO_LEADER) {
                    continue; // it stays the leader, and so in the ISR
                }
                if (leader == brokerId || needsLeader(image, p)) {
                    leader = cleanLeader(image, p, isr, brokerId);
                    if (leader == MetadataImage.NO_LEADER && unclean) {
                        leader = uncleanLeader(image, p, brokerId);
                        if (leader != MetadataImage.NO_LEADER) {
                            isr = List.of(leader);
                        }
                    }
                }
                add(changes, topic, p, leader, isr);
            }
        }
        return changes;
    }

    /**
     * Gives {@code brokerId}, just unfenced, the leadership of the partitions that have none and that it may lead:
     * those whose ISR holds it, or, where the topic allows unclean elections, any it replicates.
     */
    public static List<MetadataRecord> electLeaderless(MetadataImage image, int brokerId, boolean uncleanByDefault) {
        List<MetadataRecord> changes = new ArrayList<>();
        for (TopicImage topic : image.topics().values()) {
            boolean unclean = unclean(image, topic, uncleanByDefault);
            for (PartitionImage p : topic.partitions().values()) {
                if (!needsLeader(image, p) || !p.replicas().contains(brokerId)) {
                    continue;
                }
                int leader = cleanLeader(image, p, p.isr(), MetadataImage.NO_LEADER);
                if (leader != MetadataImage.NO_LEADER) {
                    add(changes, topic, p, leader, p.isr());
                } else if (unclean && isActive(image, brokerId)) {
                    add(changes, topic, p, brokerId, List.of(brokerId));
                }
            }
        }
        return changes;
    }

    /**
     * Whether a partition needs a leader: it has none, or its leader is fenced (a broker that shut down keeps the
     * partitions nobody else could take, see {@link #handOver}).
     */
    static boolean needsLeader(MetadataImage image, PartitionImage p) {
        if (p.leader() == MetadataImage.NO_LEADER) {
            return true;
        }
        MetadataImage.BrokerImage leader = image.brokers().get(p.leader());
        return leader == null || leader.fenced();
    }

    /** How many partitions {@code brokerId} leads that another ISR member could lead instead. */
    public static int movableLeaderships(MetadataImage image, int brokerId) {
        int count = 0;
        for (TopicImage topic : image.topics().values()) {
            for (PartitionImage p : topic.partitions().values()) {
                if (p.leader() == brokerId && cleanLeader(image, p, p.isr(), brokerId) != MetadataImage.NO_LEADER) {
                    count++;
                }
            }
        }
        return count;
    }

    /** How many partitions {@code brokerId} leads. */
    public static int leaderships(MetadataImage image, int brokerId) {
        int count = 0;
        for (TopicImage topic : image.topics().values()) {
            for (PartitionImage p : topic.partitions().values()) {
                if (p.leader() == brokerId) {
                    count++;
                }
            }
        }
        return count;
    }

    private static int cleanLeader(MetadataImage image, PartitionImage p, List<Integer> isr, int excluded) {
        for (int replica : p.replicas()) {
            if (replica != excluded && isr.contains(replica) && isActive(image, replica)) {
                return replica;
            }
        }
        return MetadataImage.NO_LEADER;
    }

    private static int uncleanLeader(MetadataImage image, PartitionImage p, int excluded) {
        for (int replica : p.replicas()) {
            if (replica != excluded && isActive(image, replica)) {
                return replica;
            }
        }
        return MetadataImage.NO_LEADER;
    }

    static boolean isActive(MetadataImage image, int brokerId) {
        MetadataImage.BrokerImage broker = image.brokers().get(brokerId);
        return broker != null && broker.active();
    }

    private static boolean unclean(MetadataImage image, TopicImage topic, boolean byDefault) {
        String value = image.configs(new ConfigResource(ConfigResource.Type.TOPIC, topic.name())).get(UNCLEAN_KEY);
        return value == null ? byDefault : Boolean.parseBoolean(value);
    }

    private static void add(List<MetadataRecord> changes, TopicImage topic, PartitionImage p, int leader,
            List<Integer> isr) {
        if (leader == p.leader() && isr.equals(p.isr())) {
            return;
        }
        int leaderEpoch = leader == p.leader() ? p.leaderEpoch() : p.leaderEpoch() + 1;
        changes.add(new MetadataRecord.PartitionChange(topic.topicId(), p.partition(), p.partitionEpoch(), leader,
                leaderEpoch, isr));
    }
}
