package io.samsa.api;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The metadata changes a request made, each a future of its publication: the response is sent once all of them are
 * published, so a client that reads right after sees what it changed, and no request thread waits meanwhile. A
 * change that takes long to publish (thousands of partitions to create on disk) is not waited for beyond
 * {@link #MAX_WAIT_MS} or the request's own timeout: it is committed, so it is answered as done, as Kafka answers
 * once its controller has committed, and it shows in Metadata once published. Not thread-safe: one per request, on
 * its request thread; the response must be complete before {@link #then} is called.
 */
final class PublishedChanges {

    /** Below the 30 s request.timeout.ms of Kafka's clients, so that a slow change is not retried as a failed one. */
    static final long MAX_WAIT_MS = 10_000;

    private final List<CompletableFuture<?>> changes = new ArrayList<>();
    private final long waitMs;

    /** @param timeoutMs the request's timeout: how long it may wait for its changes to be published */
    PublishedChanges(long timeoutMs) {
        this.waitMs = Math.max(0, Math.min(timeoutMs, MAX_WAIT_MS));
    }

    void add(CompletableFuture<?> change) {
        changes.add(change);
    }

    /** {@code response} once every change is published, or once the wait is over. */
    <T> CompletableFuture<T> then(T response) {
        if (changes.isEmpty() || waitMs == 0) {
            return CompletableFuture.completedFuture(response);
        }
        return CompletableFuture.allOf(changes.toArray(CompletableFuture[]::new))
                .completeOnTimeout(null, waitMs, TimeUnit.MILLISECONDS).thenApply(v -> response);
    }
}
