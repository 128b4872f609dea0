package io.samsa.protocol;

import io.samsa.protocol.ResponseFrame;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.record.BaseRecords;
import org.apache.kafka.common.record.MemoryRecords;

/**
 * A kafka-clients {@code Writable} that writes a message into one buffer sized for everything but its records, and
 * cuts the frame into parts at each records field: records in memory are referenced (not copied), records in a file
 * become a file part. Not thread-safe; one per encoding.
 */
final class FrameWriter extends ByteBufferAccessor {

    private final ByteBuffer buffer;
    private final List<ResponseFrame.Part> parts = new ArrayList<>();
    /** Where the bytes not yet in {@link #parts} start. */
    private int cut;

    FrameWriter(ByteBuffer buffer) {
        super(buffer);
        this.buffer = buffer;
    }

    @Override
    public void writeRecords(BaseRecords records) {
        switch (records) {
            case FileSliceRecords file -> cutWith(file.part());
            case MemoryRecords memory -> cutWith(new ResponseFrame.Bytes(memory.buffer().duplicate()));
            default -> throw new IllegalArgumentException("cannot encode records of type " + records.getClass());
        }
    }

    private void cutWith(ResponseFrame.Part records) {
        if (records.size() == 0) {
            return;
        }
        flushBytes();
        parts.add(records);
    }

    private void flushBytes() {
        if (buffer.position() > cut) {
            parts.add(new ResponseFrame.Bytes(buffer.slice(cut, buffer.position() - cut)));
            cut = buffer.position();
        }
    }

    /** The frame, once the whole message is written. */
    ResponseFrame finish() {
        if (buffer.hasRemaining()) {
            throw new IllegalStateException("encoded " + buffer.position() + " bytes of " + buffer.capacity());
        }
        flushBytes();
        return new ResponseFrame(parts);
    }
}
