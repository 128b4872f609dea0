package io.samsa.api;

import io.samsa.metadata.ConfigResource;
import io.samsa.metadata.MetadataController;
import io.samsa.metadata.MetadataImage;
import io.samsa.metadata.TopicConfigs;
import io.samsa.metadata.TopicDefaults;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import io.samsa.security.Acl;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsSynonym;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;

/**
 * DescribeConfigs for topics (every topic config with its effective value, source and, on request, synonyms) and for
 * this broker. Each resource needs DESCRIBE_CONFIGS: a denied one gets the resource type's authorization error (TOPIC_,
 * GROUP_ or CLUSTER_AUTHORIZATION_FAILED, with Kafka's message and no configs), the others are described.
 */
final class DescribeConfigsHandler implements ApiHandler {

    static final byte TOPIC = 2;
    static final byte BROKER = 4;

    private final MetadataController metadata;
    private final TopicDefaults defaults;
    private final BrokerConfigs broker;
    private final BrokerIdentity identity;
    private final Access access;

    DescribeConfigsHandler(MetadataController metadata, TopicDefaults defaults, BrokerConfigs broker,
            BrokerIdentity identity, Access access) {
        this.metadata = metadata;
        this.defaults = defaults;
        this.broker = broker;
        this.identity = identity;
        this.access = access;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        DescribeConfigsRequestData data = (DescribeConfigsRequestData) request.body();
        DescribeConfigsResponseData response = new DescribeConfigsResponseData();
        MetadataImage image = metadata.image();
        for (DescribeConfigsRequestData.DescribeConfigsResource resource : data.resources()) {
            DescribeConfigsResult result = new DescribeConfigsResult().setResourceType(resource.resourceType())
                    .setResourceName(resource.resourceName()).setErrorCode(Errors.NONE.code());
            Errors denied = access.configDenial(request, connection, Acl.Operation.DESCRIBE_CONFIGS,
                    resource.resourceType(), resource.resourceName());
            if (denied != null) {
                result.setErrorCode(denied.code()).setErrorMessage(denied.message());
            } else if (resource.resourceType() == TOPIC) {
                if (image.topic(resource.resourceName()) == null) {
                    result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
                            .setErrorMessage("Topic " + resource.resourceName() + " does not exist.");
                } else {
                    describeTopic(image, resource, data.includeSynonyms(), result);
                }
            } else if (resource.resourceType() == BROKER) {
                if (!resource.resourceName().isEmpty()
                        && !resource.resourceName().equals(String.valueOf(identity.brokerId()))) {
                    result.setErrorCode(Errors.INVALID_REQUEST.code())
                            .setErrorMessage("Unexpected broker id, expected " + identity.brokerId() + " or empty"
                                    + " string, but received " + resource.resourceName());
                } else {
                    describeBroker(resource, data.includeSynonyms(), result);
                }
            } else {
                result.setErrorCode(Errors.INVALID_REQUEST.code())
                        .setErrorMessage("Unsupported resource type " + resource.resourceType());
            }
            response.results().add(result);
        }
        return CompletableFuture.completedFuture(response);
    }

    private void describeTopic(MetadataImage image, DescribeConfigsRequestData.DescribeConfigsResource resource,
            boolean synonyms, DescribeConfigsResult result) {
        Map<String, String> overrides = image.configs(new ConfigResource(ConfigResource.Type.TOPIC,
                resource.resourceName()));
        Map<String, String> effective = new TreeMap<>(defaults.effective(overrides));
        for (Map.Entry<String, String> e : effective.entrySet()) {
            if (!wanted(resource.configurationKeys(), e.getKey())) {
                continue;
            }
            TopicConfigs.Key key = TopicConfigs.key(e.getKey());
            DescribeConfigsResourceResult config = new DescribeConfigsResourceResult().setName(e.getKey())
                    .setValue(e.getValue()).setReadOnly(false).setIsSensitive(false)
                    .setConfigSource(ConfigSources.topicSource(e.getKey(), overrides, defaults))
                    .setConfigType(type(key.type()).id());
            if (synonyms) {
                if (overrides.containsKey(e.getKey())) {
                    config.synonyms().add(synonym(e.getKey(), overrides.get(e.getKey()), ConfigSource.TOPIC_CONFIG));
                }
                if (defaults.fromBroker().contains(e.getKey())) {
                    config.synonyms().add(synonym(key.brokerKey(), defaults.values().get(e.getKey()),
                            ConfigSource.STATIC_BROKER_CONFIG));
                }
                if (key.brokerKey() != null) {
                    config.synonyms().add(synonym(key.brokerKey(), key.defaultValue(), ConfigSource.DEFAULT_CONFIG));
                }
            }
            result.configs().add(config);
        }
    }

    private void describeBroker(DescribeConfigsRequestData.DescribeConfigsResource resource, boolean synonyms,
            DescribeConfigsResult result) {
        for (Map.Entry<String, String> e : new TreeMap<>(broker.values()).entrySet()) {
            if (!wanted(resource.configurationKeys(), e.getKey())) {
                continue;
            }
            ConfigSource source = broker.explicit().contains(e.getKey()) ? ConfigSource.STATIC_BROKER_CONFIG
                    : ConfigSource.DEFAULT_CONFIG;
            boolean secret = broker.sensitive().contains(e.getKey());
            String value = secret ? null : e.getValue();
            DescribeConfigsResourceResult config = new DescribeConfigsResourceResult().setName(e.getKey())
                    .setValue(value).setReadOnly(true).setIsSensitive(secret)
                    .setConfigSource(source.id()).setConfigType(ConfigType.STRING.id());
            if (synonyms) {
                config.synonyms().add(synonym(e.getKey(), value, source));
            }
            result.configs().add(config);
        }
    }

    private static boolean wanted(List<String> keys, String name) {
        return keys == null || keys.isEmpty() || keys.contains(name);
    }

    private static DescribeConfigsSynonym synonym(String name, String value, ConfigSource source) {
        return new DescribeConfigsSynonym().setName(name).setValue(value).setSource(source.id());
    }

    private static ConfigType type(TopicConfigs.Type type) {
        return switch (type) {
            case INT -> ConfigType.INT;
            case LONG -> ConfigType.LONG;
            case DOUBLE -> ConfigType.DOUBLE;
            case BOOLEAN -> ConfigType.BOOLEAN;
            case STRING -> ConfigType.STRING;
            case LIST -> ConfigType.LIST;
        };
    }
}
