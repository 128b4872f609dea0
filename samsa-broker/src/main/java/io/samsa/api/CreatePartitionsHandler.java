package io.samsa.api;

import io.samsa.metadata.MetadataController;
import io.samsa.metadata.MetadataException;
import io.samsa.metadata.MetadataImage;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import io.samsa.security.Acl;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * CreatePartitions: grows topics, with optional explicit assignments, including validate-only. A request that would
 * add more than {@link MetadataController#MAX_RECORDS_PER_CHANGE} partitions in all is refused whole with
 * POLICY_VIOLATION and Kafka's message, before anything is created (Kafka 4.1 answers UNKNOWN_SERVER_ERROR there
 * after it has already created the first ten thousand). As in Kafka's controller, a topic named twice gets
 * INVALID_REQUEST, and each other topic needs ALTER: a denied one gets TOPIC_AUTHORIZATION_FAILED, the others grow.
 */
final class CreatePartitionsHandler implements ApiHandler {

    private final MetadataController metadata;
    private final Access access;

    CreatePartitionsHandler(MetadataController metadata, Access access) {
        this.metadata = metadata;
        this.access = access;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        CreatePartitionsRequestData data = (CreatePartitionsRequestData) request.body();
        CreatePartitionsResponseData response = new CreatePartitionsResponseData();
        boolean tooLarge = partitionsAdded(data, metadata.image()) > MetadataController.MAX_RECORDS_PER_CHANGE;
        PublishedChanges changed = new PublishedChanges(data.timeoutMs());
        Set<String> seen = new HashSet<>();
        Set<String> duplicates = new HashSet<>();
        data.topics().forEach(t -> {
            if (!seen.add(t.name())) {
                duplicates.add(t.name());
            }
        });
        for (CreatePartitionsRequestData.CreatePartitionsTopic topic : data.topics()) {
            CreatePartitionsTopicResult result = new CreatePartitionsTopicResult().setName(topic.name());
            if (duplicates.contains(topic.name())) {
                if (response.results().stream().noneMatch(r -> r.name().equals(topic.name()))) {
                    response.results().add(result.setErrorCode(Errors.INVALID_REQUEST.code())
                            .setErrorMessage("Duplicate topic name."));
                }
                continue;
            }
            response.results().add(result);
            if (!access.allowed(request, connection, Acl.Operation.ALTER, Acl.ResourceType.TOPIC, topic.name())) {
                result.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
                continue;
            }
            if (tooLarge) {
                result.setErrorCode(Errors.POLICY_VIOLATION.code())
                        .setErrorMessage(MetadataController.TOO_LARGE_CHANGE);
                continue;
            }
            try {
                List<List<Integer>> assignments = topic.assignments() == null ? null
                        : topic.assignments().stream().map(a -> a.brokerIds()).toList();
                changed.add(metadata.createPartitions(topic.name(), topic.count(), assignments, data.validateOnly()));
                result.setErrorCode(Errors.NONE.code());
            } catch (MetadataException e) {
                result.setErrorCode(ErrorMapper.toError(e).code()).setErrorMessage(e.getMessage());
            }
        }
        return changed.then(response);
    }

    /** The partitions the request would add to the topics that exist. */
    private static long partitionsAdded(CreatePartitionsRequestData data, MetadataImage image) {
        long added = 0;
        for (CreatePartitionsRequestData.CreatePartitionsTopic topic : data.topics()) {
            MetadataImage.TopicImage existing = image.topic(topic.name());
            if (existing != null) {
                added += Math.max(0, (long) topic.count() - existing.partitions().size());
            }
        }
        return added;
    }
}
