package io.samsa.api;

import io.samsa.metadata.ConfigResource;
import io.samsa.metadata.MetadataController;
import io.samsa.metadata.MetadataException;
import io.samsa.metadata.TopicConfigs;
import io.samsa.metadata.TopicDefaults;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import io.samsa.security.Acl;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * IncrementalAlterConfigs on topics: SET, DELETE (back to the default), and APPEND/SUBTRACT for list configs such as
 * cleanup.policy. Each resource changes atomically or not at all. Each resource needs ALTER_CONFIGS: a denied one gets
 * the resource type's authorization error, the others are altered.
 */
final class IncrementalAlterConfigsHandler implements ApiHandler {

    static final byte SET = 0;
    static final byte DELETE = 1;
    static final byte APPEND = 2;
    static final byte SUBTRACT = 3;

    private final MetadataController metadata;
    private final TopicDefaults defaults;
    private final Access access;

    IncrementalAlterConfigsHandler(MetadataController metadata, TopicDefaults defaults, Access access) {
        this.metadata = metadata;
        this.defaults = defaults;
        this.access = access;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        IncrementalAlterConfigsRequestData data = (IncrementalAlterConfigsRequestData) request.body();
        IncrementalAlterConfigsResponseData response = new IncrementalAlterConfigsResponseData();
        PublishedChanges changed = new PublishedChanges(PublishedChanges.MAX_WAIT_MS);
        for (IncrementalAlterConfigsRequestData.AlterConfigsResource resource : data.resources()) {
            AlterConfigsResourceResponse result = new AlterConfigsResourceResponse()
                    .setResourceType(resource.resourceType()).setResourceName(resource.resourceName());
            Errors denied = access.configDenial(request, connection, Acl.Operation.ALTER_CONFIGS,
                    resource.resourceType(), resource.resourceName());
            if (denied != null) {
                response.responses().add(result.setErrorCode(denied.code()).setErrorMessage(denied.message()));
                continue;
            }
            try {
                ConfigResource target = AlterConfigsHandler.resource(resource.resourceType(), resource.resourceName());
                Map<String, String> current = metadata.image().configs(target);
                Map<String, String> changes = new HashMap<>();
                for (IncrementalAlterConfigsRequestData.AlterableConfig c : resource.configs()) {
                    if (changes.containsKey(c.name())) {
                        throw new MetadataException(MetadataException.Kind.INVALID_REQUEST,
                                "Error due to duplicate config keys");
                    }
                    changes.put(c.name(), apply(c, current));
                }
                changed.add(metadata.alterConfigs(target, changes, data.validateOnly()));
                result.setErrorCode(Errors.NONE.code());
            } catch (MetadataException e) {
                result.setErrorCode(ErrorMapper.toError(e).code()).setErrorMessage(e.getMessage());
            }
            response.responses().add(result);
        }
        return changed.then(response);
    }

    private String apply(IncrementalAlterConfigsRequestData.AlterableConfig c, Map<String, String> current) {
        switch (c.configOperation()) {
            case SET:
                return c.value() == null ? "" : c.value();
            case DELETE:
                return null;
            case APPEND:
            case SUBTRACT:
                TopicConfigs.Key key = TopicConfigs.key(c.name());
                if (key == null || key.type() != TopicConfigs.Type.LIST) {
                    throw new MetadataException(MetadataException.Kind.INVALID_CONFIG,
                            "Config value append/subtract is not allowed for config key " + c.name()
                                    + " because it is not a list");
                }
                String base = current.getOrDefault(c.name(), defaults.values().get(c.name()));
                LinkedHashSet<String> items = new LinkedHashSet<>(split(base));
                List<String> delta = split(c.value());
                if (c.configOperation() == APPEND) {
                    items.addAll(delta);
                } else {
                    delta.forEach(items::remove);
                }
                return String.join(",", items);
            default:
                throw new MetadataException(MetadataException.Kind.INVALID_REQUEST,
                        "Unknown config operation " + c.configOperation());
        }
    }

    private static List<String> split(String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        return new ArrayList<>(Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList());
    }
}
