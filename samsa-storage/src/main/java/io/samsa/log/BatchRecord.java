package io.samsa.log;

import io.samsa.log.internal.Varint;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/**
 * One record of a v2 batch, as read by {@link BatchRecordReader}: its bytes after the length prefix, with the fields
 * the cleaner and the append validator need. A record is written back verbatim or with new deltas; everything after
 * the offset delta (key, value, headers) is always copied as it is.
 *
 * @param body the record's bytes after its length varint (attributes to the end of its headers)
 * @param timestampDelta its timestamp relative to the batch's base timestamp
 * @param offsetDelta its offset relative to the batch's base offset
 * @param tailStart where the key length starts in {@code body}, just after the offset delta
 * @param keyStart where the key starts in {@code body}
 * @param keyLength the key's length, or -1 for a null key
 * @param valueLength the value's length, or -1 for a null value (a tombstone)
 */
record BatchRecord(byte[] body, long timestampDelta, int offsetDelta, int tailStart, int keyStart, int keyLength,
        int valueLength) {

    boolean hasKey() {
        return keyLength >= 0;
    }

    /** The key's bytes (a view of the body), or null. */
    ByteBuffer key() {
        return keyLength < 0 ? null : ByteBuffer.wrap(body, keyStart, keyLength);
    }

    boolean hasValue() {
        return valueLength >= 0;
    }

    /** Writes the record as it was read. */
    void writeTo(ByteArrayOutputStream out) {
        Varint.write(body.length, out);
        out.write(body, 0, body.length);
    }

    /**
     * Writes the record with other deltas: its batch got another base timestamp (a delete horizon), or its offset
     * delta had to be renumbered.
     */
    void writeTo(ByteArrayOutputStream out, long newTimestampDelta, int newOffsetDelta) {
        if (newTimestampDelta == timestampDelta && newOffsetDelta == offsetDelta) {
            writeTo(out);
            return;
        }
        int tail = body.length - tailStart;
        int length = 1 + Varint.sizeOf(newTimestampDelta) + Varint.sizeOf(newOffsetDelta) + tail;
        Varint.write(length, out);
        out.write(body[0]);
        Varint.write(newTimestampDelta, out);
        Varint.write(newOffsetDelta, out);
        out.write(body, tailStart, tail);
    }
}
