package io.samsa.api;

import io.samsa.metadata.MetadataController;
import io.samsa.metadata.MetadataException;
import io.samsa.metadata.MetadataImage;
import io.samsa.metadata.TopicNames;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBroker;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * Metadata: brokers, and topics with their partitions' leaders. Topics a client asks for that do not exist are created
 * when the request allows it and {@code auto.create.topics.enable} is on; unlike Kafka, which answers
 * LEADER_NOT_AVAILABLE until the new topic's leaders are known, Samsa creates the topic before answering, so the first
 * response already carries its partitions.
 */
final class MetadataHandler implements ApiHandler {

    private final MetadataController controller;
    private final BrokerIdentity identity;
    private final boolean autoCreateTopics;

    MetadataHandler(MetadataController controller, BrokerIdentity identity, boolean autoCreateTopics) {
        this.controller = controller;
        this.identity = identity;
        this.autoCreateTopics = autoCreateTopics;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        MetadataRequestData data = (MetadataRequestData) request.body();
        MetadataResponseData response = new MetadataResponseData()
                .setClusterId(identity.clusterId())
                .setControllerId(identity.brokerId());
        MetadataImage image = controller.image();
        for (MetadataImage.BrokerImage broker : image.brokers().values()) {
            response.brokers().add(new MetadataResponseBroker()
                    .setNodeId(broker.brokerId()).setHost(broker.host()).setPort(broker.port())
                    .setRack(broker.rack()));
        }
        // All topics: null since v1; an empty list meant the same in v0.
        if (data.topics() == null || (request.version() == 0 && data.topics().isEmpty())) {
            image.topics().values().forEach(t -> response.topics().add(topic(t)));
            return CompletableFuture.completedFuture(response);
        }
        boolean allowCreate = autoCreateTopics && (request.version() < 4 || data.allowAutoTopicCreation());
        List<MetadataResponseTopic> topics = new ArrayList<>();
        for (MetadataRequestData.MetadataRequestTopic wanted : data.topics()) {
            topics.add(describe(image, wanted, allowCreate));
        }
        topics.forEach(response.topics()::add);
        return CompletableFuture.completedFuture(response);
    }

    private MetadataResponseTopic describe(MetadataImage image, MetadataRequestData.MetadataRequestTopic wanted,
            boolean allowCreate) {
        Uuid id = wanted.topicId();
        // By id: clients send a null name, or an empty one (the consumer resolving broker-assigned topic ids).
        if ((wanted.name() == null || wanted.name().isEmpty()) && id != null && !Uuid.ZERO_UUID.equals(id)) {
            MetadataImage.TopicImage topic = image.topic(Topics.fromWire(id));
            return topic != null ? topic(topic)
                    : new MetadataResponseTopic().setTopicId(id).setErrorCode(Errors.UNKNOWN_TOPIC_ID.code());
        }
        String name = wanted.name();
        MetadataImage.TopicImage topic = image.topic(name);
        if (topic != null) {
            return topic(topic);
        }
        if (TopicNames.problem(name) != null) {
            return new MetadataResponseTopic().setName(name).setErrorCode(Errors.INVALID_TOPIC_EXCEPTION.code());
        }
        if (!allowCreate) {
            return new MetadataResponseTopic().setName(name).setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        try {
            return topic(controller.createTopic(name, -1, (short) -1, java.util.Map.of(), java.util.Map.of(), false));
        } catch (MetadataException e) {
            if (e.kind() == MetadataException.Kind.TOPIC_ALREADY_EXISTS) {
                return topic(controller.image().topic(name));
            }
            return new MetadataResponseTopic().setName(name).setErrorCode(ErrorMapper.toError(e).code());
        }
    }

    private static MetadataResponseTopic topic(MetadataImage.TopicImage topic) {
        MetadataResponseTopic result = new MetadataResponseTopic()
                .setName(topic.name())
                .setTopicId(Topics.toWire(topic.topicId()))
                .setIsInternal(Topics.isInternal(topic.name()))
                .setErrorCode(Errors.NONE.code());
        for (MetadataImage.PartitionImage p : topic.partitions().values()) {
            result.partitions().add(new MetadataResponsePartition()
                    .setPartitionIndex(p.partition())
                    .setErrorCode(Errors.NONE.code())
                    .setLeaderId(p.leader())
                    .setLeaderEpoch(p.leaderEpoch())
                    .setReplicaNodes(new ArrayList<>(p.replicas()))
                    .setIsrNodes(new ArrayList<>(p.isr()))
                    .setOfflineReplicas(new ArrayList<>()));
        }
        return result;
    }
}
