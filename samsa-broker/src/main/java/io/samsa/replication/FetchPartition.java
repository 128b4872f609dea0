package io.samsa.replication;

import io.samsa.log.TopicPartition;

/**
 * One partition of a fetch.
 *
 * @param topicPartition the partition
 * @param fetchOffset where to read from
 * @param maxBytes the most bytes to return for it
 * @param currentLeaderEpoch the leader epoch the client believes in, or -1
 */
public record FetchPartition(TopicPartition topicPartition, long fetchOffset, int maxBytes, int currentLeaderEpoch) {}
