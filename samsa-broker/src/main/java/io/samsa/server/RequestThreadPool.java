package io.samsa.server;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The request threads: a fixed pool that adds up how long its threads spend running tasks, for the request handlers'
 * idle fraction ({@code kafka_server_kafkarequesthandlerpool_requesthandleravgidlepercent}). The cost per task is two
 * clock reads, a thread-local read and a {@link LongAdder} add; nothing is allocated.
 */
final class RequestThreadPool extends ThreadPoolExecutor {

    private final LongSupplier nanoClock;
    private final LongAdder busyNanos = new LongAdder();
    /** When the current task of each thread began: one array per thread, made on its first task. */
    private final ThreadLocal<long[]> taskStart = ThreadLocal.withInitial(() -> new long[1]);

    RequestThreadPool(int threads, ThreadFactory threadFactory, LongSupplier nanoClock) {
        super(threads, threads, 0L, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), threadFactory);
        this.nanoClock = nanoClock;
    }

    @Override
    protected void beforeExecute(Thread thread, Runnable task) {
        taskStart.get()[0] = nanoClock.getAsLong();
    }

    @Override
    protected void afterExecute(Runnable task, Throwable failure) {
        busyNanos.add(nanoClock.getAsLong() - taskStart.get()[0]);
    }

    /** Nanoseconds the threads have spent running tasks, counted as each task ends. */
    long busyNanos() {
        return busyNanos.sum();
    }
}
