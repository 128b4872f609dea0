package io.samsa.log;

/**
 * The settings of one partition log, under the names of Kafka's topic configs. The broker resolves topic overrides
 * against broker defaults and validates ranges before building one of these.
 *
 * @param segmentBytes segment.bytes: roll the active segment when it would grow past this size
 * @param segmentMs segment.ms: roll the active segment when its first batch is older than this
 * @param retentionMs retention.ms: delete closed segments whose newest record is older than this; -1 keeps forever
 * @param retentionBytes retention.bytes: delete the oldest closed segments while the log is larger; -1 means no limit
 * @param flushMessages flush.messages: fsync after this many appended records
 * @param flushMs flush.ms: fsync when the last fsync is older than this
 * @param maxMessageBytes max.message.bytes: the largest record batch accepted
 * @param indexIntervalBytes index.interval.bytes: bytes of log between two offset/time index entries
 * @param segmentIndexBytes segment.index.bytes: the largest an offset index may grow before the segment rolls
 * @param logAppendTime message.timestamp.type=LogAppendTime: stamp batches with the broker's clock
 * @param fileDeleteDelayMs file.delete.delay.ms: how long a deleted segment's files stay before removal
 * @param compact cleanup.policy contains compact: the log cleaner keeps the latest record of each key
 * @param delete cleanup.policy contains delete: retention.ms and retention.bytes delete old segments
 * @param minCleanableDirtyRatio min.cleanable.dirty.ratio: the dirty share of the log above which it is cleaned
 * @param minCompactionLagMs min.compaction.lag.ms: records younger than this are never cleaned
 * @param maxCompactionLagMs max.compaction.lag.ms: a log whose dirty records are older is cleaned whatever its ratio
 * @param deleteRetentionMs delete.retention.ms: how long a tombstone stays after its first clean
 * @param compression compression.type and its codec's level
 */
public record LogConfig(
        int segmentBytes,
        long segmentMs,
        long retentionMs,
        long retentionBytes,
        long flushMessages,
        long flushMs,
        int maxMessageBytes,
        int indexIntervalBytes,
        int segmentIndexBytes,
        boolean logAppendTime,
        long fileDeleteDelayMs,
        boolean compact,
        boolean delete,
        double minCleanableDirtyRatio,
        long minCompactionLagMs,
        long maxCompactionLagMs,
        long deleteRetentionMs,
        TargetCompression compression) {

    /** Kafka's defaults. */
    public static LogConfig defaults() {
        return new LogConfig(
                1024 * 1024 * 1024,
                7L * 24 * 60 * 60 * 1000,
                7L * 24 * 60 * 60 * 1000,
                -1L,
                Long.MAX_VALUE,
                Long.MAX_VALUE,
                1024 * 1024 + 12,
                4096,
                10 * 1024 * 1024,
                false,
                60_000L,
                false,
                true,
                0.5,
                0L,
                Long.MAX_VALUE,
                24L * 60 * 60 * 1000,
                TargetCompression.PRODUCER);
    }

    /**
     * The age at which the active segment rolls: segment.ms, or max.compaction.lag.ms when smaller on a compacted log,
     * since the cleaner never touches the active segment (Kafka's LogConfig.maxSegmentMs).
     */
    public long rollMs() {
        return compact && maxCompactionLagMs > 0 ? Math.min(segmentMs, maxCompactionLagMs) : segmentMs;
    }
}
