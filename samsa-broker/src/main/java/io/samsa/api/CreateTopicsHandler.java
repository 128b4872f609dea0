package io.samsa.api;

import io.samsa.metadata.MetadataController;
import io.samsa.metadata.MetadataException;
import io.samsa.metadata.MetadataImage;
import io.samsa.metadata.TopicDefaults;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import io.samsa.security.Acl;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicConfigs;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * CreateTopics, including validate-only; since v5 the response carries the topic's effective configs. As in Kafka
 * 4.1, a request asking for more than {@value #MAX_PARTITIONS_PER_REQUEST} partitions in all, or for more than
 * {@link MetadataController#MAX_RECORDS_PER_CHANGE} metadata records (a record per topic, partition and config), is
 * refused whole with POLICY_VIOLATION and Kafka's message before anything is created. The internal topics are the broker's to create (with their configured
 * partition counts): a client asking for one that does not exist yet gets INVALID_REQUEST, where Kafka would create
 * it with whatever partition count the client chose and leave its coordinator without the partitions it expects.
 * Authorized as Kafka's controller does: CREATE on the cluster or on the topic, else TOPIC_AUTHORIZATION_FAILED for that
 * topic alone; a topic created by a principal without DESCRIBE_CONFIGS on it is answered without its configs,
 * partition count and replication factor, and with TOPIC_AUTHORIZATION_FAILED as its config error.
 */
final class CreateTopicsHandler implements ApiHandler {

    /** Kafka's ReplicationControlManager.MAX_PARTITIONS_PER_BATCH. */
    static final int MAX_PARTITIONS_PER_REQUEST = 10_000;
    static final String TOO_MANY_PARTITIONS = "Excessively large number of partitions per request.";

    private final MetadataController metadata;
    private final TopicDefaults defaults;
    private final Access access;

    CreateTopicsHandler(MetadataController metadata, TopicDefaults defaults, Access access) {
        this.metadata = metadata;
        this.defaults = defaults;
        this.access = access;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        CreateTopicsRequestData data = (CreateTopicsRequestData) request.body();
        CreateTopicsResponseData response = new CreateTopicsResponseData();
        long partitions = requestedPartitions(data);
        long records = partitions;
        for (CreateTopicsRequestData.CreatableTopic topic : data.topics()) {
            records += 1 + topic.configs().size();
        }
        // Kafka checks the partitions first, then bounds the records of the whole request as one change.
        String refusal = partitions > MAX_PARTITIONS_PER_REQUEST ? TOO_MANY_PARTITIONS
                : records > MetadataController.MAX_RECORDS_PER_CHANGE ? MetadataController.TOO_LARGE_CHANGE : null;
        if (refusal != null) {
            for (CreateTopicsRequestData.CreatableTopic topic : data.topics()) {
                if (response.topics().find(topic.name()) == null) {
                    response.topics().add(failed(topic.name(), Errors.POLICY_VIOLATION, refusal));
                }
            }
            return CompletableFuture.completedFuture(response);
        }
        Set<String> seen = new HashSet<>();
        Set<String> duplicates = new HashSet<>();
        data.topics().forEach(t -> {
            if (!seen.add(t.name())) {
                duplicates.add(t.name());
            }
        });
        PublishedChanges changed = new PublishedChanges(data.timeoutMs());
        // CREATE on the cluster covers every topic; else CREATE on each topic (Kafka's order of checks).
        boolean clusterCreate = access.allowedQuietly(connection, Acl.Operation.CREATE, Acl.ResourceType.CLUSTER,
                Acl.CLUSTER_NAME);
        for (CreateTopicsRequestData.CreatableTopic topic : data.topics()) {
            if (!duplicates.contains(topic.name()) && !clusterCreate && !access.allowed(request, connection,
                    Acl.Operation.CREATE, Acl.ResourceType.TOPIC, topic.name())) {
                response.topics().add(failed(topic.name(), Errors.TOPIC_AUTHORIZATION_FAILED,
                        "Authorization failed."));
                continue;
            }
            if (duplicates.contains(topic.name())) {
                if (response.topics().find(topic.name()) == null) {
                    response.topics().add(failed(topic.name(), Errors.INVALID_REQUEST,
                            "Create topics request from client contains a duplicate topic: " + topic.name()));
                }
                continue;
            }
            if (Topics.isInternal(topic.name()) && metadata.image().topic(topic.name()) == null) {
                response.topics().add(failed(topic.name(), Errors.INVALID_REQUEST, "Creation of internal topic "
                        + topic.name() + " is prohibited: the broker creates it on first use."));
                continue;
            }
            CreatableTopicResult result = new CreatableTopicResult().setName(topic.name()).setNumPartitions(-1)
                    .setReplicationFactor((short) -1).setTopicConfigErrorCode(Errors.NONE.code());
            response.topics().add(result);
            try {
                Map<String, String> configs = new HashMap<>();
                for (CreateTopicsRequestData.CreatableTopicConfig c : topic.configs()) {
                    configs.put(c.name(), c.value());
                }
                Map<Integer, List<Integer>> assignments = new HashMap<>();
                topic.assignments().forEach(a -> assignments.put(a.partitionIndex(), a.brokerIds()));
                MetadataController.Committed<MetadataImage.TopicImage> created = metadata.createTopic(topic.name(),
                        topic.numPartitions(), topic.replicationFactor(), assignments, configs, data.validateOnly());
                if (access.allowedQuietly(connection, Acl.Operation.DESCRIBE_CONFIGS, Acl.ResourceType.TOPIC,
                        topic.name())) {
                    describe(result, created.value(), configs, data.validateOnly());
                } else {
                    result.setErrorCode(Errors.NONE.code()).setTopicConfigErrorCode(
                            Errors.TOPIC_AUTHORIZATION_FAILED.code()).setTopicId(data.validateOnly() ? Uuid.ZERO_UUID
                            : Topics.toWire(created.value().topicId()));
                }
                changed.add(created.published());
            } catch (MetadataException e) {
                result.setErrorCode(ErrorMapper.toError(e).code()).setErrorMessage(e.getMessage());
            }
        }
        return changed.then(response);
    }

    /** Kafka's count: the partitions asked for (num.partitions for -1), or the assignments given. */
    private long requestedPartitions(CreateTopicsRequestData data) {
        long total = 0;
        for (CreateTopicsRequestData.CreatableTopic topic : data.topics()) {
            if (!topic.assignments().isEmpty()) {
                total += topic.assignments().size();
            } else if (topic.numPartitions() == -1) {
                total += metadata.defaultPartitions();
            } else if (topic.numPartitions() > 0) {
                total += topic.numPartitions();
            }
        }
        return total;
    }

    private void describe(CreatableTopicResult result, MetadataImage.TopicImage created, Map<String, String> configs,
            boolean validateOnly) {
        result.setErrorCode(Errors.NONE.code())
                .setTopicId(validateOnly ? Uuid.ZERO_UUID : Topics.toWire(created.topicId()))
                .setNumPartitions(created.partitions().size())
                .setReplicationFactor((short) created.partitions().get(0).replicas().size());
        defaults.effective(configs).forEach((name, value) -> result.configs().add(new CreatableTopicConfigs()
                .setName(name).setValue(value).setReadOnly(false).setIsSensitive(false)
                .setConfigSource(ConfigSources.topicSource(name, configs, defaults))));
    }

    private static CreatableTopicResult failed(String name, Errors error, String message) {
        return new CreatableTopicResult().setName(name).setNumPartitions(-1).setReplicationFactor((short) -1)
                .setTopicConfigErrorCode(Errors.NONE.code()).setErrorCode(error.code()).setErrorMessage(message);
    }
}
