package io.samsa.api;

import io.samsa.protocol.Request;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * Sees each request once it is answered, on the thread that completed it. Implementations run on the request path,
 * so they must be cheap and must not block.
 */
@FunctionalInterface
public interface RequestObserver {

    RequestObserver NONE = (request, response, receivedNanos, startNanos) -> { };

    /**
     * @param response the body sent back, or null when none is sent (a Produce with acks=0)
     * @param receivedNanos {@link System#nanoTime()} when the network read the request's frame
     * @param startNanos {@link System#nanoTime()} when a request thread took the request up for decoding
     */
    void answered(Request request, ApiMessage response, long receivedNanos, long startNanos);
}
