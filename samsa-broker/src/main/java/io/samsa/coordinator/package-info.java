/**
 * Coordinators whose state lives on internal topics: the group coordinator (consumer groups and their committed
 * offsets on {@code __consumer_offsets}). They see the log only through {@link io.samsa.coordinator.PartitionWriter}.
 */
package io.samsa.coordinator;
