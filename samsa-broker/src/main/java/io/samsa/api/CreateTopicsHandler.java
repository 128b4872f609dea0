package io.samsa.api;

import io.samsa.metadata.MetadataController;
import io.samsa.metadata.MetadataException;
import io.samsa.metadata.MetadataImage;
import io.samsa.metadata.TopicDefaults;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicConfigs;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/** CreateTopics, including validate-only; since v5 the response carries the topic's effective configs. */
final class CreateTopicsHandler implements ApiHandler {

    private final MetadataController metadata;
    private final TopicDefaults defaults;

    CreateTopicsHandler(MetadataController metadata, TopicDefaults defaults) {
        this.metadata = metadata;
        this.defaults = defaults;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        CreateTopicsRequestData data = (CreateTopicsRequestData) request.body();
        CreateTopicsResponseData response = new CreateTopicsResponseData();
        Set<String> seen = new HashSet<>();
        Set<String> duplicates = new HashSet<>();
        data.topics().forEach(t -> {
            if (!seen.add(t.name())) {
                duplicates.add(t.name());
            }
        });
        for (CreateTopicsRequestData.CreatableTopic topic : data.topics()) {
            CreatableTopicResult result = new CreatableTopicResult().setName(topic.name()).setNumPartitions(-1)
                    .setReplicationFactor((short) -1).setTopicConfigErrorCode(Errors.NONE.code());
            if (duplicates.contains(topic.name())) {
                if (response.topics().find(topic.name()) == null) {
                    response.topics().add(result.setErrorCode(Errors.INVALID_REQUEST.code())
                            .setErrorMessage("Create topics request from client contains a duplicate topic: "
                                    + topic.name()));
                }
                continue;
            }
            try {
                Map<String, String> configs = new HashMap<>();
                for (CreateTopicsRequestData.CreatableTopicConfig c : topic.configs()) {
                    configs.put(c.name(), c.value());
                }
                Map<Integer, List<Integer>> assignments = new HashMap<>();
                topic.assignments().forEach(a -> assignments.put(a.partitionIndex(), a.brokerIds()));
                MetadataImage.TopicImage created = metadata.createTopic(topic.name(), topic.numPartitions(),
                        topic.replicationFactor(), assignments, configs, data.validateOnly());
                result.setErrorCode(Errors.NONE.code())
                        .setTopicId(data.validateOnly() ? org.apache.kafka.common.Uuid.ZERO_UUID
                                : Topics.toWire(created.topicId()))
                        .setNumPartitions(created.partitions().size())
                        .setReplicationFactor((short) created.partitions().get(0).replicas().size());
                Map<String, String> effective = defaults.effective(configs);
                effective.forEach((name, value) -> result.configs().add(new CreatableTopicConfigs()
                        .setName(name).setValue(value).setReadOnly(false).setIsSensitive(false)
                        .setConfigSource(ConfigSources.topicSource(name, configs, defaults))));
            } catch (MetadataException e) {
                result.setErrorCode(ErrorMapper.toError(e).code()).setErrorMessage(e.getMessage());
            }
            response.topics().add(result);
        }
        return CompletableFuture.completedFuture(response);
    }
}
