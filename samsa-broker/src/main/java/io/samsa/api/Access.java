package io.samsa.api;

import io.samsa.metadata.MetadataController;
import io.samsa.metadata.MetadataRecord;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import io.samsa.security.Acl;
import io.samsa.security.Authorizer;
import io.samsa.security.DenialLog;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.common.protocol.Errors;

/**
 * What the handlers ask before serving a request: may this connection's principal, from its host, do this operation
 * on this resource. With no authorizer configured ({@link #ALLOW_ALL}) everything is allowed. A denial is logged
 * (rate-limited, {@link DenialLog}) unless the caller only filters a list, as Kafka does. The broker's internal
 * requests (no listener) are always allowed. Thread-safe.
 */
final class Access {

    static final Access ALLOW_ALL = new Access(null, null);

    /** Kafka's authorized-operations bit sets (KIP-430) list these operations per resource type. */
    private static final Map<Acl.ResourceType, List<Acl.Operation>> OPERATIONS = Map.of(
            Acl.ResourceType.TOPIC, List.of(Acl.Operation.READ, Acl.Operation.WRITE, Acl.Operation.CREATE,
                    Acl.Operation.DELETE, Acl.Operation.ALTER, Acl.Operation.DESCRIBE, Acl.Operation.DESCRIBE_CONFIGS,
                    Acl.Operation.ALTER_CONFIGS),
            Acl.ResourceType.GROUP, List.of(Acl.Operation.READ, Acl.Operation.DELETE, Acl.Operation.DESCRIBE,
                    Acl.Operation.DESCRIBE_CONFIGS, Acl.Operation.ALTER_CONFIGS),
            Acl.ResourceType.CLUSTER, List.of(Acl.Operation.CREATE, Acl.Operation.ALTER, Acl.Operation.DESCRIBE,
                    Acl.Operation.CLUSTER_ACTION, Acl.Operation.DESCRIBE_CONFIGS, Acl.Operation.ALTER_CONFIGS,
                    Acl.Operation.IDEMPOTENT_WRITE));

    private final Authorizer authorizer;
    private final DenialLog denials;

    private Access(Authorizer authorizer, DenialLog denials) {
        this.authorizer = authorizer;
        this.denials = denials;
    }

    /**
     * Access decided by ACLs in the metadata log.
     *
     * @param superUsers super.users as principals
     * @param allowIfNoAcl allow.everyone.if.no.acl.found
     */
    static Access withAcls(MetadataController metadata, Set<String> superUsers, boolean allowIfNoAcl) {
        AclSnapshot snapshot = new AclSnapshot(metadata);
        return new Access(new Authorizer(snapshot::acls, superUsers, allowIfNoAcl), new DenialLog(System::nanoTime));
    }

    /** True when an authorizer decides (authorizer.class.name is set). */
    boolean enabled() {
        return authorizer != null;
    }

    /** Whether the request may do this; a denial is logged. */
    boolean allowed(Request request, ClientConnection connection, Acl.Operation operation, Acl.ResourceType type,
            String name) {
        if (authorizer == null || connection.listenerName() == null) {
            return true;
        }
        String principal = connection.session().principal();
        String host = host(connection);
        if (authorizer.authorize(principal, host, operation, type, name)) {
            return true;
        }
        denials.denied(principal, host, operation, type, name, request.apiKey().name);
        return false;
    }

    /** Whether the request may do this; not logged (a list being filtered, or a fallback check). */
    boolean allowedQuietly(ClientConnection connection, Acl.Operation operation, Acl.ResourceType type,
            String name) {
        return authorizer == null || connection.listenerName() == null
                || authorizer.authorize(connection.session().principal(), host(connection), operation, type, name);
    }

    /** Whether the principal may do {@code operation} on some resource of the type (Kafka's by-resource-type). */
    boolean allowedOnAny(ClientConnection connection, Acl.Operation operation, Acl.ResourceType type) {
        return authorizer == null || connection.listenerName() == null
                || authorizer.authorizeAny(connection.session().principal(), host(connection), operation, type);
    }

    /** The cluster resource, under Kafka's one name. */
    boolean allowedOnCluster(Request request, ClientConnection connection, Acl.Operation operation) {
        return allowed(request, connection, operation, Acl.ResourceType.CLUSTER, Acl.CLUSTER_NAME);
    }

    /**
     * The error for a config resource (by its wire type) on which the principal may not do {@code operation}
     * (DESCRIBE_CONFIGS or ALTER_CONFIGS), or null when allowed. Kafka's mapping: a topic is checked on the topic, a
     * group on the group, and a broker, broker logger or client-metrics resource on the cluster; other types are
     * left to the handler, which refuses them.
     */
    Errors configDenial(Request request, ClientConnection connection, Acl.Operation operation, byte configType,
            String name) {
        String resource = name == null ? "" : name;
        return switch (configType) {
            case 2 -> allowed(request, connection, operation, Acl.ResourceType.TOPIC, resource) ? null
                    : Errors.TOPIC_AUTHORIZATION_FAILED;
            case 32 -> allowed(request, connection, operation, Acl.ResourceType.GROUP, resource) ? null
                    : Errors.GROUP_AUTHORIZATION_FAILED;
            case 4, 8, 16 -> allowedOnCluster(request, connection, operation) ? null
                    : Errors.CLUSTER_AUTHORIZATION_FAILED;
            default -> null;
        };
    }

    /** KIP-430's bit set of the operations the principal may do on a resource. */
    int authorizedOperations(ClientConnection connection, Acl.ResourceType type, String name) {
        int bits = 0;
        for (Acl.Operation operation : OPERATIONS.getOrDefault(type, List.of())) {
            if (allowedQuietly(connection, operation, type, name)) {
                bits |= 1 << operation.code;
            }
        }
        return bits;
    }

    private static String host(ClientConnection connection) {
        return connection.remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null
                ? a.getAddress().getHostAddress() : "*";
    }

    /** The metadata image's ACLs as the authorizer's, converted once per change of the ACL map. */
    private static final class AclSnapshot {
        private final MetadataController metadata;
        private volatile Map<UUID, MetadataRecord.AccessControlEntry> source;
        private volatile List<Acl> acls = List.of();

        AclSnapshot(MetadataController metadata) {
            this.metadata = metadata;
        }

        Collection<Acl> acls() {
            Map<UUID, MetadataRecord.AccessControlEntry> current = metadata.image().acls();
            if (current != source) {
                List<Acl> converted = new ArrayList<>(current.size());
                current.values().forEach(r -> converted.add(AclRecords.toAcl(r)));
                acls = List.copyOf(converted);
                source = current;
            }
            return acls;
        }
    }
}
