package io.samsa.coordinator.group;

/**
 * What a group committed for one partition.
 *
 * @param offset the next offset to consume
 * @param leaderEpoch the leader epoch of the last consumed record, or -1
 * @param metadata the client's metadata string (kept as given, "" when none)
 * @param commitTimestamp when the commit was made
 */
public record CommittedOffset(long offset, int leaderEpoch, String metadata, long commitTimestamp) {}
