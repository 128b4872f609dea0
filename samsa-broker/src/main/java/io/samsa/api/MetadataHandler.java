package io.samsa.api;

import io.samsa.log.LogDir;
import io.samsa.metadata.MetadataController;
import io.samsa.metadata.MetadataException;
import io.samsa.metadata.MetadataImage;
import io.samsa.metadata.TopicNames;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import io.samsa.replication.Partition;
import io.samsa.replication.ReplicaManager;
import io.samsa.security.Acl;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
 * LEADER_NOT_AVAILABLE until the new topic's leaders are known, Samsa answers once the new topic is published, so the
 * first response already carries its partitions. As in Kafka, an internal topic is auto-created the broker's way
 * (its configured partition count, compacted) and {@code __cluster_metadata} is never created
 * (UNKNOWN_TOPIC_OR_PARTITION).
 */
final class MetadataHandler implements ApiHandler {

    private final MetadataController controller;
    private final BrokerIdentity identity;
    private final boolean autoCreateTopics;
    private final Map<String, InternalTopic> internalTopics;
    private final ReplicaManager replicas;
    private final Access access;

    MetadataHandler(MetadataController controller, BrokerIdentity identity, boolean autoCreateTopics,
            List<InternalTopic> internalTopics, ReplicaManager replicas, Access access) {
        this.access = access;
        this.controller = controller;
        this.replicas = replicas;
        this.identity = identity;
        this.autoCreateTopics = autoCreateTopics;
        this.internalTopics = new java.util.HashMap<>();
        internalTopics.forEach(t -> this.internalTopics.put(t.name(), t));
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        MetadataRequestData data = (MetadataRequestData) request.body();
        MetadataResponseData response = new MetadataResponseData()
                .setClusterId(identity.clusterId())
                .setControllerId(identity.brokerId());
        MetadataImage image = controller.image();
        for (MetadataImage.BrokerImage broker : image.brokers().values()) {
            BrokerIdentity.Endpoint at = broker.brokerId() == identity.brokerId()
                    ? identity.endpoint(connection.listenerName())
                    : new BrokerIdentity.Endpoint(broker.host(), broker.port());
            response.brokers().add(new MetadataResponseBroker()
                    .setNodeId(broker.brokerId()).setHost(at.host()).setPort(at.port())
                    .setRack(broker.rack()));
        }
        if (request.version() >= 8 && request.version() <= 10 && data.includeClusterAuthorizedOperations()) {
            response.setClusterAuthorizedOperations(
                    access.authorizedOperations(connection, Acl.ResourceType.CLUSTER, Acl.CLUSTER_NAME));
        }
        // All topics: null since v1; an empty list meant the same in v0. Only those the caller may DESCRIBE.
        if (data.topics() == null || (request.version() == 0 && data.topics().isEmpty())) {
            image.topics().values().stream().filter(t -> access.allowedQuietly(connection, Acl.Operation.DESCRIBE,
                    Acl.ResourceType.TOPIC, t.name())).forEach(t -> response.topics().add(topic(t)));
            return CompletableFuture.completedFuture(withOperations(response, data, connection));
        }
        boolean allowCreate = autoCreateTopics && (request.version() < 4 || data.allowAutoTopicCreation());
        boolean clusterCreate = allowCreate && access.allowedQuietly(connection, Acl.Operation.CREATE,
                Acl.ResourceType.CLUSTER, Acl.CLUSTER_NAME);
        List<CompletableFuture<MetadataResponseTopic>> topics = new ArrayList<>();
        for (MetadataRequestData.MetadataRequestTopic wanted : data.topics()) {
            topics.add(authorizeAndDescribe(request, connection, image, wanted, allowCreate, clusterCreate));
        }
        return CompletableFuture.allOf(topics.toArray(CompletableFuture[]::new)).thenApply(v -> {
            topics.forEach(t -> response.topics().add(t.join()));
            return withOperations(response, data, connection);
        });
    }

    /** KIP-430: each described topic's authorized operations, when the client asked for them. */
    private MetadataResponseData withOperations(MetadataResponseData response, MetadataRequestData data,
            ClientConnection connection) {
        if (data.includeTopicAuthorizedOperations()) {
            response.topics().forEach(t -> {
                if (t.errorCode() == Errors.NONE.code()) {
                    t.setTopicAuthorizedOperations(access.authorizedOperations(connection, Acl.ResourceType.TOPIC,
                            t.name()));
                }
            });
        }
        return response;
    }

    /**
     * A named topic, as Kafka authorizes it: DESCRIBE to see it (TOPIC_AUTHORIZATION_FAILED otherwise, whether it
     * exists or not), and CREATE on the cluster or the topic to have it auto-created (without it, a topic that does
     * not exist is UNKNOWN_TOPIC_OR_PARTITION).
     */
    private CompletableFuture<MetadataResponseTopic> authorizeAndDescribe(Request request,
            ClientConnection connection, MetadataImage image, MetadataRequestData.MetadataRequestTopic wanted,
            boolean allowCreate, boolean clusterCreate) {
        if (!access.enabled()) {
            return describe(image, wanted, allowCreate);
        }
        String name = wanted.name();
        if (name == null || name.isEmpty()) {
            MetadataImage.TopicImage byId = wanted.topicId() == null ? null
                    : image.topic(Topics.fromWire(wanted.topicId()));
            name = byId == null ? null : byId.name();
        }
        if (name == null) {
            return describe(image, wanted, false);
        }
        if (!access.allowed(request, connection, Acl.Operation.DESCRIBE, Acl.ResourceType.TOPIC, name)) {
            return CompletableFuture.completedFuture(new MetadataResponseTopic().setName(name)
                    .setTopicId(wanted.topicId() == null ? org.apache.kafka.common.Uuid.ZERO_UUID : wanted.topicId())
                    .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()));
        }
        boolean mayCreate = allowCreate && (clusterCreate || image.topic(name) != null || access.allowed(request,
                connection, Acl.Operation.CREATE, Acl.ResourceType.TOPIC, name));
        return describe(image, wanted, mayCreate);
    }

    private CompletableFuture<MetadataResponseTopic> describe(MetadataImage image,
            MetadataRequestData.MetadataRequestTopic wanted, boolean allowCreate) {
        Uuid id = wanted.topicId();
        // By id: clients send a null name, or an empty one (the consumer resolving broker-assigned topic ids).
        if ((wanted.name() == null || wanted.name().isEmpty()) && id != null && !Uuid.ZERO_UUID.equals(id)) {
            MetadataImage.TopicImage topic = image.topic(Topics.fromWire(id));
            return CompletableFuture.completedFuture(topic != null ? topic(topic)
                    : new MetadataResponseTopic().setTopicId(id).setErrorCode(Errors.UNKNOWN_TOPIC_ID.code()));
        }
        String name = wanted.name();
        MetadataImage.TopicImage topic = image.topic(name);
        if (topic != null) {
            return CompletableFuture.completedFuture(topic(topic));
        }
        if (TopicNames.problem(name) != null) {
            return failed(name, Errors.INVALID_TOPIC_EXCEPTION);
        }
        if (!allowCreate || name.equals(TopicNames.METADATA_TOPIC)) {
            return failed(name, Errors.UNKNOWN_TOPIC_OR_PARTITION);
        }
        try {
            InternalTopic internal = internalTopics.get(name);
            if (internal != null) {
                return internal.create().completeOnTimeout(null, PublishedChanges.MAX_WAIT_MS,
                        TimeUnit.MILLISECONDS).thenApply(v -> describeCreated(name));
            }
            return controller.createTopic(name, -1, (short) -1, Map.of(), Map.of(), false).published()
                    .completeOnTimeout(null, PublishedChanges.MAX_WAIT_MS, TimeUnit.MILLISECONDS)
                    .thenApply(created -> describeCreated(name));
        } catch (MetadataException e) {
            if (e.kind() == MetadataException.Kind.TOPIC_ALREADY_EXISTS) {
                // Created by someone else and maybe not published yet: answer as Kafka does for a new topic.
                MetadataImage.TopicImage now = controller.image().topic(name);
                return now != null ? CompletableFuture.completedFuture(topic(now))
                        : failed(name, Errors.LEADER_NOT_AVAILABLE);
            }
            return failed(name, ErrorMapper.toError(e));
        }
    }

    private MetadataResponseTopic describeCreated(String name) {
        MetadataImage.TopicImage created = controller.image().topic(name);
        return created != null ? topic(created)
                : new MetadataResponseTopic().setName(name).setErrorCode(Errors.LEADER_NOT_AVAILABLE.code());
    }

    private static CompletableFuture<MetadataResponseTopic> failed(String name, Errors error) {
        return CompletableFuture.completedFuture(new MetadataResponseTopic().setName(name)
                .setErrorCode(error.code()));
    }

    /**
     * This broker, when the partition's log is in a data directory that failed: Kafka lists such replicas as offline
     * (and its controller then moves leadership; on one node there is nowhere to move it, so produce and fetch get
     * KAFKA_STORAGE_ERROR until the directory is back).
     */
    private List<Integer> offlineReplicas(String topic, int partition) {
        Partition local = replicas.partition(topic, partition);
        return local != null && local.log().logDir().status() == LogDir.Status.OFFLINE
                ? new ArrayList<>(List.of(identity.brokerId())) : new ArrayList<>();
    }

    private MetadataResponseTopic topic(MetadataImage.TopicImage topic) {
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
                    .setOfflineReplicas(offlineReplicas(topic.name(), p.partition())));
        }
        return result;
    }
}
