package io.samsa.security;

import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One INFO line per denied request, naming principal, operation and resource, at most {@link #LINES_PER_SECOND} a
 * second: a misbehaving client retrying a denied request in a loop cannot flood the log. Lines held back are counted
 * and the count is reported by the next line written. Thread-safe.
 */
public final class DenialLog {

    private static final Logger LOG = LoggerFactory.getLogger("io.samsa.security.authorizer");
    static final int LINES_PER_SECOND = 10;

    private final LongSupplier nanoClock;
    private long windowStartNanos;
    private int linesInWindow;
    private long suppressed;

    /** @param nanoClock a monotonic clock (System::nanoTime; tests step their own) */
    public DenialLog(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.windowStartNanos = nanoClock.getAsLong();
    }

    /** Logs a denial unless the rate is exceeded; returns whether it was logged. */
    public boolean denied(String principal, String host, Acl.Operation operation, Acl.ResourceType type,
            String name, String api) {
        long held;
        synchronized (this) {
            long now = nanoClock.getAsLong();
            if (now - windowStartNanos >= 1_000_000_000L) {
                windowStartNanos = now;
                linesInWindow = 0;
            }
            if (linesInWindow >= LINES_PER_SECOND) {
                suppressed++;
                return false;
            }
            linesInWindow++;
            held = suppressed;
            suppressed = 0;
        }
        LOG.info("Principal = {} is Denied operation = {} from host = {} on resource = {}:{} for request = {}{}",
                principal, operation, host, type, name, api,
                held == 0 ? "" : " (" + held + " earlier denials not logged)");
        return true;
    }
}
