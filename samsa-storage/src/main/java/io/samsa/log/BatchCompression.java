package io.samsa.log;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * The seam through which storage compresses and decompresses the records section of a batch. Storage has no codec of
 * its own (it does not depend on kafka-clients); the broker supplies one backed by kafka-clients' codecs, so that the
 * bytes are exactly what Kafka's clients write and read.
 *
 * <p>Implementations must be thread-safe: appends and cleaner threads call them concurrently.
 */
public interface BatchCompression {

    /** Level argument meaning the codec's default level. */
    int DEFAULT_LEVEL = Integer.MIN_VALUE;

    /**
     * A stream of the decompressed records section of a batch.
     *
     * @param compressed the bytes after the 61-byte batch header, position to limit (not modified)
     * @throws IOException when the bytes are not a valid stream of that codec
     */
    InputStream decompress(CompressionCodec codec, ByteBuffer compressed) throws IOException;

    /**
     * Compresses a records section.
     *
     * @param level the codec's level, or {@link #DEFAULT_LEVEL}
     * @param records the uncompressed records, position to limit (not modified)
     * @return the compressed bytes, position 0 to limit
     */
    ByteBuffer compress(CompressionCodec codec, int level, ByteBuffer records);

    /** For logs that never meet a compressed batch: every compressed batch is refused with INVALID_RECORD. */
    BatchCompression UNAVAILABLE = new BatchCompression() {
        @Override
        public InputStream decompress(CompressionCodec codec, ByteBuffer compressed) {
            throw unavailable(codec);
        }

        @Override
        public ByteBuffer compress(CompressionCodec codec, int level, ByteBuffer records) {
            throw unavailable(codec);
        }

        private StorageException unavailable(CompressionCodec codec) {
            return new StorageException(StorageException.Kind.INVALID_RECORD,
                    "Compression codec " + codec.configName() + " is not available to this log");
        }
    };
}
