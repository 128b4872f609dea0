package io.samsa.protocol;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * The APIs and version ranges this broker serves: what ApiVersions advertises and what the decoder accepts. Built
 * from the registered handlers, never from the kafka-clients jar's own ranges. Immutable.
 */
public final class SupportedApis {

    /** An inclusive version range. */
    public record Range(short min, short max) {}

    private final Map<ApiKeys, Range> ranges;

    public SupportedApis(Map<ApiKeys, Range> ranges) {
        this.ranges = Collections.unmodifiableMap(new EnumMap<>(ranges));
    }

    public boolean isSupported(ApiKeys apiKey, short version) {
        Range range = ranges.get(apiKey);
        return range != null && version >= range.min() && version <= range.max();
    }

    public Map<ApiKeys, Range> ranges() {
        return ranges;
    }
}
