package io.samsa.metrics;

import java.util.function.LongSupplier;

/**
 * The fraction of time a group of threads was idle between two readings, from a growing total of their busy time:
 * {@code 1 - busy / (elapsed x threads)}, clamped to [0, 1]. Kafka's {@code RequestHandlerAvgIdlePercent} and
 * {@code NetworkProcessorAvgIdlePercent} are the same fraction (0 to 1 despite the name) averaged over a minute; here
 * the window is the time since the previous reading, that is the previous scrape. Busy time is counted when a piece of
 * work ends, so one reading can see a little more than the window's share of a long task and the next a little less.
 *
 * <p>Thread-safe; readings are serialised.
 */
public final class IdleRatio {

    private final int threads;
    private final LongSupplier busyNanos;
    private final LongSupplier nanoClock;
    private long lastNanos;
    private long lastBusy;
    private double last = 1.0;

    /**
     * @param busyNanos the threads' busy time so far, in nanoseconds (never decreasing)
     * @param nanoClock {@link System#nanoTime()} or a test's clock
     */
    public IdleRatio(int threads, LongSupplier busyNanos, LongSupplier nanoClock) {
        this.threads = Math.max(1, threads);
        this.busyNanos = busyNanos;
        this.nanoClock = nanoClock;
        this.lastNanos = nanoClock.getAsLong();
        this.lastBusy = busyNanos.getAsLong();
    }

    /** The idle fraction since the previous reading (or since construction); the previous value if no time passed. */
    public synchronized double read() {
        long now = nanoClock.getAsLong();
        long busy = busyNanos.getAsLong();
        long elapsed = now - lastNanos;
        if (elapsed <= 0) {
            return last;
        }
        double busyShare = (double) (busy - lastBusy) / ((double) elapsed * threads);
        last = Math.min(1.0, Math.max(0.0, 1.0 - busyShare));
        lastNanos = now;
        lastBusy = busy;
        return last;
    }
}
