package io.samsa.api;

import io.samsa.metadata.ConfigResource;
import io.samsa.metadata.MetadataController;
import io.samsa.metadata.MetadataException;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/** The legacy AlterConfigs: the given configs replace every override the resource had. */
final class AlterConfigsHandler implements ApiHandler {

    private final MetadataController metadata;

    AlterConfigsHandler(MetadataController metadata) {
        this.metadata = metadata;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        AlterConfigsRequestData data = (AlterConfigsRequestData) request.body();
        AlterConfigsResponseData response = new AlterConfigsResponseData();
        PublishedChanges changed = new PublishedChanges();
        for (AlterConfigsRequestData.AlterConfigsResource resource : data.resources()) {
            AlterConfigsResponseData.AlterConfigsResourceResponse result =
                    new AlterConfigsResponseData.AlterConfigsResourceResponse()
                            .setResourceType(resource.resourceType()).setResourceName(resource.resourceName());
            try {
                Map<String, String> configs = new HashMap<>();
                resource.configs().forEach(c -> configs.put(c.name(), c.value()));
                changed.add(metadata.replaceConfigs(resource(resource.resourceType(), resource.resourceName()),
                        configs, data.validateOnly()));
                result.setErrorCode(Errors.NONE.code());
            } catch (MetadataException e) {
                result.setErrorCode(ErrorMapper.toError(e).code()).setErrorMessage(e.getMessage());
            }
            response.responses().add(result);
        }
        return changed.then(response);
    }

    /** The metadata resource a wire resource type and name denote. */
    static ConfigResource resource(byte type, String name) {
        return switch (type) {
            case DescribeConfigsHandler.TOPIC -> new ConfigResource(ConfigResource.Type.TOPIC, name);
            case DescribeConfigsHandler.BROKER -> new ConfigResource(ConfigResource.Type.BROKER, name);
            default -> throw new MetadataException(MetadataException.Kind.INVALID_REQUEST,
                    "Unsupported resource type " + type);
        };
    }
}
