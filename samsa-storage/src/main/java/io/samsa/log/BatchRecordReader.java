package io.samsa.log;

import io.samsa.log.internal.Varint;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * Reads the records of one v2 batch, decompressing through {@link BatchCompression} when the batch is compressed,
 * and checks them as Kafka does when it iterates a batch: every record well formed and exactly
 * {@code recordsCount} of them, nothing after the last one.
 *
 * <p>Errors follow Kafka's: a malformed record, a premature end or bytes left over are INVALID_RECORD (Kafka's
 * InvalidRecordException). A records section the codec cannot decompress is CORRUPT_MESSAGE: a deliberate
 * difference, since Kafka lets that failure surface as UNKNOWN_SERVER_ERROR.
 *
 * <p>Not thread-safe; one reader per batch.
 */
final class BatchRecordReader implements AutoCloseable {

    private final InputStream in;
    private final RecordBatchView batch;
    private final int count;
    private int read;

    private BatchRecordReader(InputStream in, RecordBatchView batch) {
        this.in = in;
        this.batch = batch;
        this.count = batch.recordsCount();
    }

    /** A reader of {@code batch}'s records; the batch's bytes must stay unchanged while it is read. */
    static BatchRecordReader open(RecordBatchView batch, BatchCompression codecs) {
        ByteBuffer section = batch.recordsSection();
        if (!batch.isCompressed()) {
            return new BatchRecordReader(streamOf(section), batch);
        }
        CompressionCodec codec = CompressionCodec.forId(batch.compressionCodec());
        try {
            return new BatchRecordReader(codecs.decompress(codec, section), batch);
        } catch (IOException e) {
            throw undecompressable(batch, codec, e);
        }
    }

    private static InputStream streamOf(ByteBuffer bytes) {
        if (bytes.hasArray()) {
            return new ByteArrayInputStream(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
        }
        byte[] copy = new byte[bytes.remaining()];
        bytes.duplicate().get(copy);
        return new ByteArrayInputStream(copy);
    }

    /**
     * The next record, or null after the last one (at which point the records section must be exhausted).
     *
     * @throws StorageException INVALID_RECORD or CORRUPT_MESSAGE, see the class comment
     */
    BatchRecord next() {
        try {
            if (read == count) {
                if (in.read() != -1) {
                    throw invalid("Incorrect declared batch size, records still remaining");
                }
                return null;
            }
            long length = readVarint();
            if (length < 0 || length > Integer.MAX_VALUE) {
                throw invalid("Invalid record size " + length + " of record " + read);
            }
            byte[] body = in.readNBytes((int) length);
            if (body.length < length) {
                throw new EOFException();
            }
            read++;
            return parse(body);
        } catch (EOFException e) {
            throw invalid("Incorrect declared batch size, premature EOF reached after " + read + " of " + count
                    + " records");
        } catch (IOException | RuntimeException e) {
            if (e instanceof StorageException s) {
                throw s;
            }
            throw undecompressable(batch, CompressionCodec.forId(batch.compressionCodec()), e);
        }
    }

    /** Kafka's record layout: attributes, timestampDelta, offsetDelta, key, value, headers. */
    private BatchRecord parse(byte[] body) {
        int[] cursor = {1};
        long timestampDelta = readVarint(body, cursor);
        long offsetDelta = readVarint(body, cursor);
        if (offsetDelta < Integer.MIN_VALUE || offsetDelta > Integer.MAX_VALUE) {
            throw invalid("Invalid offset delta " + offsetDelta);
        }
        int tailStart = cursor[0];
        int keyLength = readLength(body, cursor, "key");
        int keyStart = cursor[0];
        skip(body, cursor, keyLength);
        int valueLength = readLength(body, cursor, "value");
        skip(body, cursor, valueLength);
        long headers = readVarint(body, cursor);
        if (headers < 0) {
            throw invalid("Found invalid number of record headers " + headers);
        }
        for (long i = 0; i < headers; i++) {
            int headerKey = readLength(body, cursor, "header key");
            if (headerKey < 0) {
                throw invalid("Invalid negative header key size " + headerKey);
            }
            skip(body, cursor, headerKey);
            skip(body, cursor, readLength(body, cursor, "header value"));
        }
        if (cursor[0] != body.length) {
            throw invalid("Invalid record size: expected to read " + body.length + " bytes in record payload, but"
                    + " instead read " + cursor[0]);
        }
        return new BatchRecord(body, timestampDelta, (int) offsetDelta, tailStart, keyStart, keyLength, valueLength);
    }

    private int readLength(byte[] body, int[] cursor, String what) {
        long length = readVarint(body, cursor);
        if (length < -1 || length > body.length - cursor[0]) {
            throw invalid("Invalid " + what + " size " + length);
        }
        return (int) length;
    }

    private static void skip(byte[] body, int[] cursor, int length) {
        cursor[0] += Math.max(length, 0);
    }

    private long readVarint(byte[] body, int[] cursor) {
        long raw = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (cursor[0] >= body.length) {
                throw invalid("Record runs past its declared size");
            }
            byte b = body[cursor[0]++];
            raw |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return Varint.unzigzag(raw);
            }
        }
        throw invalid("Varint longer than 10 bytes");
    }

    private long readVarint() throws IOException {
        long raw = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException();
            }
            raw |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return Varint.unzigzag(raw);
            }
        }
        throw invalid("Varint longer than 10 bytes");
    }

    private StorageException invalid(String message) {
        return new StorageException(StorageException.Kind.INVALID_RECORD, message + " in the batch at offset "
                + batch.baseOffset());
    }

    private static StorageException undecompressable(RecordBatchView batch, CompressionCodec codec, Exception e) {
        return new StorageException(StorageException.Kind.CORRUPT_MESSAGE, "The " + codec.configName()
                + " records of the batch at offset " + batch.baseOffset() + " cannot be decompressed: " + e, e);
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            // Nothing was written; a failure to release the codec's buffers loses nothing.
        }
    }
}
