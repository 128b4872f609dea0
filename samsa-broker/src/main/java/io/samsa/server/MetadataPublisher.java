package io.samsa.server;

import io.samsa.log.TopicPartition;
import io.samsa.metadata.ConfigResource;
import io.samsa.metadata.MetadataImage;
import io.samsa.metadata.TopicDefaults;
import io.samsa.replication.ReplicaManager;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Makes the partitions this broker hosts match each new metadata image: partitions assigned to this broker are
 * hosted with their topic's current configs, partitions no longer in the image are removed and their logs deleted.
 *
 * <p>Called by the controller with images in log order; not thread-safe otherwise (synchronized for safety).
 */
final class MetadataPublisher implements Consumer<MetadataImage> {

    private final int brokerId;
    private final ReplicaManager replicas;
    private final TopicDefaults defaults;

    MetadataPublisher(int brokerId, ReplicaManager replicas, TopicDefaults defaults) {
        this.brokerId = brokerId;
        this.replicas = replicas;
        this.defaults = defaults;
    }

    @Override
    public synchronized void accept(MetadataImage image) {
        Set<TopicPartition> wanted = new HashSet<>();
        for (MetadataImage.TopicImage topic : image.topics().values()) {
            Map<String, String> overrides = image.configs(new ConfigResource(ConfigResource.Type.TOPIC, topic.name()));
            for (MetadataImage.PartitionImage p : topic.partitions().values()) {
                if (!p.replicas().contains(brokerId)) {
                    continue;
                }
                TopicPartition tp = new TopicPartition(topic.name(), p.partition());
                wanted.add(tp);
                replicas.becomeLeader(tp, topic.topicId(), p.leaderEpoch(), p.isr(), defaults.logConfig(overrides),
                        defaults.minInsyncReplicas(overrides));
            }
        }
        for (var partition : java.util.List.copyOf(replicas.partitions())) {
            if (!wanted.contains(partition.topicPartition())) {
                replicas.removePartition(partition.topicPartition());
            }
        }
    }
}
