package io.samsa.api;

import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * Serves one Kafka API. Errors a client must see are put in the response as Kafka error codes; an exception thrown or
 * a future failed here is a bug and is answered with the API's generic error response.
 */
public interface ApiHandler {

    /** Kafka's marker for "authorized operations were not asked for" in describe responses. */
    int AUTHORIZED_OPERATIONS_OMITTED = Integer.MIN_VALUE;

    /**
     * Handles a request whose version this handler declared it serves.
     *
     * @param connection the client connection it came on
     * @return the response body, or a future of null for a request that gets no response (produce with acks=0)
     */
    CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection);
}
