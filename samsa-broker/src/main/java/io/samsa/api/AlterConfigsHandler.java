package io.samsa.api;

import io.samsa.metadata.ConfigResource;
import io.samsa.metadata.MetadataController;
import io.samsa.metadata.MetadataException;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import io.samsa.security.Acl;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * The legacy AlterConfigs: the given configs replace every override the resource had. Each resource needs
 * ALTER_CONFIGS: a denied one gets the resource type's authorization error, the others are altered.
 */
final class AlterConfigsHandler implements ApiHandler {

    private final MetadataController metadata;
    private final Access access;

    AlterConfigsHandler(MetadataController metadata, Access access) {
        this.metadata = metadata;
        this.access = access;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        AlterConfigsRequestData data = (AlterConfigsRequestData) request.body();
        AlterConfigsResponseData response = new AlterConfigsResponseData();
        PublishedChanges changed = new PublishedChanges(PublishedChanges.MAX_WAIT_MS);
        for (AlterConfigsRequestData.AlterConfigsResource resource : data.resources()) {
            AlterConfigsResponseData.AlterConfigsResourceResponse result =
                    new AlterConfigsResponseData.AlterConfigsResourceResponse()
                            .setResourceType(resource.resourceType()).setResourceName(resource.resourceName());
            Errors denied = access.configDenial(request, connection, Acl.Operation.ALTER_CONFIGS,
                    resource.resourceType(), resource.resourceName());
            if (denied != null) {
                response.responses().add(result.setErrorCode(denied.code()).setErrorMessage(denied.message()));
                continue;
            }
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
