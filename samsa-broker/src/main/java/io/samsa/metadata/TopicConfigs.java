package io.samsa.metadata;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The topic-level configs Samsa knows, under Kafka's names, with their types, ranges, Kafka defaults and the broker
 * key that supplies the default for every topic (e.g. {@code retention.ms} ← {@code log.retention.ms}).
 * Thread-safe (immutable).
 */
public final class TopicConfigs {

    /** How a value is parsed and checked. */
    public enum Type {
        INT,
        LONG,
        DOUBLE,
        BOOLEAN,
        STRING,
        LIST
    }

    /**
     * One topic config.
     *
     * @param name the topic config name
     * @param type its type
     * @param defaultValue Kafka's default when neither the topic nor the broker sets it
     * @param brokerKey the broker config that sets the default for all topics, or null
     * @param min smallest numeric value allowed
     * @param max largest numeric value allowed
     * @param allowed the allowed values of a STRING or the allowed items of a LIST, empty when any
     */
    public record Key(String name, Type type, String defaultValue, String brokerKey, double min, double max,
            Set<String> allowed) {}

    public static final String CLEANUP_POLICY = "cleanup.policy";
    public static final String COMPRESSION_TYPE = "compression.type";
    public static final String SEGMENT_BYTES = "segment.bytes";
    public static final String SEGMENT_MS = "segment.ms";
    public static final String RETENTION_MS = "retention.ms";
    public static final String RETENTION_BYTES = "retention.bytes";
    public static final String FLUSH_MESSAGES = "flush.messages";
    public static final String FLUSH_MS = "flush.ms";
    public static final String MAX_MESSAGE_BYTES = "max.message.bytes";
    public static final String INDEX_INTERVAL_BYTES = "index.interval.bytes";
    public static final String SEGMENT_INDEX_BYTES = "segment.index.bytes";
    public static final String MESSAGE_TIMESTAMP_TYPE = "message.timestamp.type";
    public static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";
    public static final String FILE_DELETE_DELAY_MS = "file.delete.delay.ms";
    public static final String COMPRESSION_GZIP_LEVEL = "compression.gzip.level";
    public static final String COMPRESSION_LZ4_LEVEL = "compression.lz4.level";
    public static final String COMPRESSION_ZSTD_LEVEL = "compression.zstd.level";
    public static final String DELETE_RETENTION_MS = "delete.retention.ms";
    public static final String MAX_COMPACTION_LAG_MS = "max.compaction.lag.ms";
    public static final String MIN_CLEANABLE_DIRTY_RATIO = "min.cleanable.dirty.ratio";
    public static final String MIN_COMPACTION_LAG_MS = "min.compaction.lag.ms";

    private static final double INT_MAX = Integer.MAX_VALUE;
    private static final double LONG_MAX = Long.MAX_VALUE;

    private static final Map<String, Key> KEYS = new LinkedHashMap<>();

    static {
        add(CLEANUP_POLICY, Type.LIST, "delete", "log.cleanup.policy", 0, 0, Set.of("delete", "compact"));
        add(COMPRESSION_GZIP_LEVEL, Type.INT, "-1", COMPRESSION_GZIP_LEVEL, -1, 9, Set.of());
        add(COMPRESSION_LZ4_LEVEL, Type.INT, "9", COMPRESSION_LZ4_LEVEL, 1, 17, Set.of());
        add(COMPRESSION_TYPE, Type.STRING, "producer", "compression.type", 0, 0,
                Set.of("producer", "uncompressed", "gzip", "snappy", "lz4", "zstd"));
        add(COMPRESSION_ZSTD_LEVEL, Type.INT, "3", COMPRESSION_ZSTD_LEVEL, -131072, 22, Set.of());
        add(DELETE_RETENTION_MS, Type.LONG, "86400000", "log.cleaner.delete.retention.ms", 0, LONG_MAX, Set.of());
        add(FILE_DELETE_DELAY_MS, Type.LONG, "60000", "log.segment.delete.delay.ms", 0, LONG_MAX, Set.of());
        add(FLUSH_MESSAGES, Type.LONG, String.valueOf(Long.MAX_VALUE), "log.flush.interval.messages", 1, LONG_MAX,
                Set.of());
        add(FLUSH_MS, Type.LONG, String.valueOf(Long.MAX_VALUE), "log.flush.interval.ms", 0, LONG_MAX, Set.of());
        add(INDEX_INTERVAL_BYTES, Type.INT, "4096", "log.index.interval.bytes", 0, INT_MAX, Set.of());
        add(MAX_MESSAGE_BYTES, Type.INT, "1048588", "message.max.bytes", 0, INT_MAX, Set.of());
        add(MAX_COMPACTION_LAG_MS, Type.LONG, String.valueOf(Long.MAX_VALUE), "log.cleaner.max.compaction.lag.ms", 1,
                LONG_MAX, Set.of());
        add("message.timestamp.after.max.ms", Type.LONG, "3600000", "log.message.timestamp.after.max.ms", 0, LONG_MAX,
                Set.of());
        add("message.timestamp.before.max.ms", Type.LONG, String.valueOf(Long.MAX_VALUE),
                "log.message.timestamp.before.max.ms", 0, LONG_MAX, Set.of());
        add(MESSAGE_TIMESTAMP_TYPE, Type.STRING, "CreateTime", "log.message.timestamp.type", 0, 0,
                Set.of("CreateTime", "LogAppendTime"));
        add(MIN_CLEANABLE_DIRTY_RATIO, Type.DOUBLE, "0.5", "log.cleaner.min.cleanable.ratio", 0, 1, Set.of());
        add(MIN_COMPACTION_LAG_MS, Type.LONG, "0", "log.cleaner.min.compaction.lag.ms", 0, LONG_MAX, Set.of());
        add(MIN_INSYNC_REPLICAS, Type.INT, "1", "min.insync.replicas", 1, INT_MAX, Set.of());
        add("preallocate", Type.BOOLEAN, "false", "log.preallocate", 0, 0, Set.of());
        add(RETENTION_BYTES, Type.LONG, "-1", "log.retention.bytes", -1, LONG_MAX, Set.of());
        add(RETENTION_MS, Type.LONG, "604800000", "log.retention.ms", -1, LONG_MAX, Set.of());
        add(SEGMENT_BYTES, Type.INT, "1073741824", "log.segment.bytes", 14, INT_MAX, Set.of());
        add(SEGMENT_INDEX_BYTES, Type.INT, "10485760", "log.index.size.max.bytes", 4, INT_MAX, Set.of());
        add("segment.jitter.ms", Type.LONG, "0", "log.roll.jitter.ms", 0, LONG_MAX, Set.of());
        add(SEGMENT_MS, Type.LONG, "604800000", "log.roll.ms", 1, LONG_MAX, Set.of());
        add("unclean.leader.election.enable", Type.BOOLEAN, "false", "unclean.leader.election.enable", 0, 0,
                Set.of());
    }

    private TopicConfigs() {}

    private static void add(String name, Type type, String defaultValue, String brokerKey, double min, double max,
            Set<String> allowed) {
        KEYS.put(name, new Key(name, type, defaultValue, brokerKey, min, max, allowed));
    }

    /** Every known topic config, in name order as Kafka lists them. */
    public static Map<String, Key> keys() {
        return KEYS;
    }

    public static Key key(String name) {
        return KEYS.get(name);
    }

    /**
     * Checks one value.
     *
     * @return null when valid, else a message that names the key and what is allowed
     */
    public static String validate(String name, String value) {
        Key key = KEYS.get(name);
        if (key == null) {
            return "Unknown topic config name: " + name;
        }
        if (value == null) {
            return "Null value not supported for topic config " + name;
        }
        String v = value.trim();
        try {
            switch (key.type()) {
                case INT, LONG -> {
                    long parsed = Long.parseLong(v);
                    if (key.type() == Type.INT && (parsed < Integer.MIN_VALUE || parsed > Integer.MAX_VALUE)) {
                        throw new NumberFormatException();
                    }
                    if (parsed < key.min() || parsed > key.max()) {
                        return range(key, value);
                    }
                    if (name.equals(COMPRESSION_GZIP_LEVEL) && parsed == 0) {
                        return "Invalid value " + value + " for configuration " + name + ": Value must be -1 or in"
                                + " 1..9";
                    }
                }
                case DOUBLE -> {
                    double parsed = Double.parseDouble(v);
                    if (parsed < key.min() || parsed > key.max()) {
                        return range(key, value);
                    }
                }
                case BOOLEAN -> {
                    if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
                        return "Invalid value " + value + " for configuration " + name + ": Expected value to be"
                                + " either true or false";
                    }
                }
                case STRING -> {
                    if (!key.allowed().isEmpty() && !key.allowed().contains(v)) {
                        return "Invalid value " + value + " for configuration " + name + ": String must be one of: "
                                + String.join(", ", key.allowed().stream().sorted().toList());
                    }
                }
                case LIST -> {
                    List<String> items = List.of(v.split("\\s*,\\s*"));
                    for (String item : items) {
                        if (!key.allowed().contains(item)) {
                            return "Invalid value " + value + " for configuration " + name + ": items must be in: "
                                    + String.join(", ", key.allowed().stream().sorted().toList());
                        }
                    }
                }
            }
        } catch (NumberFormatException e) {
            return "Invalid value " + value + " for configuration " + name + ": Not a number of type " + key.type();
        }
        return null;
    }

    private static String range(Key key, String value) {
        String min = key.min() == (long) key.min() ? String.valueOf((long) key.min()) : String.valueOf(key.min());
        return "Invalid value " + value + " for configuration " + key.name() + ": Value must be at least " + min
                + (key.max() < LONG_MAX && key.max() != INT_MAX ? " and at most " + key.max() : "");
    }
}
