package io.samsa.coordinator.group;

/**
 * A committed offset's identity.
 *
 * @param group the group id
 * @param topic the topic
 * @param partition the partition
 */
public record OffsetKey(String group, String topic, int partition) {}
