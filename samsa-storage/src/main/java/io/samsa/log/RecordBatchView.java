package io.samsa.log;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A view of one Kafka v2 record batch inside a {@link ByteBuffer}, reading and patching header fields in place
 * without copying. All accesses are absolute, so the buffer's position and limit are never touched and several
 * views may share one buffer.
 *
 * <p>Layout (big-endian): baseOffset int64 @0, batchLength int32 @8 (bytes after this field), partitionLeaderEpoch
 * int32 @12, magic int8 @16, crc uint32 @17 (CRC-32C of bytes @21 to the end), attributes int16 @21,
 * lastOffsetDelta int32 @23, baseTimestamp int64 @27, maxTimestamp int64 @35, producerId int64 @43, producerEpoch
 * int16 @51, baseSequence int32 @53, recordsCount int32 @57, records from @61.
 *
 * <p>Deliberate difference from Kafka: validation checks structure, CRC and counts only. Records are never
 * decompressed or parsed on the append path (Kafka decompresses to validate each record), which keeps appends
 * cheap; the CRC still catches corruption in transit or on disk.
 *
 * <p>Not thread-safe when patched; concurrent reads of an unchanging buffer are safe.
 */
public final class RecordBatchView {

    /** Bytes before the batchLength-counted part: baseOffset and batchLength. */
    public static final int LOG_OVERHEAD = 12;
    /** Size of the v2 batch header; records start here. */
    public static final int HEADER_SIZE = 61;
    public static final byte MAGIC_V2 = 2;
    public static final long NO_PRODUCER_ID = -1L;
    public static final int NO_SEQUENCE = -1;
    public static final long NO_TIMESTAMP = -1L;

    static final int BASE_OFFSET = 0;
    static final int BATCH_LENGTH = 8;
    static final int PARTITION_LEADER_EPOCH = 12;
    static final int MAGIC = 16;
    static final int CRC = 17;
    static final int ATTRIBUTES = 21;
    static final int LAST_OFFSET_DELTA = 23;
    static final int BASE_TIMESTAMP = 27;
    static final int MAX_TIMESTAMP = 35;
    static final int PRODUCER_ID = 43;
    static final int PRODUCER_EPOCH = 51;
    static final int BASE_SEQUENCE = 53;
    static final int RECORDS_COUNT = 57;

    private static final int COMPRESSION_MASK = 0x07;
    private static final int LOG_APPEND_TIME_FLAG = 0x08;
    private static final int TRANSACTIONAL_FLAG = 0x10;
    private static final int CONTROL_FLAG = 0x20;
    /** KIP-534: the base timestamp holds the time after which the cleaner may drop the batch's tombstones. */
    static final int DELETE_HORIZON_FLAG = 0x40;

    private final ByteBuffer buffer;
    private final int start;

    private RecordBatchView(ByteBuffer buffer, int start) {
        this.buffer = buffer;
        this.start = start;
    }

    /**
     * A view of the batch starting at absolute index {@code position}; nothing is checked, so call
     * {@link #validate(int)} (or use {@link #validateAll}) before trusting it.
     */
    public static RecordBatchView at(ByteBuffer buffer, int position) {
        return new RecordBatchView(buffer, position);
    }

    /**
     * Splits {@code records} (from its position to its limit) into batches and validates every one, as a leader
     * must before writing any of them.
     *
     * @param maxBatchBytes max.message.bytes: a larger batch is RECORD_TOO_LARGE
     * @return the batches in order, at least one
     * @throws StorageException INVALID_RECORD for an empty buffer, a magic other than 2 or inconsistent counts;
     *     CORRUPT_MESSAGE for a truncated batch, a bad length or a CRC mismatch; RECORD_TOO_LARGE
     */
    public static List<RecordBatchView> validateAll(ByteBuffer records, int maxBatchBytes) {
        if (!records.hasRemaining()) {
            throw new StorageException(StorageException.Kind.INVALID_RECORD, "Produce request contains no records");
        }
        List<RecordBatchView> batches = new ArrayList<>();
        int position = records.position();
        while (position < records.limit()) {
            RecordBatchView batch = new RecordBatchView(records, position);
            batch.validate(records.limit() - position, maxBatchBytes);
            batches.add(batch);
            position += batch.sizeInBytes();
        }
        return batches;
    }

    /**
     * Checks this batch against what may follow it in the buffer: structure, magic, size limit, CRC and counts.
     *
     * @param maxBatchBytes the largest acceptable batch
     */
    public void validate(int maxBatchBytes) {
        validate(buffer.limit() - start, maxBatchBytes);
    }

    private void validate(int available, int maxBatchBytes) {
        if (available < MAGIC + 1) {
            throw corrupt("Truncated record batch header at byte " + start + ": " + available + " bytes left");
        }
        int length = batchLength();
        if (length < 0 || (long) length + LOG_OVERHEAD > available) {
            throw corrupt("Record batch at byte " + start + " declares length " + length + " but only "
                    + (available - LOG_OVERHEAD) + " bytes follow");
        }
        byte magic = magic();
        if (magic != MAGIC_V2) {
            throw new StorageException(
                    StorageException.Kind.INVALID_RECORD, "Record batch magic " + magic + " is not supported; only 2");
        }
        if (length + LOG_OVERHEAD < HEADER_SIZE) {
            throw corrupt("Record batch at byte " + start + " is shorter than its header: " + length);
        }
        if (sizeInBytes() > maxBatchBytes) {
            throw new StorageException(StorageException.Kind.RECORD_TOO_LARGE, "Record batch of "
                    + sizeInBytes() + " bytes is larger than max.message.bytes " + maxBatchBytes);
        }
        if (!isCrcValid()) {
            throw corrupt("Record batch at byte " + start + " has CRC " + Integer.toUnsignedString(crc())
                    + " but its content has " + Integer.toUnsignedString(computeCrc()));
        }
        int count = recordsCount();
        if (count < 1 || lastOffsetDelta() != count - 1) {
            throw new StorageException(StorageException.Kind.INVALID_RECORD, "Record batch has " + count
                    + " records but lastOffsetDelta " + lastOffsetDelta());
        }
    }

    private static StorageException corrupt(String message) {
        return new StorageException(StorageException.Kind.CORRUPT_MESSAGE, message);
    }

    /** Absolute index of the batch's first byte in the buffer. */
    public int position() {
        return start;
    }

    public long baseOffset() {
        return buffer.getLong(start + BASE_OFFSET);
    }

    public int batchLength() {
        return buffer.getInt(start + BATCH_LENGTH);
    }

    /** Total bytes of the batch, header included. */
    public int sizeInBytes() {
        return LOG_OVERHEAD + batchLength();
    }

    public int partitionLeaderEpoch() {
        return buffer.getInt(start + PARTITION_LEADER_EPOCH);
    }

    public byte magic() {
        return buffer.get(start + MAGIC);
    }

    /** The stored CRC as an int (compare unsigned). */
    public int crc() {
        return buffer.getInt(start + CRC);
    }

    /** CRC-32C over attributes to the end of the batch, as the stored CRC should be. */
    public int computeCrc() {
        CRC32C crc = new CRC32C();
        ByteBuffer covered = buffer.duplicate();
        covered.limit(start + sizeInBytes()).position(start + ATTRIBUTES);
        crc.update(covered);
        return (int) crc.getValue();
    }

    public boolean isCrcValid() {
        return crc() == computeCrc();
    }

    public short attributes() {
        return buffer.getShort(start + ATTRIBUTES);
    }

    /** 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd. */
    public int compressionCodec() {
        return attributes() & COMPRESSION_MASK;
    }

    public boolean isCompressed() {
        return compressionCodec() != 0;
    }

    public boolean isLogAppendTime() {
        return (attributes() & LOG_APPEND_TIME_FLAG) != 0;
    }

    public boolean isTransactional() {
        return (attributes() & TRANSACTIONAL_FLAG) != 0;
    }

    public boolean isControl() {
        return (attributes() & CONTROL_FLAG) != 0;
    }

    /** Whether a clean has set the batch's delete horizon, stored in place of its base timestamp. */
    public boolean hasDeleteHorizon() {
        return (attributes() & DELETE_HORIZON_FLAG) != 0;
    }

    public int lastOffsetDelta() {
        return buffer.getInt(start + LAST_OFFSET_DELTA);
    }

    public long lastOffset() {
        return baseOffset() + lastOffsetDelta();
    }

    /** The offset after this batch. */
    public long nextOffset() {
        return lastOffset() + 1;
    }

    public long baseTimestamp() {
        return buffer.getLong(start + BASE_TIMESTAMP);
    }

    public long maxTimestamp() {
        return buffer.getLong(start + MAX_TIMESTAMP);
    }

    public long producerId() {
        return buffer.getLong(start + PRODUCER_ID);
    }

    public boolean hasProducerId() {
        return producerId() >= 0;
    }

    public short producerEpoch() {
        return buffer.getShort(start + PRODUCER_EPOCH);
    }

    public int baseSequence() {
        return buffer.getInt(start + BASE_SEQUENCE);
    }

    /** The sequence of the last record, wrapping past Integer.MAX_VALUE to 0 as producers do. */
    public int lastSequence() {
        int base = baseSequence();
        if (base == NO_SEQUENCE) {
            return NO_SEQUENCE;
        }
        return incrementSequence(base, lastOffsetDelta());
    }

    /** {@code sequence + increment} in the producer's sequence space, which wraps to 0 after Integer.MAX_VALUE. */
    public static int incrementSequence(int sequence, int increment) {
        if (sequence > Integer.MAX_VALUE - increment) {
            return increment - (Integer.MAX_VALUE - sequence) - 1;
        }
        return sequence + increment;
    }

    public int recordsCount() {
        return buffer.getInt(start + RECORDS_COUNT);
    }

    /** Sets the base offset; not covered by the CRC. */
    public void setBaseOffset(long offset) {
        buffer.putLong(start + BASE_OFFSET, offset);
    }

    /** Sets the partition leader epoch; not covered by the CRC. */
    public void setPartitionLeaderEpoch(int epoch) {
        buffer.putInt(start + PARTITION_LEADER_EPOCH, epoch);
    }

    /**
     * Stamps the batch with the broker's time: sets the LogAppendTime attribute and maxTimestamp, then rewrites the
     * CRC because both fields are covered by it.
     */
    public void setLogAppendTime(long timestampMs) {
        buffer.putShort(start + ATTRIBUTES, (short) (attributes() | LOG_APPEND_TIME_FLAG));
        buffer.putLong(start + MAX_TIMESTAMP, timestampMs);
        buffer.putInt(start + CRC, computeCrc());
    }

    /** The bytes after the header (the records, compressed or not) as a buffer sharing content with this one. */
    public ByteBuffer recordsSection() {
        return buffer.slice(start + HEADER_SIZE, sizeInBytes() - HEADER_SIZE);
    }

    /** The batch's bytes as a new buffer sharing content with the underlying one. */
    public ByteBuffer slice() {
        return buffer.slice(start, sizeInBytes());
    }

    /** Receives the records of a batch in order; return false to stop. */
    @FunctionalInterface
    public interface RecordVisitor {
        boolean visit(long offset, long timestamp);
    }

    /**
     * Walks the records of an uncompressed batch, giving each record's offset and timestamp (for LogAppendTime
     * batches every record has the batch's maxTimestamp). Only the record prefix is parsed: length varint,
     * attributes int8, timestampDelta varlong, offsetDelta varint.
     *
     * @throws IllegalStateException for a compressed batch, whose records cannot be read without decompressing
     * @throws StorageException CORRUPT_MESSAGE when a record runs past the batch
     */
    public void forEachRecord(RecordVisitor visitor) {
        if (isCompressed()) {
            throw new IllegalStateException("Cannot walk the records of a compressed batch without decompressing");
        }
        int end = start + sizeInBytes();
        int[] cursor = {start + HEADER_SIZE};
        long baseOffset = baseOffset();
        long baseTimestamp = baseTimestamp();
        boolean logAppendTime = isLogAppendTime();
        long maxTimestamp = maxTimestamp();
        int count = recordsCount();
        for (int i = 0; i < count; i++) {
            int length = (int) readVarlong(cursor, end);
            int recordEnd = cursor[0] + length;
            if (length < 0 || recordEnd > end) {
                throw corrupt("Record " + i + " of the batch at offset " + baseOffset + " runs past the batch");
            }
            cursor[0]++; // attributes
            long timestampDelta = readVarlong(cursor, recordEnd);
            long offsetDelta = readVarlong(cursor, recordEnd);
            long timestamp = logAppendTime ? maxTimestamp : baseTimestamp + timestampDelta;
            if (!visitor.visit(baseOffset + offsetDelta, timestamp)) {
                return;
            }
            cursor[0] = recordEnd;
        }
    }

    /** Reads a zig-zag varint/varlong at cursor[0], advancing it; fails rather than reading past {@code end}. */
    private long readVarlong(int[] cursor, int end) {
        long raw = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (cursor[0] >= end) {
                throw corrupt("Truncated varint in the batch at offset " + baseOffset());
            }
            byte b = buffer.get(cursor[0]++);
            raw |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        throw corrupt("Varint longer than 10 bytes in the batch at offset " + baseOffset());
    }

    @Override
    public String toString() {
        return "RecordBatch(baseOffset=" + baseOffset() + ", lastOffset=" + lastOffset() + ", size="
                + sizeInBytes() + ", producerId=" + producerId() + ", baseSequence=" + baseSequence() + ")";
    }
}
