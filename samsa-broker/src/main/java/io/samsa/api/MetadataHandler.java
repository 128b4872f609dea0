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
 * Metadata: the live brokers, and topics with each partition's leader, leader epoch, replicas, ISR and offline
 * replicas. Topics a client asks for that do not exist are created
 * when the request allows it and {@code auto.create.topics.enable} is on; unlike Kafka, which answers
 * LEADER_NOT_AVAILABLE until the new topic's leaders are known, Samsa answers once the new topic is published, so the
 * first response already carries its partitions. As in Kafka, an internal topic is auto-created the broker's way
 * (its configured partition count, compacted) and {@code __cluster_metadata} is never created
 * (UNKNOWN_TOPIC_OR_PARTITION).
 */
final class MetadataHandler implements ApiHandler {

    private final MetadataController controller;
    private final ClusterView cluster;
    private final boolean autoCreateTopics;
    private final Map<String, InternalTopic> internalTopics;
    private final ReplicaManager replicas;
    private final Access access;

    MetadataHandler(MetadataController controller, ClusterView cluster, boolean autoCreateTopics,
            List<InternalTopic> internalTopics, ReplicaManager replicas, Access access) {
        this.access = access;
        this.controller = controller;
        this.replicas = replicas;
        this.cluster = cluster;
        this.autoCreateTopics = autoCreateTopics;
        this.internalTopics = new java.util.HashMap<>();
        internalTopics.forEach(t -> this.internalTopics.put(t.name(), t));
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        MetadataRequestData data = (MetadataRequestData) request.body();
        MetadataResponseData response = new MetadataResponseData()
                .setClusterId(cluster.clusterId())
                .setControllerId(cluster.controllerId());
        MetadataImage image = controller.image();
        // Live brokers only, as Kafka's getAliveBrokerNodes: a client never dials a fenced or unknown broker.
        for (MetadataImage.BrokerImage broker : cluster.liveBrokers(image)) {
            BrokerIdentity.Endpoint at = cluster.endpoint(broker, connection.listenerName());
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
                    Acl.ResourceType.TOPIC, t.name())).forEach(t -> response.topics().add(topic(image, t, request.version())));
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
            return describe(image, wanted, allowCreate, request.version());
        }
        String name = wanted.name();
        if (name == null || name.isEmpty()) {
            MetadataImage.TopicImage byId = wanted.topicId() == null ? null
                    : image.topic(Topics.fromWire(wanted.topicId()));
            name = byId == null ? null : byId.name();
        }
        if (name == null) {
            return describe(image, wanted, false, request.version());
        }
        if (!access.allowed(request, connection, Acl.Operation.DESCRIBE, Acl.ResourceType.TOPIC, name)) {
            return CompletableFuture.completedFuture(new MetadataResponseTopic().setName(name)
                    .setTopicId(wanted.topicId() == null ? org.apache.kafka.common.Uuid.ZERO_UUID : wanted.topicId())
                    .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()));
        }
        boolean mayCreate = allowCreate && (clusterCreate || image.topic(name) != null || access.allowed(request,
                connection, Acl.Operation.CREATE, Acl.ResourceType.TOPIC, name));
        return describe(image, wanted, mayCreate, request.version());
    }

    private CompletableFuture<MetadataResponseTopic> describe(MetadataImage image,
            MetadataRequestData.MetadataRequestTopic wanted, boolean allowCreate, short version) {
        Uuid id = wanted.topicId();
        // By id: clients send a null name, or an empty one (the consumer resolving broker-assigned topic ids).
        if ((wanted.name() == null || wanted.name().isEmpty()) && id != null && !Uuid.ZERO_UUID.equals(id)) {
            MetadataImage.TopicImage topic = image.topic(Topics.fromWire(id));
            return CompletableFuture.completedFuture(topic != null ? topic(image, topic, version)
                    : new MetadataResponseTopic().setTopicId(id).setErrorCode(Errors.UNKNOWN_TOPIC_ID.code()));
        }
        String name = wanted.name();
        MetadataImage.TopicImage topic = image.topic(name);
        if (topic != null) {
            return CompletableFuture.completedFuture(topic(image, topic, version));
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
                        TimeUnit.MILLISECONDS).thenApply(v -> describeCreated(name, version));
            }
            return controller.createTopic(name, -1, (short) -1, Map.of(), Map.of(), false).published()
                    .completeOnTimeout(null, PublishedChanges.MAX_WAIT_MS, TimeUnit.MILLISECONDS)
                    .thenApply(created -> describeCreated(name, version));
        } catch (MetadataException e) {
            if (e.kind() == MetadataException.Kind.TOPIC_ALREADY_EXISTS) {
                // Created by someone else and maybe not published yet: answer as Kafka does for a new topic.
                MetadataImage latest = controller.image();
                MetadataImage.TopicImage now = latest.topic(name);
                return now != null ? CompletableFuture.completedFuture(topic(latest, now, version))
                        : failed(name, Errors.LEADER_NOT_AVAILABLE);
            }
            return failed(name, ErrorMapper.toError(e));
        }
    }

    private MetadataResponseTopic describeCreated(String name, short version) {
        MetadataImage latest = controller.image();
        MetadataImage.TopicImage created = latest.topic(name);
        return created != null ? topic(latest, created, version)
                : new MetadataResponseTopic().setName(name).setErrorCode(Errors.LEADER_NOT_AVAILABLE.code());
    }

    private static CompletableFuture<MetadataResponseTopic> failed(String name, Errors error) {
        return CompletableFuture.completedFuture(new MetadataResponseTopic().setName(name)
                .setErrorCode(error.code()));
    }

    /**
     * The replicas Kafka lists as offline: those on brokers that are not live, and this broker's when the partition's
     * log is in a data directory that failed (Kafka's controller then moves leadership; while this broker still
     * leads, produce and fetch get KAFKA_STORAGE_ERROR until the directory is back).
     */
    private List<Integer> offlineReplicas(MetadataImage image, String topic, MetadataImage.PartitionImage p) {
        List<Integer> offline = cluster.offlineReplicas(image, p);
        Partition local = replicas.partition(topic, p.partition());
        if (local != null && local.log().logDir().status() == LogDir.Status.OFFLINE
                && !offline.contains(cluster.localBrokerId())) {
            offline.add(cluster.localBrokerId());
        }
        return offline;
    }

    /**
     * A topic as Kafka's KRaftMetadataCache describes it: a partition whose leader is not a registered broker (or
     * none) is LEADER_NOT_AVAILABLE with leader -1; its leader epoch is always there, since clients reset their
     * metadata back-off only when it grows. Version 0 lists only live replicas and says REPLICA_NOT_AVAILABLE when it
     * left one out.
     */
    private MetadataResponseTopic topic(MetadataImage image, MetadataImage.TopicImage topic, short version) {
        MetadataResponseTopic result = new MetadataResponseTopic()
                .setName(topic.name())
                .setTopicId(Topics.toWire(topic.topicId()))
                .setIsInternal(Topics.isInternal(topic.name()))
                .setErrorCode(Errors.NONE.code());
        boolean onlyLive = version == 0;
        for (MetadataImage.PartitionImage p : topic.partitions().values()) {
            List<Integer> replicaNodes = onlyLive ? live(image, p.replicas()) : new ArrayList<>(p.replicas());
            List<Integer> isrNodes = onlyLive ? live(image, p.isr()) : new ArrayList<>(p.isr());
            MetadataResponsePartition partition = new MetadataResponsePartition()
                    .setPartitionIndex(p.partition())
                    .setLeaderEpoch(p.leaderEpoch())
                    .setReplicaNodes(replicaNodes)
                    .setIsrNodes(isrNodes)
                    .setOfflineReplicas(offlineReplicas(image, topic.name(), p));
            if (p.leader() < 0 || !image.brokers().containsKey(p.leader())) {
                partition.setErrorCode(Errors.LEADER_NOT_AVAILABLE.code()).setLeaderId(ClusterView.NONE);
            } else {
                boolean leftOut = replicaNodes.size() < p.replicas().size() || isrNodes.size() < p.isr().size();
                partition.setErrorCode(leftOut ? Errors.REPLICA_NOT_AVAILABLE.code() : Errors.NONE.code())
                        .setLeaderId(p.leader());
            }
            result.partitions().add(partition);
        }
        return result;
    }

    private List<Integer> live(MetadataImage image, List<Integer> brokers) {
        List<Integer> live = new ArrayList<>(brokers.size());
        for (int broker : brokers) {
            if (cluster.isLive(image, broker)) {
                live.add(broker);
            }
        }
        return live;
    }
}
