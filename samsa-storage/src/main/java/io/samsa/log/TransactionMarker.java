package io.samsa.log;

import java.nio.ByteBuffer;

/**
 * The end of a transaction as a control batch records it: its one record has the key {version int16, type int16}
 * (type 0 abort, 1 commit) and the value {version int16, coordinatorEpoch int32}, Kafka's EndTransactionMarker.
 *
 * @param commit true for a commit marker, false for an abort marker
 * @param coordinatorEpoch the epoch of the transaction coordinator that wrote it
 */
public record TransactionMarker(boolean commit, int coordinatorEpoch) {

    private static final short ABORT = 0;
    private static final short COMMIT = 1;

    /**
     * The marker a control batch holds.
     *
     * @param batch a whole, uncompressed control batch
     * @return the marker, or null when the batch has no record (the cleaner may empty a control batch)
     * @throws StorageException INVALID_RECORD when the record is not an end-of-transaction marker
     */
    public static TransactionMarker read(RecordBatchView batch) {
        if (batch.recordsCount() == 0) {
            return null;
        }
        ByteBuffer bytes = batch.slice();
        int[] cursor = {RecordBatchView.HEADER_SIZE};
        readVarint(bytes, cursor); // record length
        cursor[0]++; // attributes
        readVarint(bytes, cursor); // timestamp delta
        readVarint(bytes, cursor); // offset delta
        int keyLength = (int) readVarint(bytes, cursor);
        if (keyLength < 4) {
            throw invalid(batch, "a control record key of " + keyLength + " bytes");
        }
        short type = bytes.getShort(cursor[0] + 2);
        cursor[0] += keyLength;
        int valueLength = (int) readVarint(bytes, cursor);
        if ((type != ABORT && type != COMMIT) || valueLength < 6) {
            throw invalid(batch, "control record type " + type + " with a value of " + valueLength + " bytes");
        }
        return new TransactionMarker(type == COMMIT, bytes.getInt(cursor[0] + 2));
    }

    private static StorageException invalid(RecordBatchView batch, String what) {
        return new StorageException(StorageException.Kind.INVALID_RECORD, "The control batch at offset "
                + batch.baseOffset() + " is not a transaction marker: " + what);
    }

    /** A zig-zag varint of the record format, bounded by the batch. */
    private static long readVarint(ByteBuffer bytes, int[] cursor) {
        long raw = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (cursor[0] >= bytes.limit()) {
                throw new StorageException(StorageException.Kind.CORRUPT_MESSAGE, "Truncated control record");
            }
            byte b = bytes.get(cursor[0]++);
            raw |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        throw new StorageException(StorageException.Kind.CORRUPT_MESSAGE, "Varint longer than 10 bytes");
    }
}
