package io.samsa.api;

import io.samsa.metadata.TopicDefaults;
import java.util.Map;
import org.apache.kafka.common.requests.DescribeConfigsResponse;

/** Where a config value comes from, in the terms of DescribeConfigs and CreateTopics. Thread-safe (stateless). */
final class ConfigSources {

    private ConfigSources() {}

    static byte topicSource(String name, Map<String, String> overrides, TopicDefaults defaults) {
        DescribeConfigsResponse.ConfigSource source;
        if (overrides.containsKey(name)) {
            source = DescribeConfigsResponse.ConfigSource.TOPIC_CONFIG;
        } else if (defaults.fromBroker().contains(name)) {
            source = DescribeConfigsResponse.ConfigSource.STATIC_BROKER_CONFIG;
        } else {
            source = DescribeConfigsResponse.ConfigSource.DEFAULT_CONFIG;
        }
        return source.id();
    }
}
