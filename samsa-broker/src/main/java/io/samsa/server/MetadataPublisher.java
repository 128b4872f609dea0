package io.samsa.server;

import io.samsa.log.StorageException;
import io.samsa.log.TopicPartition;
import io.samsa.metadata.ConfigResource;
import io.samsa.metadata.MetadataImage;
import io.samsa.metadata.TopicDefaults;
import io.samsa.replication.ReplicaManager;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the partitions this broker hosts match each new metadata image: partitions assigned to this broker are
 * hosted with their topic's current configs, as leader where the image names this broker the leader and as follower
 * elsewhere; partitions of topics no longer in the image, and partitions whose replicas no longer include this
 * broker, are removed and their logs deleted (as Kafka's brokers do once a reassignment has moved a replica away). Only topics whose image or configs changed since the previous image are visited (images share what did not
 * change), so a change costs what it changes, not what the cluster holds.
 *
 * <p>A partition that cannot be hosted or removed (its log cannot be opened or renamed) is logged and skipped: the
 * others, and later images, are still applied.
 *
 * <p>Called by the controller's publisher thread with images in log order; synchronized for the call at start-up.
 */
final class MetadataPublisher implements Consumer<MetadataImage> {

    private static final Logger LOG = LoggerFactory.getLogger(MetadataPublisher.class);

    private final int brokerId;
    private final ReplicaManager replicas;
    private final TopicDefaults defaults;
    private MetadataImage previous = MetadataImage.EMPTY;

    MetadataPublisher(int brokerId, ReplicaManager replicas, TopicDefaults defaults) {
        this.brokerId = brokerId;
        this.replicas = replicas;
        this.defaults = defaults;
    }

    @Override
    public synchronized void accept(MetadataImage image) {
        for (MetadataImage.TopicImage before : previous.topics().values()) {
            MetadataImage.TopicImage now = image.topic(before.topicId());
            if (now == null) {
                before.partitions().keySet().forEach(p -> remove(new TopicPartition(before.name(), p)));
            }
        }
        for (MetadataImage.TopicImage topic : image.topics().values()) {
            Map<String, String> overrides = image.configs(topicResource(topic.name()));
            if (previous.topic(topic.name()) == topic && previous.configs(topicResource(topic.name())) == overrides) {
                continue;
            }
            for (MetadataImage.PartitionImage p : topic.partitions().values()) {
                if (p.replicas().contains(brokerId)) {
                    host(topic, p, overrides);
                } else if (replicas.partition(topic.name(), p.partition()) != null) {
                    remove(new TopicPartition(topic.name(), p.partition()));
                }
            }
        }
        previous = image;
    }

    private void host(MetadataImage.TopicImage topic, MetadataImage.PartitionImage p, Map<String, String> overrides) {
        TopicPartition tp = new TopicPartition(topic.name(), p.partition());
        try {
            if (p.leader() == brokerId) {
                replicas.becomeLeader(tp, topic.topicId(), p.leaderEpoch(), p.isr(), defaults.logConfig(overrides),
                        defaults.minInsyncReplicas(overrides));
            } else {
                replicas.becomeFollower(tp, topic.topicId(), p.leader(), p.leaderEpoch(), p.isr(),
                        defaults.logConfig(overrides), defaults.minInsyncReplicas(overrides));
            }
        } catch (StorageException e) {
            LOG.warn("Cannot host {}: {}", tp, e.getMessage());
        }
    }

    private void remove(TopicPartition tp) {
        try {
            replicas.removePartition(tp);
        } catch (StorageException e) {
            LOG.warn("Cannot delete the log of {}: {}", tp, e.getMessage());
        }
    }

    private static ConfigResource topicResource(String name) {
        return new ConfigResource(ConfigResource.Type.TOPIC, name);
    }
}
