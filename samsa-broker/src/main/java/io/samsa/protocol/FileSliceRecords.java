package io.samsa.protocol;

import io.samsa.protocol.ResponseFrame;
import java.io.IOException;
import org.apache.kafka.common.network.TransferableChannel;
import org.apache.kafka.common.record.DefaultRecordsSend;
import org.apache.kafka.common.record.RecordsSend;
import org.apache.kafka.common.record.TransferableRecords;

/**
 * Record batches that stay in a file: what a fetch response carries instead of a copy of the records. The
 * {@link ResponseEncoder} turns it into a {@link ResponseFrame.FilePart} of the frame, so the bytes go from the file
 * to the socket. Until then the holder owns the file reference: {@link #release()} it if the response is dropped.
 */
public final class FileSliceRecords implements TransferableRecords {

    private final ResponseFrame.FilePart part;

    public FileSliceRecords(ResponseFrame.FilePart part) {
        this.part = part;
    }

    ResponseFrame.FilePart part() {
        return part;
    }

    /** Lets go of the file, for a response that will not be encoded. */
    public void release() {
        part.release().run();
    }

    @Override
    public int sizeInBytes() {
        return part.size();
    }

    @Override
    public int writeTo(TransferableChannel channel, int position, int length) throws IOException {
        return (int) channel.transferFrom(part.channel(), part.position() + position, length);
    }

    @Override
    public RecordsSend<? extends TransferableRecords> toSend() {
        return new DefaultRecordsSend<>(this);
    }
}
