package io.samsa.protocol;

import java.nio.ByteBuffer;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageSizeAccumulator;
import org.apache.kafka.common.protocol.ObjectSerializationCache;

/**
 * Encodes a response body for a request into one length-prefixed frame. Sizes first, then writes with the same
 * serialization cache, as kafka-clients requires. Thread-safe (stateless).
 */
public final class ResponseEncoder {

    private ResponseEncoder() {}

    /** Encodes {@code body} as the answer to {@code request}; the buffer is ready to read. */
    public static ByteBuffer encode(Request request, ApiMessage body) {
        short version = request.version();
        short headerVersion = request.apiKey().responseHeaderVersion(version);
        ResponseHeaderData header = new ResponseHeaderData().setCorrelationId(request.correlationId());
        ObjectSerializationCache cache = new ObjectSerializationCache();
        MessageSizeAccumulator size = new MessageSizeAccumulator();
        header.addSize(size, cache, headerVersion);
        body.addSize(size, cache, version);
        ByteBuffer buffer = ByteBuffer.allocate(4 + size.totalSize());
        buffer.putInt(size.totalSize());
        ByteBufferAccessor writer = new ByteBufferAccessor(buffer);
        header.write(writer, cache, headerVersion);
        body.write(writer, cache, version);
        buffer.flip();
        return buffer;
    }
}
