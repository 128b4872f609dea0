package io.samsa.metadata;

import io.samsa.log.BatchCompression;
import io.samsa.log.CompressionCodec;
import io.samsa.log.LogConfig;
import io.samsa.log.TargetCompression;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The value every topic config takes when the topic does not override it: the broker's setting of the matching key
 * (e.g. {@code log.retention.ms} for {@code retention.ms}) or else Kafka's default. Immutable.
 *
 * @param values topic config name → default value, for every key of {@link TopicConfigs}
 * @param fromBroker the names whose default comes from the broker's configuration rather than Kafka's default
 */
public record TopicDefaults(Map<String, String> values, Set<String> fromBroker) {

    public TopicDefaults {
        values = Map.copyOf(values);
        fromBroker = Set.copyOf(fromBroker);
    }

    /** Defaults from broker settings keyed by broker key (only keys the operator set). */
    public static TopicDefaults fromBrokerSettings(Map<String, String> brokerSettings) {
        Map<String, String> values = new LinkedHashMap<>();
        java.util.Set<String> fromBroker = new java.util.HashSet<>();
        for (TopicConfigs.Key key : TopicConfigs.keys().values()) {
            String brokerValue = key.brokerKey() == null ? null : brokerSettings.get(key.brokerKey());
            if (brokerValue != null) {
                values.put(key.name(), brokerValue);
                fromBroker.add(key.name());
            } else {
                values.put(key.name(), key.defaultValue());
            }
        }
        return new TopicDefaults(values, fromBroker);
    }

    /** Every topic config's effective value given a topic's overrides. */
    public Map<String, String> effective(Map<String, String> overrides) {
        Map<String, String> result = new LinkedHashMap<>(values);
        result.putAll(overrides);
        return result;
    }

    /** The log settings of a topic with these overrides. */
    public LogConfig logConfig(Map<String, String> overrides) {
        Map<String, String> e = effective(overrides);
        return new LogConfig(
                Integer.parseInt(e.get(TopicConfigs.SEGMENT_BYTES)),
                Long.parseLong(e.get(TopicConfigs.SEGMENT_MS)),
                Long.parseLong(e.get(TopicConfigs.RETENTION_MS)),
                Long.parseLong(e.get(TopicConfigs.RETENTION_BYTES)),
                Long.parseLong(e.get(TopicConfigs.FLUSH_MESSAGES)),
                Long.parseLong(e.get(TopicConfigs.FLUSH_MS)),
                Integer.parseInt(e.get(TopicConfigs.MAX_MESSAGE_BYTES)),
                Integer.parseInt(e.get(TopicConfigs.INDEX_INTERVAL_BYTES)),
                Integer.parseInt(e.get(TopicConfigs.SEGMENT_INDEX_BYTES)),
                "LogAppendTime".equals(e.get(TopicConfigs.MESSAGE_TIMESTAMP_TYPE)),
                Long.parseLong(e.get(TopicConfigs.FILE_DELETE_DELAY_MS)),
                cleanupPolicy(e).contains("compact"),
                cleanupPolicy(e).contains("delete"),
                Double.parseDouble(e.get(TopicConfigs.MIN_CLEANABLE_DIRTY_RATIO)),
                Long.parseLong(e.get(TopicConfigs.MIN_COMPACTION_LAG_MS)),
                Long.parseLong(e.get(TopicConfigs.MAX_COMPACTION_LAG_MS)),
                Long.parseLong(e.get(TopicConfigs.DELETE_RETENTION_MS)),
                compression(e));
    }

    private static List<String> cleanupPolicy(Map<String, String> effective) {
        return List.of(effective.get(TopicConfigs.CLEANUP_POLICY).trim().split("\\s*,\\s*"));
    }

    /** compression.type with the level its codec is configured with. */
    private static TargetCompression compression(Map<String, String> effective) {
        return switch (effective.get(TopicConfigs.COMPRESSION_TYPE).trim()) {
            case "producer" -> TargetCompression.PRODUCER;
            case "uncompressed" -> new TargetCompression(CompressionCodec.NONE, BatchCompression.DEFAULT_LEVEL);
            case "gzip" -> new TargetCompression(CompressionCodec.GZIP,
                    Integer.parseInt(effective.get(TopicConfigs.COMPRESSION_GZIP_LEVEL)));
            case "snappy" -> new TargetCompression(CompressionCodec.SNAPPY, BatchCompression.DEFAULT_LEVEL);
            case "lz4" -> new TargetCompression(CompressionCodec.LZ4,
                    Integer.parseInt(effective.get(TopicConfigs.COMPRESSION_LZ4_LEVEL)));
            case "zstd" -> new TargetCompression(CompressionCodec.ZSTD,
                    Integer.parseInt(effective.get(TopicConfigs.COMPRESSION_ZSTD_LEVEL)));
            default -> throw new IllegalArgumentException("compression.type "
                    + effective.get(TopicConfigs.COMPRESSION_TYPE) + " passed validation");
        };
    }

    public int minInsyncReplicas(Map<String, String> overrides) {
        return Integer.parseInt(effective(overrides).get(TopicConfigs.MIN_INSYNC_REPLICAS));
    }
}
