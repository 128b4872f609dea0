package io.samsa.protocol;

import java.nio.ByteBuffer;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ApiVersionsRequest;

/**
 * Decodes one request frame (without its length prefix) into a {@link Request}. Sans I/O: bytes in, message out.
 *
 * <p>The version is checked against what Samsa serves ({@link SupportedApis}) before the body is parsed. An
 * ApiVersions request at a version we do not know still decodes (its body is ignored), so that the broker can answer
 * it with UNSUPPORTED_VERSION and the range it serves, as KIP-511 asks; its header is read as Kafka 4.1 reads it
 * (header v2, with tagged fields, from version 3 on), so a header Kafka cannot read closes the connection here too.
 * Thread-safe (stateless).
 *
 * <p>Bytes left in the frame after the body are ignored, as Apache Kafka ignores them (its {@code RequestContext}
 * parses the body and never looks at what remains). Real clients rely on it: librdkafka 2.x writes a 4-byte
 * placeholder for the topic count of a Metadata request for all topics and, at v9 and later, leaves it as four zero
 * bytes, of which a parser reads only the first (a null compact array) and the next three as the request's remaining
 * fields; the request's own last three bytes are then left over. A body that ends too early, an unknown API key or a
 * version that is not served still close the connection, as in Kafka.
 */
public final class RequestDecoder {

    private final SupportedApis supported;

    public RequestDecoder(SupportedApis supported) {
        this.supported = supported;
    }

    /**
     * Decodes a frame.
     *
     * @throws InvalidFrameException when the connection must be closed
     */
    public Request decode(ByteBuffer frame) {
        int size = frame.remaining();
        if (size < 8) {
            throw new InvalidFrameException("frame of " + size + " bytes is too short for a request header");
        }
        short keyId = frame.getShort(frame.position());
        short version = frame.getShort(frame.position() + 2);
        if (!ApiKeys.hasId(keyId)) {
            throw new InvalidFrameException("unknown API key " + keyId);
        }
        ApiKeys apiKey = ApiKeys.forId(keyId);
        boolean served = supported.isSupported(apiKey, version);
        if (!served && apiKey != ApiKeys.API_VERSIONS) {
            throw new InvalidFrameException("unsupported version " + version + " of " + apiKey);
        }
        ByteBufferAccessor accessor = new ByteBufferAccessor(frame);
        RequestHeaderData header;
        try {
            header = new RequestHeaderData(accessor, apiKey.requestHeaderVersion(version));
        } catch (RuntimeException e) {
            throw new InvalidFrameException("malformed request header of " + apiKey + " v" + version, e);
        }
        if (header.clientId() == null) {
            header.setClientId("");
        }
        if (!served) {
            return new Request(header, apiKey, (short) 0,
                    new ApiVersionsRequest(new ApiVersionsRequestData(), (short) 0), size, true);
        }
        AbstractRequest request;
        try {
            request = AbstractRequest.parseRequest(apiKey, version, accessor).request;
        } catch (RuntimeException e) {
            throw new InvalidFrameException("malformed body of " + apiKey + " v" + version + ": " + e.getMessage(), e);
        }
        return new Request(header, apiKey, version, request, size, false);
    }
}
