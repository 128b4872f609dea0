package io.samsa.log;

/**
 * The compression codecs of Kafka's record batches, by the id stored in the low three bits of a batch's attributes
 * and by the name used in {@code compression.type}.
 */
public enum CompressionCodec {
    NONE(0, "none"),
    GZIP(1, "gzip"),
    SNAPPY(2, "snappy"),
    LZ4(3, "lz4"),
    ZSTD(4, "zstd");

    private final int id;
    private final String configName;

    CompressionCodec(int id, String configName) {
        this.id = id;
        this.configName = configName;
    }

    public int id() {
        return id;
    }

    /** The name in {@code compression.type} ({@code none} is spelled {@code uncompressed} there). */
    public String configName() {
        return configName;
    }

    /**
     * The codec of a batch's attributes.
     *
     * @throws StorageException INVALID_RECORD for the ids 5 to 7, which no codec uses
     */
    public static CompressionCodec forId(int id) {
        for (CompressionCodec codec : values()) {
            if (codec.id == id) {
                return codec;
            }
        }
        throw new StorageException(StorageException.Kind.INVALID_RECORD, "Unknown compression codec id " + id);
    }
}
