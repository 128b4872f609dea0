package io.samsa.protocol;

import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractRequest;

/**
 * A decoded request: its header and its typed body.
 *
 * @param header the request header (client id normalised to "" when absent)
 * @param apiKey the API
 * @param version the API version the client used
 * @param request kafka-clients' typed request, which also knows how to build a well-formed error response
 * @param sizeBytes the size of the frame, without its length prefix
 * @param versionUnsupported true for an ApiVersions request at a version this broker does not serve; it is answered
 *     at v0 with UNSUPPORTED_VERSION (KIP-511), and {@code version} is then 0
 */
public record Request(
        RequestHeaderData header,
        ApiKeys apiKey,
        short version,
        AbstractRequest request,
        int sizeBytes,
        boolean versionUnsupported) {

    /** The request body. */
    public ApiMessage body() {
        return request.data();
    }

    public int correlationId() {
        return header.correlationId();
    }

    public String clientId() {
        return header.clientId();
    }

    @Override
    public String toString() {
        return apiKey + " v" + version + " correlationId=" + header.correlationId() + " clientId=" + header.clientId();
    }
}
