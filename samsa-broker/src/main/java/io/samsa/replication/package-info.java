/**
 * Partition replicas and their replication state (leader epoch, ISR, high watermark), the produce path as leader and
 * the fetch path with its event-driven long-poll.
 */
package io.samsa.replication;
