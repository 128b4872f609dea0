package io.samsa.log;

/**
 * A topic's {@code compression.type} with the level of its codec: the codec the broker stores batches in.
 *
 * @param codec the codec to store in, or null for {@code producer} (keep the producer's codec)
 * @param level the codec's level ({@code compression.gzip.level}, ...), or {@link BatchCompression#DEFAULT_LEVEL}
 */
public record TargetCompression(CompressionCodec codec, int level) {

    /** {@code compression.type=producer}: batches are stored with the codec the producer chose. */
    public static final TargetCompression PRODUCER = new TargetCompression(null, BatchCompression.DEFAULT_LEVEL);

    /** The codec a batch compressed with {@code source} is stored with. */
    public CompressionCodec codecFor(CompressionCodec source) {
        return codec == null ? source : codec;
    }
}
