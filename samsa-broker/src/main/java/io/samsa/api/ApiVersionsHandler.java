package io.samsa.api;

import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import io.samsa.protocol.SupportedApis;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersionCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * ApiVersions: the APIs and versions this broker really serves. A request at a version we do not know gets
 * UNSUPPORTED_VERSION with the ApiVersions range only, at v0, so the client can retry with a version we speak
 * (KIP-511).
 */
final class ApiVersionsHandler implements ApiHandler {

    private final SupportedApis supported;

    ApiVersionsHandler(SupportedApis supported) {
        this.supported = supported;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        ApiVersionsResponseData response = new ApiVersionsResponseData();
        ApiVersionCollection versions = new ApiVersionCollection();
        if (request.versionUnsupported()) {
            SupportedApis.Range range = supported.ranges().get(ApiKeys.API_VERSIONS);
            versions.add(version(ApiKeys.API_VERSIONS, range));
            response.setErrorCode(Errors.UNSUPPORTED_VERSION.code()).setApiKeys(versions);
            return CompletableFuture.completedFuture(response);
        }
        for (Map.Entry<ApiKeys, SupportedApis.Range> entry : supported.ranges().entrySet()) {
            // As a Kafka broker: APIs only controllers serve (BrokerRegistration, BrokerHeartbeat, ...) are served
            // to the nodes that send them but not advertised; an admin client that saw them would take this node
            // for a KRaft controller.
            if (entry.getKey().inScope(ApiMessageType.ListenerType.BROKER)) {
                versions.add(version(entry.getKey(), entry.getValue()));
            }
        }
        response.setErrorCode(Errors.NONE.code()).setApiKeys(versions).setThrottleTimeMs(0);
        return CompletableFuture.completedFuture(response);
    }

    private static ApiVersion version(ApiKeys key, SupportedApis.Range range) {
        return new ApiVersion().setApiKey(key.id).setMinVersion(range.min()).setMaxVersion(range.max());
    }
}
