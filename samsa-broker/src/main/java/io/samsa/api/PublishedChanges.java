package io.samsa.api;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The metadata changes a request made, each a future of its publication: the response is sent once all of them are
 * published, so a client that reads right after sees what it changed, and no request thread waits meanwhile. Not
 * thread-safe: one per request, on its request thread.
 */
final class PublishedChanges {

    private final List<CompletableFuture<?>> changes = new ArrayList<>();

    void add(CompletableFuture<?> change) {
        changes.add(change);
    }

    /** {@code response} once every change is published. */
    <T> CompletableFuture<T> then(T response) {
        return CompletableFuture.allOf(changes.toArray(CompletableFuture[]::new)).thenApply(v -> response);
    }
}
