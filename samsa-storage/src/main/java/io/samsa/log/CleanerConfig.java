package io.samsa.log;

/**
 * Settings of the log cleaner, under Kafka's broker keys.
 *
 * @param enabled log.cleaner.enable: without it compacted logs are never cleaned
 * @param threads log.cleaner.threads: cleaner threads, each cleaning one log at a time
 * @param backoffMs log.cleaner.backoff.ms: how long a thread sleeps when no log needs cleaning
 * @param dedupeBufferSize log.cleaner.dedupe.buffer.size: memory for the key maps of all threads together, which
 *     bounds how many keys of the dirty part of a log one clean can take (the rest waits for the next clean)
 * @param ioBufferSize log.cleaner.io.buffer.size: the size of the cleaner's read and write buffers
 * @param loadFactor log.cleaner.io.buffer.load.factor: how full a key map may get (Kafka's 0.9)
 */
public record CleanerConfig(
        boolean enabled, int threads, long backoffMs, long dedupeBufferSize, int ioBufferSize, double loadFactor) {

    /** Kafka's defaults. */
    public static CleanerConfig defaults() {
        return new CleanerConfig(true, 1, 15_000L, 128L * 1024 * 1024, 512 * 1024, 0.9);
    }

    /** The key-map memory of one thread. */
    long dedupeBufferPerThread() {
        return dedupeBufferSize / Math.max(1, threads);
    }
}
