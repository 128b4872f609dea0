package io.samsa.replication;

import io.samsa.log.TopicPartition;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fetch waiting for data: a pending completion woken by a high-watermark (or last-stable-offset) move on one of its
 * partitions or by its timeout (DESIGN decision 9), never a parked thread.
 *
 * <p>It keeps what it has read so far (slices of the segment files, not copies) and a wake-up re-reads only the
 * partition that moved, with the byte budget the other partitions leave; the answer is whatever it holds when
 * {@code minBytes} is reached or the wait is over.
 *
 * <p>Thread-safe without a lock: wake-ups and the timeout may come from any thread at once; they queue the moved
 * partitions and one of them at a time (the "drainer", chosen by {@link #wip}) reads and decides, so reads are never
 * concurrent and no lock is held across them. Exactly one completion happens; results read after it are released.
 */
final class DelayedFetch {

    /** Reads one partition of the fetch within a byte budget. */
    interface PartitionReader {
        FetchResult read(FetchPartition partition, int maxBytes, boolean minOneBatch);
    }

    private final FetchParams params;
    private final List<FetchPartition> requested;
    private final PartitionReader reader;
    private final Runnable onDone;
    private final CompletableFuture<List<FetchResult>> future = new CompletableFuture<>();
    private final Set<TopicPartition> moved = ConcurrentHashMap.newKeySet();
    /** Wake-ups not yet handled by the drainer; whoever raises it from 0 drains. */
    private final AtomicInteger wip = new AtomicInteger();
    /** What has been read for each requested partition; touched by the drainer only. */
    private final FetchResult[] results;
    private boolean completed;
    private volatile boolean expired;
    private volatile ScheduledFuture<?> timeout;

    DelayedFetch(FetchParams params, List<FetchPartition> requested, List<FetchResult> firstRead,
            PartitionReader reader, Runnable onDone) {
        this.params = params;
        this.requested = requested;
        this.results = firstRead.toArray(new FetchResult[0]);
        this.reader = reader;
        this.onDone = onDone;
    }

    CompletableFuture<List<FetchResult>> future() {
        return future;
    }

    void setTimeout(ScheduledFuture<?> timeout) {
        this.timeout = timeout;
    }

    /** The readable offsets of {@code tp} moved: read it again, and answer if that is enough. */
    void onMoved(TopicPartition tp) {
        moved.add(tp);
        drain();
    }

    /** The wait is over: answer with whatever there is. */
    void expire() {
        expired = true;
        drain();
    }

    private void drain() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        while (missed != 0) {
            if (!completed) {
                step();
            }
            missed = wip.addAndGet(-missed);
        }
    }

    private void step() {
        try {
            for (Iterator<TopicPartition> it = moved.iterator(); it.hasNext(); ) {
                TopicPartition tp = it.next();
                it.remove();
                reread(tp);
            }
            if (expired || ReplicaManager.isSatisfied(Arrays.asList(results), params.minBytes())) {
                finish(null);
            }
        } catch (RuntimeException e) {
            finish(e);
        }
    }

    private void reread(TopicPartition tp) {
        for (int i = 0; i < results.length; i++) {
            FetchPartition partition = requested.get(i);
            if (!partition.topicPartition().equals(tp)) {
                continue;
            }
            long others = 0;
            for (int j = 0; j < results.length; j++) {
                others += j == i ? 0 : results[j].records().size();
            }
            int budget = (int) Math.max(0, Math.min(partition.maxBytes(), params.maxBytes() - others));
            FetchResult fresh = reader.read(partition, budget, others == 0);
            results[i].records().release();
            results[i] = fresh;
        }
    }

    private void finish(RuntimeException failure) {
        completed = true;
        ScheduledFuture<?> t = timeout;
        if (t != null) {
            t.cancel(false);
        }
        onDone.run();
        if (failure != null) {
            FetchResult.releaseAll(Arrays.asList(results));
            future.completeExceptionally(failure);
        } else {
            future.complete(new ArrayList<>(Arrays.asList(results)));
        }
    }
}
