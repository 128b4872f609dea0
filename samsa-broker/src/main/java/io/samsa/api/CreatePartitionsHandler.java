package io.samsa.api;

import io.samsa.metadata.MetadataController;
import io.samsa.metadata.MetadataException;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/** CreatePartitions: grows topics, with optional explicit assignments, including validate-only. */
final class CreatePartitionsHandler implements ApiHandler {

    private final MetadataController metadata;

    CreatePartitionsHandler(MetadataController metadata) {
        this.metadata = metadata;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        CreatePartitionsRequestData data = (CreatePartitionsRequestData) request.body();
        CreatePartitionsResponseData response = new CreatePartitionsResponseData();
        for (CreatePartitionsRequestData.CreatePartitionsTopic topic : data.topics()) {
            CreatePartitionsTopicResult result = new CreatePartitionsTopicResult().setName(topic.name());
            try {
                List<List<Integer>> assignments = topic.assignments() == null ? null
                        : topic.assignments().stream().map(a -> (List<Integer>) a.brokerIds()).toList();
                metadata.createPartitions(topic.name(), topic.count(), assignments, data.validateOnly());
                result.setErrorCode(Errors.NONE.code());
            } catch (MetadataException e) {
                result.setErrorCode(ErrorMapper.toError(e).code()).setErrorMessage(e.getMessage());
            }
            response.results().add(result);
        }
        return CompletableFuture.completedFuture(response);
    }
}
