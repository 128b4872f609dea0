package io.samsa.log.internal;

import java.io.ByteArrayOutputStream;

/**
 * The zig-zag variable-length integers of Kafka's v2 records (protobuf's encoding): a varint for int32 fields, a
 * varlong for int64 ones. Stateless and thread-safe.
 */
public final class Varint {

    private Varint() {}

    /** The encoded size of {@code value} as a varlong (a varint is the same for int values). */
    public static int sizeOf(long value) {
        long v = (value << 1) ^ (value >> 63);
        int bytes = 1;
        while ((v & 0xffffffffffffff80L) != 0L) {
            bytes++;
            v >>>= 7;
        }
        return bytes;
    }

    /** Writes {@code value} as a varlong (for an int value this is its varint). */
    public static void write(long value, ByteArrayOutputStream out) {
        long v = (value << 1) ^ (value >> 63);
        while ((v & 0xffffffffffffff80L) != 0L) {
            out.write((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    /** Writes {@code value} as a varlong into {@code dst} at {@code index}; returns the index after it. */
    public static int write(long value, byte[] dst, int index) {
        long v = (value << 1) ^ (value >> 63);
        int i = index;
        while ((v & 0xffffffffffffff80L) != 0L) {
            dst[i++] = (byte) ((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        dst[i++] = (byte) v;
        return i;
    }

    /** Undoes the zig-zag step of a raw little-endian base-128 value. */
    public static long unzigzag(long raw) {
        return (raw >>> 1) ^ -(raw & 1);
    }
}
