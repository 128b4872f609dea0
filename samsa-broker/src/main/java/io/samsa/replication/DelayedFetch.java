package io.samsa.replication;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * A fetch waiting for data: a pending completion woken by a high-watermark move on one of its partitions or by its
 * timeout (DESIGN decision 9), never a parked thread.
 *
 * <p>Thread-safe: wake-ups and the timeout race to complete it; exactly one wins.
 */
final class DelayedFetch {

    private final Supplier<List<FetchResult>> read;
    private final int minBytes;
    private final CompletableFuture<List<FetchResult>> future = new CompletableFuture<>();
    private final AtomicBoolean done = new AtomicBoolean();
    private volatile ScheduledFuture<?> timeout;
    private final Runnable onDone;

    DelayedFetch(Supplier<List<FetchResult>> read, int minBytes, Runnable onDone) {
        this.read = read;
        this.minBytes = minBytes;
        this.onDone = onDone;
    }

    CompletableFuture<List<FetchResult>> future() {
        return future;
    }

    void setTimeout(ScheduledFuture<?> timeout) {
        this.timeout = timeout;
    }

    /** Re-reads; completes when enough bytes (or an error) are there. */
    void tryComplete() {
        if (done.get()) {
            return;
        }
        List<FetchResult> results = read.get();
        if (ReplicaManager.isSatisfied(results, minBytes) && done.compareAndSet(false, true)) {
            finish(results);
        }
    }

    /** The wait is over: answer with whatever there is. */
    void forceComplete() {
        if (done.compareAndSet(false, true)) {
            finish(read.get());
        }
    }

    private void finish(List<FetchResult> results) {
        ScheduledFuture<?> t = timeout;
        if (t != null) {
            t.cancel(false);
        }
        onDone.run();
        future.complete(results);
    }
}
