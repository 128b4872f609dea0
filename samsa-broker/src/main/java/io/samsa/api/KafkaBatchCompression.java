package io.samsa.api;

import io.samsa.log.BatchCompression;
import io.samsa.log.CompressionCodec;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.utils.BufferSupplier;
import org.apache.kafka.common.utils.ByteBufferOutputStream;

/**
 * Storage's codec seam backed by kafka-clients' own codecs (gzip, snappy, lz4, zstd), so that what the broker
 * decompresses and writes is byte-compatible with every Kafka client. Levels are those of compression.gzip.level,
 * compression.lz4.level and compression.zstd.level; snappy has none.
 *
 * <p>Thread-safe: each thread decompresses with its own reusable buffers.
 */
public final class KafkaBatchCompression implements BatchCompression {

    private static final ThreadLocal<BufferSupplier> BUFFERS = ThreadLocal.withInitial(BufferSupplier::create);

    @Override
    public InputStream decompress(CompressionCodec codec, ByteBuffer compressed) throws IOException {
        try {
            return new IoFailures(compression(codec, DEFAULT_LEVEL)
                    .wrapForInput(compressed.duplicate(), RecordBatch.MAGIC_VALUE_V2, BUFFERS.get()));
        } catch (RuntimeException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public ByteBuffer compress(CompressionCodec codec, int level, ByteBuffer records) {
        ByteBufferOutputStream out = new ByteBufferOutputStream(Math.max(512, records.remaining() / 2));
        try (OutputStream compressing = compression(codec, level).wrapForOutput(out, RecordBatch.MAGIC_VALUE_V2)) {
            if (records.hasArray()) {
                compressing.write(records.array(), records.arrayOffset() + records.position(), records.remaining());
            } else {
                byte[] copy = new byte[records.remaining()];
                records.duplicate().get(copy);
                compressing.write(copy);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("compressing in memory failed", e);
        }
        return out.buffer().flip();
    }

    private static Compression compression(CompressionCodec codec, int level) {
        boolean defaultLevel = level == DEFAULT_LEVEL;
        return switch (codec) {
            case NONE -> Compression.NONE;
            case GZIP -> defaultLevel ? Compression.gzip().build() : Compression.gzip().level(level).build();
            case SNAPPY -> Compression.snappy().build();
            case LZ4 -> defaultLevel ? Compression.lz4().build() : Compression.lz4().level(level).build();
            case ZSTD -> defaultLevel ? Compression.zstd().build() : Compression.zstd().level(level).build();
        };
    }

    /**
     * Kafka's decompressing streams report some bad input with unchecked exceptions (KafkaException, the codec
     * libraries' own); storage expects an IOException for every bad records section.
     */
    private static final class IoFailures extends FilterInputStream {

        IoFailures(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (RuntimeException e) {
                throw new IOException(e.getMessage(), e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (RuntimeException e) {
                throw new IOException(e.getMessage(), e);
            }
        }
    }
}
