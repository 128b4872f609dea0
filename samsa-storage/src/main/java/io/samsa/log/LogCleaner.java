package io.samsa.log;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background cleaning of compacted logs (cleanup.policy containing compact), owned by {@link LogManager}: each of
 * log.cleaner.threads threads repeatedly picks the dirtiest log that needs cleaning (see
 * {@link LogToClean#needsCleaning()}; the highest dirty ratio first, as Kafka's grabFilthiestCompactedLog) and cleans
 * it with its own {@link Cleaner}, and sleeps log.cleaner.backoff.ms when no log needs it. A log is cleaned by one
 * thread at a time. A log whose cleaning fails unexpectedly is left alone until the broker restarts (Kafka's
 * "uncleanable partitions"); its data is untouched.
 *
 * <p>Thread-safe: the bookkeeping of logs in progress is guarded by this object's monitor.
 */
final class LogCleaner {

    private static final Logger LOG = LoggerFactory.getLogger(LogCleaner.class);

    private final CleanerConfig config;
    private final Supplier<Collection<Log>> logs;
    private final LongSupplier nowMs;
    private final Consumer<SwapStep> steps;
    private final Set<TopicPartition> inProgress = new HashSet<>();
    private final Set<TopicPartition> abortRequested = new HashSet<>();
    private final Set<TopicPartition> uncleanable = new HashSet<>();
    private final List<Thread> threads = new ArrayList<>();
    private Cleaner foregroundCleaner;
    private boolean stopped;

    /**
     * @param logs the logs to consider, read afresh for every choice
     * @param steps told at each step of a segment swap (tests stop there); a no-op otherwise
     */
    LogCleaner(CleanerConfig config, Supplier<Collection<Log>> logs, LongSupplier nowMs, Consumer<SwapStep> steps) {
        this.config = config;
        this.logs = logs;
        this.nowMs = nowMs;
        this.steps = steps;
    }

    /** Starts the threads "samsa-log-compactor-N". */
    synchronized void start() {
        for (int i = 0; i < config.threads(); i++) {
            Cleaner cleaner = new Cleaner(config, nowMs, steps);
            Thread thread = new Thread(() -> run(cleaner), "samsa-log-compactor-" + i);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    private void run(Cleaner cleaner) {
        while (true) {
            boolean cleaned = cleanDirtiestLog(cleaner);
            synchronized (this) {
                if (stopped) {
                    return;
                }
                if (!cleaned) {
                    try {
                        wait(config.backoffMs());
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }
    }

    /** One clean on the calling thread, for tests; returns whether a log was cleaned (or tried). */
    boolean cleanOnce() {
        Cleaner cleaner;
        synchronized (this) {
            if (foregroundCleaner == null) {
                foregroundCleaner = new Cleaner(config, nowMs, steps);
            }
            cleaner = foregroundCleaner;
        }
        return cleanDirtiestLog(cleaner);
    }

    private boolean cleanDirtiestLog(Cleaner cleaner) {
        LogToClean target = grabDirtiestLog();
        if (target == null) {
            return false;
        }
        Log log = target.log();
        TopicPartition tp = log.topicPartition();
        long logStart = log.logStartOffset();
        long truncations = log.truncations();
        try {
            Cleaner.Outcome outcome = cleaner.clean(target, () -> isAbortRequested(tp));
            if (outcome == Cleaner.Outcome.NO_PROGRESS) {
                LOG.warn("{}: the key map cannot hold the keys of a single batch at offset {}; not cleaning this log"
                        + " until restart (raise log.cleaner.dedupe.buffer.size)", tp, target.firstDirtyOffset());
                markUncleanable(tp);
            }
        } catch (Cleaner.Aborted e) {
            LOG.debug("{}: cleaning aborted", tp);
        } catch (RuntimeException e) {
            if (log.isClosed() || log.logStartOffset() != logStart || log.truncations() != truncations) {
                LOG.debug("{}: the log changed while being cleaned; trying again later: {}", tp, e.toString());
            } else {
                LOG.error("{}: cleaning failed; not cleaning this log until restart", tp, e);
                markUncleanable(tp);
            }
        } finally {
            synchronized (this) {
                inProgress.remove(tp);
                abortRequested.remove(tp);
                notifyAll();
            }
        }
        return true;
    }

    private synchronized LogToClean grabDirtiestLog() {
        if (stopped) {
            return null;
        }
        long now = nowMs.getAsLong();
        LogToClean dirtiest = null;
        for (Log log : logs.get()) {
            TopicPartition tp = log.topicPartition();
            if (log.isClosed() || !log.config().compact() || inProgress.contains(tp) || uncleanable.contains(tp)) {
                continue;
            }
            LogToClean candidate = LogToClean.of(log, now);
            if (candidate.needsCleaning()
                    && (dirtiest == null || candidate.dirtyRatio() > dirtiest.dirtyRatio())) {
                dirtiest = candidate;
            }
        }
        if (dirtiest != null) {
            inProgress.add(dirtiest.log().topicPartition());
        }
        return dirtiest;
    }

    private synchronized boolean isAbortRequested(TopicPartition tp) {
        return stopped || abortRequested.contains(tp);
    }

    private synchronized void markUncleanable(TopicPartition tp) {
        uncleanable.add(tp);
    }

    /**
     * Stops any clean of {@code tp} and waits until it has stopped (its cleaned files are gone), for a log about to
     * be closed and deleted. Later cleans of a log of that name start afresh.
     */
    synchronized void abortAndWait(TopicPartition tp) {
        uncleanable.remove(tp);
        if (!inProgress.contains(tp)) {
            return;
        }
        abortRequested.add(tp);
        notifyAll();
        while (inProgress.contains(tp)) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Aborts the cleans in progress and stops the threads. */
    void shutdown() {
        synchronized (this) {
            stopped = true;
            notifyAll();
        }
        for (Thread thread : threads) {
            try {
                thread.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
