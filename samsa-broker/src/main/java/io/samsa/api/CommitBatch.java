package io.samsa.api;

import io.samsa.coordinator.group.CommittedOffset;
import io.samsa.coordinator.group.OffsetKey;
import io.samsa.metadata.MetadataImage;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.protocol.Errors;

/**
 * The partitions of one OffsetCommit or TxnOffsetCommit, sorted into the offsets to commit and the partitions refused
 * with UNKNOWN_TOPIC_OR_PARTITION (a topic or partition that does not exist). Not thread-safe: one per request.
 */
final class CommitBatch {

    final Map<OffsetKey, CommittedOffset> commits = new HashMap<>();
    private final Map<OffsetKey, Errors> refused = new HashMap<>();
    private final MetadataImage image;
    private final String groupId;
    private final long now = System.currentTimeMillis();

    CommitBatch(MetadataImage image, String groupId) {
        this.image = image;
        this.groupId = groupId;
    }

    void add(String topic, int partition, long offset, int leaderEpoch, String metadata) {
        OffsetKey key = new OffsetKey(groupId, topic, partition);
        MetadataImage.TopicImage known = image.topic(topic);
        if (known == null || !known.partitions().containsKey(partition)) {
            refused.put(key, Errors.UNKNOWN_TOPIC_OR_PARTITION);
        } else {
            commits.put(key, new CommittedOffset(offset, leaderEpoch, metadata == null ? "" : metadata, now));
        }
    }

    /** Refuses a partition without looking it up (the topic is not authorized). */
    void refuse(String topic, int partition, Errors error) {
        refused.put(new OffsetKey(groupId, topic, partition), error);
    }

    /** The error of a refused partition, or null when it was passed on to the coordinator. */
    Errors refusal(String topic, int partition) {
        return refused.get(new OffsetKey(groupId, topic, partition));
    }
}
