package io.samsa.replication;

/**
 * The limits of a fetch.
 *
 * @param maxWaitMs how long to wait for {@code minBytes} to become available
 * @param minBytes answer as soon as this many bytes can be returned
 * @param maxBytes the most bytes in the whole response (the first batch is returned even if larger, as in Kafka)
 * @param readCommitted read_committed isolation: read only below the last stable offset, and return the aborted
 *     transactions overlapping what was read; otherwise read below the high watermark
 */
public record FetchParams(int maxWaitMs, int minBytes, int maxBytes, boolean readCommitted) {}
