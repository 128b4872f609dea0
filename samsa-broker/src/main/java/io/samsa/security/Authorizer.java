package io.samsa.security;

import java.util.Collection;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Kafka's ACL authorization (the semantics of its StandardAuthorizer): a super user may do anything; otherwise the
 * ACLs whose resource pattern covers the resource (the literal name, the {@code *} wildcard, any matching prefix),
 * whose principal is the caller's or {@code User:*} and whose host is the caller's or {@code *} decide: a matching
 * DENY wins over any ALLOW; a DENY matches its own operation or ALL; an ALLOW also implies DESCRIBE (from READ, WRITE,
 * DELETE, ALTER) and DESCRIBE_CONFIGS (from ALTER_CONFIGS). With no ACL at all on the resource, the answer is
 * {@code allow.everyone.if.no.acl.found}. Thread-safe: the ACLs are read from an immutable snapshot per call.
 */
public final class Authorizer {

    private final Supplier<Collection<Acl>> acls;
    private final Set<String> superUsers;
    private final boolean allowIfNoAcl;

    /**
     * @param acls the current ACLs (an immutable snapshot per call)
     * @param superUsers super.users, as principals ({@code User:name})
     * @param allowIfNoAcl allow.everyone.if.no.acl.found
     */
    public Authorizer(Supplier<Collection<Acl>> acls, Set<String> superUsers, boolean allowIfNoAcl) {
        this.acls = acls;
        this.superUsers = Set.copyOf(superUsers);
        this.allowIfNoAcl = allowIfNoAcl;
    }

    /** Whether {@code principal} from {@code host} may do {@code operation} on the resource. */
    public boolean authorize(String principal, String host, Acl.Operation operation, Acl.ResourceType type,
            String name) {
        if (superUsers.contains(principal)) {
            return true;
        }
        boolean anyOnResource = false;
        boolean allowed = false;
        for (Acl acl : acls.get()) {
            if (!acl.covers(type, name)) {
                continue;
            }
            anyOnResource = true;
            if (!(acl.principal().equals(principal) || acl.principal().equals("User:*"))
                    || !(acl.host().equals(host) || acl.host().equals(Acl.WILDCARD))) {
                continue;
            }
            if (acl.permission() == Acl.Permission.DENY) {
                if (acl.operation() == operation || acl.operation() == Acl.Operation.ALL) {
                    return false;
                }
            } else if (acl.permission() == Acl.Permission.ALLOW && implies(acl.operation(), operation)) {
                allowed = true;
            }
        }
        return allowed || (!anyOnResource && allowIfNoAcl);
    }

    /** True when an ALLOW of {@code granted} allows {@code wanted}. */
    static boolean implies(Acl.Operation granted, Acl.Operation wanted) {
        if (granted == wanted || granted == Acl.Operation.ALL) {
            return true;
        }
        return switch (wanted) {
            case DESCRIBE -> granted == Acl.Operation.READ || granted == Acl.Operation.WRITE
                    || granted == Acl.Operation.DELETE || granted == Acl.Operation.ALTER;
            case DESCRIBE_CONFIGS -> granted == Acl.Operation.ALTER_CONFIGS;
            default -> false;
        };
    }

    /**
     * True when the principal may do {@code operation} on at least one resource of the type (Kafka's
     * authorizeByResourceType, used for idempotent producers without IDEMPOTENT_WRITE): some ALLOW for it that no
     * DENY cancels, a super user, or no ACL of that type and allow.everyone.if.no.acl.found.
     */
    public boolean authorizeAny(String principal, String host, Acl.Operation operation, Acl.ResourceType type) {
        if (superUsers.contains(principal)) {
            return true;
        }
        boolean anyOfType = false;
        boolean allowed = false;
        for (Acl acl : acls.get()) {
            if (acl.resourceType() != type) {
                continue;
            }
            anyOfType = true;
            boolean mine = (acl.principal().equals(principal) || acl.principal().equals("User:*"))
                    && (acl.host().equals(host) || acl.host().equals(Acl.WILDCARD));
            if (!mine) {
                continue;
            }
            if (acl.permission() == Acl.Permission.DENY && acl.patternType() == Acl.PatternType.LITERAL
                    && acl.resourceName().equals(Acl.WILDCARD)
                    && (acl.operation() == operation || acl.operation() == Acl.Operation.ALL)) {
                return false;
            }
            if (acl.permission() == Acl.Permission.ALLOW && implies(acl.operation(), operation)) {
                allowed = true;
            }
        }
        return allowed || (!anyOfType && allowIfNoAcl);
    }
}
