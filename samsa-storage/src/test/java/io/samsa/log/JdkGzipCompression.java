package io.samsa.log;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** A {@link BatchCompression} with the JDK's gzip only, for storage tests (the broker supplies all of Kafka's). */
final class JdkGzipCompression implements BatchCompression {

    static final JdkGzipCompression INSTANCE = new JdkGzipCompression();

    @Override
    public InputStream decompress(CompressionCodec codec, ByteBuffer compressed) throws IOException {
        requireGzip(codec);
        byte[] bytes = new byte[compressed.remaining()];
        compressed.duplicate().get(bytes);
        return new GZIPInputStream(new ByteArrayInputStream(bytes));
    }

    @Override
    public ByteBuffer compress(CompressionCodec codec, int level, ByteBuffer records) {
        requireGzip(codec);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            byte[] bytes = new byte[records.remaining()];
            records.duplicate().get(bytes);
            gzip.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ByteBuffer.wrap(out.toByteArray());
    }

    private static void requireGzip(CompressionCodec codec) {
        if (codec != CompressionCodec.GZIP) {
            throw new UnsupportedOperationException("only gzip in storage tests, not " + codec);
        }
    }
}
