package io.samsa.log;

/**
 * A record found by timestamp.
 *
 * @param timestamp the record's timestamp
 * @param offset the record's offset
 * @param leaderEpoch the leader epoch of the batch holding it, or -1 when unknown
 */
public record TimestampOffset(long timestamp, long offset, int leaderEpoch) {}
