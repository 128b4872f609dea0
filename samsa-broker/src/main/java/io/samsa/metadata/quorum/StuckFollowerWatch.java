package io.samsa.metadata.quorum;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds, on the leader, a follower that answers but never catches up: a voter whose data directory was wiped comes
 * back with an empty log, and Ratis's leader, which never lowers a follower's match index, keeps sending it only what
 * comes after the entries it had (the follower refuses those forever). A new leader starts every follower afresh (and
 * installs a snapshot where its log no longer reaches), so the cure is to hand leadership to a caught-up follower.
 *
 * <p>A follower is stuck when it has answered within the last second, is behind the leader's log, and its match
 * index has not moved for {@code patienceMs}. Called periodically by one thread; not thread-safe.
 */
final class StuckFollowerWatch {

    private static final Logger LOG = LoggerFactory.getLogger(StuckFollowerWatch.class);
    private static final long ANSWERED_WITHIN_MS = 1_000;

    /** What the leader knows of a follower. */
    record Follower(int nodeId, long matchIndex, long lastContactMs) {}

    private record Progress(long matchIndex, long sinceMs) {}

    private final long patienceMs;
    private final LongSupplier clockMs;
    private final Map<Integer, Progress> progress = new HashMap<>();

    StuckFollowerWatch(long patienceMs, LongSupplier clockMs) {
        this.patienceMs = patienceMs;
        this.clockMs = clockMs;
    }

    /** Forgets everything (this node does not lead). */
    void reset() {
        progress.clear();
    }

    /**
     * @param lastIndex the leader's last log index
     * @return the follower to hand leadership to because another one is stuck, or -1
     */
    int check(long lastIndex, List<Follower> followers) {
        long now = clockMs.getAsLong();
        int stuck = -1;
        for (Follower f : followers) {
            if (f.matchIndex() >= lastIndex || f.lastContactMs() > ANSWERED_WITHIN_MS) {
                progress.remove(f.nodeId());
                continue;
            }
            Progress p = progress.get(f.nodeId());
            if (p == null || p.matchIndex() != f.matchIndex()) {
                progress.put(f.nodeId(), new Progress(f.matchIndex(), now));
            } else if (now - p.sinceMs() >= patienceMs) {
                stuck = f.nodeId();
            }
        }
        if (stuck < 0) {
            return -1;
        }
        for (Follower f : followers) {
            if (f.nodeId() != stuck && f.matchIndex() >= lastIndex) {
                LOG.warn("Metadata follower {} answers but has not caught up for {} ms (match index {} of {}): its"
                        + " log was probably lost; handing leadership to node {} so that it starts afresh", stuck,
                        patienceMs, progress.get(stuck).matchIndex(), lastIndex, f.nodeId());
                progress.clear();
                return f.nodeId();
            }
        }
        return -1;
    }
}
