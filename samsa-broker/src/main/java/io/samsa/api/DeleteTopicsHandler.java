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

/** DeleteTopics by name (v1–5) or by name or id (v6+). */
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
        for (DeleteTopicsRequestData.DeleteTopicState topic : wanted) {
            DeletableTopicResult result = new DeletableTopicResult().setName(topic.name()).setTopicId(topic.topicId());
            MetadataImage.TopicImage found = Topics.find(metadata.image(), topic.name(), topic.topicId());
            boolean byId = topic.topicId() != null && !Uuid.ZERO_UUID.equals(topic.topicId());
            String name = found != null ? found.name() : topic.name();
            if ((found != null || !byId) && !access.allowed(request, connection, Acl.Operation.DELETE,
                    Acl.ResourceType.TOPIC, name == null ? "" : name)) {
                result.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()).setErrorMessage("Authorization failed.");
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
}
