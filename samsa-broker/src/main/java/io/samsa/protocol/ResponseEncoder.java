package io.samsa.protocol;

import io.samsa.protocol.ResponseFrame;
import java.nio.ByteBuffer;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.MessageSizeAccumulator;
import org.apache.kafka.common.protocol.ObjectSerializationCache;

/**
 * Encodes a response body for a request into one length-prefixed frame. Sizes first, then writes with the same
 * serialization cache, as kafka-clients requires. Records are not copied: the frame references them (in memory, or
 * in a segment file for a fetch). Thread-safe (stateless).
 */
public final class ResponseEncoder {

    private ResponseEncoder() {}

    /**
     * Encodes {@code body} as the answer to {@code request}. The frame takes over the file references of the
     * records in {@code body}; if encoding fails, they are released.
     */
    public static ResponseFrame encode(Request request, ApiMessage body) {
        try {
            short version = request.version();
            short headerVersion = request.apiKey().responseHeaderVersion(version);
            ResponseHeaderData header = new ResponseHeaderData().setCorrelationId(request.correlationId());
            ObjectSerializationCache cache = new ObjectSerializationCache();
            MessageSizeAccumulator size = new MessageSizeAccumulator();
            header.addSize(size, cache, headerVersion);
            body.addSize(size, cache, version);
            ByteBuffer buffer = ByteBuffer.allocate(4 + size.sizeExcludingZeroCopy());
            buffer.putInt(size.totalSize());
            FrameWriter writer = new FrameWriter(buffer);
            header.write(writer, cache, headerVersion);
            body.write(writer, cache, version);
            return writer.finish();
        } catch (RuntimeException e) {
            if (body instanceof FetchResponseData fetch) {
                releaseRecords(fetch);
            }
            throw e;
        }
    }

    /** Releases the file references of a fetch response that will not be sent. */
    public static void releaseRecords(FetchResponseData response) {
        for (FetchResponseData.FetchableTopicResponse topic : response.responses()) {
            for (FetchResponseData.PartitionData partition : topic.partitions()) {
                if (partition.records() instanceof FileSliceRecords file) {
                    file.release();
                }
            }
        }
    }
}
