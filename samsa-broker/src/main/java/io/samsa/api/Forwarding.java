package io.samsa.api;

import io.samsa.protocol.Request;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.ApiMessage;

/** Decides which requests another node must answer (the active controller), and gets its answer. */
public interface Forwarding {

    /** A single node answers everything itself. */
    Forwarding NONE = request -> null;

    /**
     * @return the answer of the node that serves {@code request}, or null to answer it here
     */
    CompletableFuture<ApiMessage> forward(Request request);
}
