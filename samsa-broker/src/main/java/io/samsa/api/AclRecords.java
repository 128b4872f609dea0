package io.samsa.api;

import io.samsa.metadata.MetadataRecord;
import io.samsa.security.Acl;
import java.util.UUID;

/** Converts between the metadata log's ACL records and the authorizer's ACLs. Thread-safe (stateless). */
final class AclRecords {

    private AclRecords() {}

    static Acl toAcl(MetadataRecord.AccessControlEntry r) {
        return new Acl(Acl.ResourceType.of(r.resourceType()), r.resourceName(), Acl.PatternType.of(r.patternType()),
                r.principal(), r.host(), Acl.Operation.of(r.operation()), Acl.Permission.of(r.permission()));
    }

    static MetadataRecord.AccessControlEntry toRecord(UUID id, Acl acl) {
        return new MetadataRecord.AccessControlEntry(id, acl.resourceType().code, acl.resourceName(),
                acl.patternType().code, acl.principal(), acl.host(), acl.operation().code, acl.permission().code);
    }
}
