package io.samsa.api;

import java.util.Map;
import java.util.Set;

/**
 * The broker's own configuration as DescribeConfigs shows it.
 *
 * @param values every broker config key the broker knows → its value (passwords masked by the caller)
 * @param explicit the keys the operator set (file or flags); the others are defaults
 */
public record BrokerConfigs(Map<String, String> values, Set<String> explicit) {

    public BrokerConfigs {
        values = Map.copyOf(values);
        explicit = Set.copyOf(explicit);
    }
}
