package io.samsa.log;

import java.util.Objects;

/**
 * A partition of a topic. Its directory under a data dir is {@code <topic>-<partition>}, as in Kafka.
 *
 * @param topic the topic name (validated by the caller)
 * @param partition the partition index, 0 or more
 */
public record TopicPartition(String topic, int partition) {

    public TopicPartition {
        Objects.requireNonNull(topic, "topic");
        if (partition < 0) {
            throw new IllegalArgumentException("partition must be >= 0: " + partition);
        }
    }

    /** The directory name of this partition's log. */
    public String dirName() {
        return topic + "-" + partition;
    }

    /**
     * Parses a log directory name; topic names may contain '-', so the partition is after the last one.
     *
     * @return the partition, or null when the name is not {@code <topic>-<int>}
     */
    public static TopicPartition parseDirName(String name) {
        int dash = name.lastIndexOf('-');
        if (dash <= 0 || dash == name.length() - 1) {
            return null;
        }
        try {
            int partition = Integer.parseInt(name.substring(dash + 1));
            return partition < 0 ? null : new TopicPartition(name.substring(0, dash), partition);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return dirName();
    }
}
