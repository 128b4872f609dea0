package io.samsa.api;

import io.samsa.metadata.MetadataController;
import io.samsa.metadata.MetadataRecord;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import io.samsa.security.Acl;
import io.samsa.security.AclFilter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.CreateAclsRequestData;
import org.apache.kafka.common.message.CreateAclsResponseData;
import org.apache.kafka.common.message.DeleteAclsRequestData;
import org.apache.kafka.common.message.DeleteAclsResponseData;
import org.apache.kafka.common.message.DescribeAclsRequestData;
import org.apache.kafka.common.message.DescribeAclsResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * CreateAcls, DescribeAcls and DeleteAcls, as Kafka serves them: ALTER on the cluster to create or delete, DESCRIBE
 * to list; SECURITY_DISABLED without an authorizer; ACLs live in the metadata log (a restart keeps them, every
 * connection sees a change at once). A new ACL is validated as Kafka's controller validates it (INVALID_REQUEST with
 * Kafka's messages); creating an ACL that exists already changes nothing.
 */
final class AclHandlers {

    private final MetadataController metadata;
    private final Access access;

    AclHandlers(MetadataController metadata, Access access) {
        this.metadata = metadata;
        this.access = access;
    }

    CompletableFuture<ApiMessage> create(Request request, ClientConnection connection) {
        CreateAclsRequestData data = (CreateAclsRequestData) request.body();
        if (!access.enabled()) {
            return whole(request, Errors.SECURITY_DISABLED, "No Authorizer is configured.");
        }
        if (!access.allowedOnCluster(request, connection, Acl.Operation.ALTER)) {
            return whole(request, Errors.CLUSTER_AUTHORIZATION_FAILED, null);
        }
        Map<UUID, MetadataRecord.AccessControlEntry> existing = metadata.image().acls();
        List<Acl> known = existing.values().stream().map(AclRecords::toAcl).toList();
        List<MetadataRecord> records = new ArrayList<>();
        List<Acl> added = new ArrayList<>();
        CreateAclsResponseData response = new CreateAclsResponseData();
        for (CreateAclsRequestData.AclCreation c : data.creations()) {
            Acl acl = new Acl(Acl.ResourceType.of(c.resourceType()), c.resourceName(),
                    Acl.PatternType.of(c.resourcePatternType()), c.principal(), c.host(),
                    Acl.Operation.of(c.operation()), Acl.Permission.of(c.permissionType()));
            String problem = problem(acl);
            CreateAclsResponseData.AclCreationResult result = new CreateAclsResponseData.AclCreationResult();
            if (problem != null) {
                result.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage(problem);
            } else if (!known.contains(acl) && !added.contains(acl)) {
                added.add(acl);
                records.add(AclRecords.toRecord(UUID.randomUUID(), acl));
            }
            response.results().add(result);
        }
        return metadata.changeAcls(records).thenApply(v -> response);
    }

    CompletableFuture<ApiMessage> describe(Request request, ClientConnection connection) {
        DescribeAclsRequestData data = (DescribeAclsRequestData) request.body();
        if (!access.enabled()) {
            return CompletableFuture.completedFuture(new DescribeAclsResponseData()
                    .setErrorCode(Errors.SECURITY_DISABLED.code())
                    .setErrorMessage("No Authorizer is configured on the broker"));
        }
        if (!access.allowedOnCluster(request, connection, Acl.Operation.DESCRIBE)) {
            return whole(request, Errors.CLUSTER_AUTHORIZATION_FAILED, null);
        }
        AclFilter filter = new AclFilter(Acl.ResourceType.of(data.resourceTypeFilter()), data.resourceNameFilter(),
                Acl.PatternType.of(data.patternTypeFilter()), data.principalFilter(), data.hostFilter(),
                Acl.Operation.of(data.operation()), Acl.Permission.of(data.permissionType()));
        if (filter.invalidReason() != null) {
            return whole(request, Errors.INVALID_REQUEST, filter.invalidReason());
        }
        Map<String, DescribeAclsResponseData.DescribeAclsResource> resources = new LinkedHashMap<>();
        for (MetadataRecord.AccessControlEntry r : metadata.image().acls().values()) {
            Acl acl = AclRecords.toAcl(r);
            if (!filter.matches(acl)) {
                continue;
            }
            resources.computeIfAbsent(acl.resourceType() + "\u0000" + acl.patternType() + "\u0000"
                    + acl.resourceName(), k -> new DescribeAclsResponseData.DescribeAclsResource()
                            .setResourceType(acl.resourceType().code).setResourceName(acl.resourceName())
                            .setPatternType(acl.patternType().code))
                    .acls().add(new DescribeAclsResponseData.AclDescription().setPrincipal(acl.principal())
                            .setHost(acl.host()).setOperation(acl.operation().code)
                            .setPermissionType(acl.permission().code));
        }
        return CompletableFuture.completedFuture(new DescribeAclsResponseData().setErrorCode(Errors.NONE.code())
                .setResources(new ArrayList<>(resources.values())));
    }

    CompletableFuture<ApiMessage> delete(Request request, ClientConnection connection) {
        DeleteAclsRequestData data = (DeleteAclsRequestData) request.body();
        if (!access.enabled()) {
            return whole(request, Errors.SECURITY_DISABLED, "No Authorizer is configured.");
        }
        if (!access.allowedOnCluster(request, connection, Acl.Operation.ALTER)) {
            return whole(request, Errors.CLUSTER_AUTHORIZATION_FAILED, null);
        }
        Map<UUID, MetadataRecord.AccessControlEntry> existing = metadata.image().acls();
        List<UUID> deleted = new ArrayList<>();
        List<MetadataRecord> records = new ArrayList<>();
        DeleteAclsResponseData response = new DeleteAclsResponseData();
        for (DeleteAclsRequestData.DeleteAclsFilter f : data.filters()) {
            AclFilter filter = new AclFilter(Acl.ResourceType.of(f.resourceTypeFilter()), f.resourceNameFilter(),
                    Acl.PatternType.of(f.patternTypeFilter()), f.principalFilter(), f.hostFilter(),
                    Acl.Operation.of(f.operation()), Acl.Permission.of(f.permissionType()));
            DeleteAclsResponseData.DeleteAclsFilterResult result = new DeleteAclsResponseData.DeleteAclsFilterResult();
            if (filter.invalidReason() != null) {
                response.filterResults().add(result.setErrorCode(Errors.INVALID_REQUEST.code())
                        .setErrorMessage(filter.invalidReason()));
                continue;
            }
            existing.forEach((id, r) -> {
                Acl acl = AclRecords.toAcl(r);
                if (filter.matches(acl)) {
                    result.matchingAcls().add(new DeleteAclsResponseData.DeleteAclsMatchingAcl()
                            .setResourceType(acl.resourceType().code).setResourceName(acl.resourceName())
                            .setPatternType(acl.patternType().code).setPrincipal(acl.principal())
                            .setHost(acl.host()).setOperation(acl.operation().code)
                            .setPermissionType(acl.permission().code));
                    if (!deleted.contains(id)) {
                        deleted.add(id);
                        records.add(new MetadataRecord.RemoveAccessControlEntry(id));
                    }
                }
            });
            response.filterResults().add(result);
        }
        return metadata.changeAcls(records).thenApply(v -> response);
    }

    /** Why Kafka refuses a new ACL, or null. */
    private static String problem(Acl acl) {
        if (acl.resourceType() == Acl.ResourceType.UNKNOWN || acl.resourceType() == Acl.ResourceType.ANY) {
            return "Invalid resourceType " + acl.resourceType();
        }
        if (acl.patternType() != Acl.PatternType.LITERAL && acl.patternType() != Acl.PatternType.PREFIXED) {
            return "Invalid patternType " + acl.patternType();
        }
        if (acl.operation() == Acl.Operation.UNKNOWN || acl.operation() == Acl.Operation.ANY) {
            return "Invalid operation " + acl.operation();
        }
        if (acl.permission() != Acl.Permission.ALLOW && acl.permission() != Acl.Permission.DENY) {
            return "Invalid permissionType " + acl.permission();
        }
        if (acl.resourceType() == Acl.ResourceType.CLUSTER && !acl.resourceName().equals(Acl.CLUSTER_NAME)) {
            return "The only valid name for the CLUSTER resource is " + Acl.CLUSTER_NAME;
        }
        if (acl.resourceName().isEmpty()) {
            return "Invalid empty resource name";
        }
        if (acl.principal() == null || acl.principal().indexOf(':') <= 0) {
            return "Could not parse principal from `" + acl.principal() + "` (no colon is present separating the"
                    + " principal type from the principal name)";
        }
        if (acl.host() == null || acl.host().isEmpty()) {
            return "Invalid empty host";
        }
        if (acl.resourceName().length() > 1024 || acl.principal().length() > 1024 || acl.host().length() > 1024) {
            return "Resource names, principals and hosts of ACLs are limited to 1024 characters";
        }
        return null;
    }

    /** The whole request's error response, as Kafka builds it. */
    static CompletableFuture<ApiMessage> whole(Request request, Errors error, String message) {
        return CompletableFuture.completedFuture(request.request().getErrorResponse(0,
                message == null ? error.exception() : error.exception(message)).data());
    }
}
