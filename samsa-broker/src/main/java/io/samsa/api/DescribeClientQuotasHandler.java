package io.samsa.api;

import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import io.samsa.security.Acl;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DescribeClientQuotasRequestData;
import org.apache.kafka.common.message.DescribeClientQuotasResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * DescribeClientQuotas. Samsa enforces no client quotas and stores none (AlterClientQuotas is not served), so every
 * valid filter matches nothing; the API is here because Kafka's {@code kafka-configs --describe --entity-type users}
 * asks for a user's quotas before it lists the user's SCRAM credentials. The filter is checked as Kafka checks it
 * (INVALID_REQUEST, or UNSUPPORTED_VERSION for an unknown entity type), and DESCRIBE_CONFIGS on the cluster is
 * required. Thread-safe (stateless).
 */
final class DescribeClientQuotasHandler implements ApiHandler {

    private static final Set<String> ENTITY_TYPES = Set.of("user", "client-id", "ip");
    private static final byte EXACT = 0;
    private static final byte DEFAULT = 1;
    private static final byte SPECIFIED = 2;

    private final Access access;

    DescribeClientQuotasHandler(Access access) {
        this.access = access;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        if (!access.allowedOnCluster(request, connection, Acl.Operation.DESCRIBE_CONFIGS)) {
            return AclHandlers.whole(request, Errors.CLUSTER_AUTHORIZATION_FAILED, null);
        }
        DescribeClientQuotasRequestData data = (DescribeClientQuotasRequestData) request.body();
        Set<String> types = new HashSet<>();
        for (DescribeClientQuotasRequestData.ComponentData component : data.components()) {
            String type = component.entityType();
            String invalid = null;
            if (type.isEmpty()) {
                invalid = "Invalid empty entity type.";
            } else if (!types.add(type)) {
                invalid = "Entity type " + type + " cannot appear more than once in the filter.";
            } else if (!ENTITY_TYPES.contains(type)) {
                return AclHandlers.whole(request, Errors.UNSUPPORTED_VERSION, "Unsupported entity type " + type);
            } else if (component.matchType() == EXACT && component.match() == null) {
                invalid = "Request specified MATCH_TYPE_EXACT, but set match string to null.";
            } else if ((component.matchType() == DEFAULT || component.matchType() == SPECIFIED)
                    && component.match() != null) {
                invalid = "Request specified " + (component.matchType() == DEFAULT ? "MATCH_TYPE_DEFAULT"
                        : "MATCH_TYPE_SPECIFIED") + ", but also specified a match string.";
            } else if (component.matchType() < EXACT || component.matchType() > SPECIFIED) {
                invalid = "Unknown match type " + component.matchType();
            }
            if (invalid != null) {
                return AclHandlers.whole(request, Errors.INVALID_REQUEST, invalid);
            }
        }
        if (types.contains("ip") && (types.contains("user") || types.contains("client-id"))) {
            return AclHandlers.whole(request, Errors.INVALID_REQUEST, "Invalid entity filter component combination."
                    + " IP filter component should not be used with user or clientId filter component.");
        }
        return CompletableFuture.completedFuture(new DescribeClientQuotasResponseData()
                .setErrorCode(Errors.NONE.code()));
    }
}
