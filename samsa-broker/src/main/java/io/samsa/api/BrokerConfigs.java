package io.samsa.api;

import java.util.Map;
import java.util.Set;

/**
 * The broker's own configuration as DescribeConfigs shows it.
 *
 * @param values every broker config key the broker knows → its value
 * @param explicit the keys the operator set (file or flags); the others are defaults
 * @param sensitive the keys whose values are secrets (passwords, private keys, JAAS configs): described with no
 *     value and marked sensitive, as Kafka does
 */
public record BrokerConfigs(Map<String, String> values, Set<String> explicit, Set<String> sensitive) {

    public BrokerConfigs {
        values = Map.copyOf(values);
        explicit = Set.copyOf(explicit);
        sensitive = Set.copyOf(sensitive);
    }
}
