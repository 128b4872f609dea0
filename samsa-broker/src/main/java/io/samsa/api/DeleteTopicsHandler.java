package io.samsa.api;

import io.samsa.metadata.MetadataController;
import io.samsa.metadata.MetadataImage;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import io.samsa.security.Acl;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * DeleteTopics by name (v1–5) or by name or id (v6+). Authorized as Kafka's controller does: DELETE on the cluster
 * covers every topic; otherwise a topic named but not DESCRIBE-able gets TOPIC_AUTHORIZATION_FAILED whether it exists
 * or not, a DESCRIBE-able one that does not exist UNKNOWN_TOPIC_OR_PARTITION, and one without DELETE
 * TOPIC_AUTHORIZATION_FAILED. A topic given by id that does not exist gets UNKNOWN_TOPIC_ID; one that exists but
 * may not be deleted TOPIC_AUTHORIZATION_FAILED, with its name only if the principal may DESCRIBE it.
 */
final class DeleteTopicsHandler implements ApiHandler {

    private final MetadataController metadata;
    private final Access access;

    DeleteTopicsHandler(MetadataController metadata, Access access) {
        this.metadata = metadata;
        this.access = access;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        DeleteTopicsRequestData data = (DeleteTopicsRequestData) request.body();
        List<DeleteTopicsRequestData.DeleteTopicState> wanted = new ArrayList<>(data.topics());
        data.topicNames().forEach(name -> wanted.add(new DeleteTopicsRequestData.DeleteTopicState().setName(name)));
        DeleteTopicsResponseData response = new DeleteTopicsResponseData();
        PublishedChanges changed = new PublishedChanges(data.timeoutMs());
        boolean clusterDelete = access.allowedQuietly(connection, Acl.Operation.DELETE, Acl.ResourceType.CLUSTER,
                Acl.CLUSTER_NAME);
        for (DeleteTopicsRequestData.DeleteTopicState topic : wanted) {
            DeletableTopicResult result = new DeletableTopicResult().setName(topic.name()).setTopicId(topic.topicId());
            MetadataImage.TopicImage found = Topics.find(metadata.image(), topic.name(), topic.topicId());
            boolean byId = topic.topicId() != null && !Uuid.ZERO_UUID.equals(topic.topicId());
            String name = found != null ? found.name() : topic.name();
            String denial = clusterDelete || byId && found == null ? null
                    : denial(request, connection, name == null ? "" : name, found != null, byId);
            if (denial != null) {
                result.setName(denial.isEmpty() ? null : denial)
                        .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())
                        .setErrorMessage(Errors.TOPIC_AUTHORIZATION_FAILED.message());
            } else if (found == null) {
                result.setErrorCode(byId ? Errors.UNKNOWN_TOPIC_ID.code() : Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
            } else if (Topics.isInternal(found.name())) {
                result.setErrorCode(Errors.TOPIC_DELETION_DISABLED.code())
                        .setErrorMessage("Internal topics cannot be deleted");
            } else {
                try {
                    changed.add(metadata.deleteTopic(found.topicId()));
                    result.setName(found.name()).setTopicId(Topics.toWire(found.topicId()))
                            .setErrorCode(Errors.NONE.code());
                } catch (RuntimeException e) {
                    result.setErrorCode(ErrorMapper.toError(e).code()).setErrorMessage(e.getMessage());
                }
            }
            response.responses().add(result);
        }
        return changed.then(response);
    }

    /**
     * Null when the topic may be deleted or its absence told; otherwise the name the denial may show ("" for none:
     * a topic given by id that the principal may not DESCRIBE stays nameless).
     */
    private String denial(Request request, ClientConnection connection, String name, boolean exists, boolean byId) {
        boolean describable = access.allowed(request, connection, Acl.Operation.DESCRIBE, Acl.ResourceType.TOPIC,
                name);
        if (!byId && !describable) {
            return name;
        }
        if (!exists || access.allowed(request, connection, Acl.Operation.DELETE, Acl.ResourceType.TOPIC, name)) {
            return null;
        }
        return describable ? name : "";
    }
}
