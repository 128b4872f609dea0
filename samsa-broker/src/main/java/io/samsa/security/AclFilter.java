package io.samsa.security;

/**
 * Kafka's AclBindingFilter: null strings and ANY enums match everything; pattern type MATCH matches every ACL that
 * would apply to the named resource (the literal name, the {@code *} wildcard, and prefixes of it). Immutable.
 */
public record AclFilter(Acl.ResourceType resourceType, String resourceName, Acl.PatternType patternType,
        String principal, String host, Acl.Operation operation, Acl.Permission permission) {

    public boolean matches(Acl acl) {
        return matchesResource(acl)
                && (principal == null || principal.equals(acl.principal()))
                && (host == null || host.equals(acl.host()))
                && (operation == Acl.Operation.ANY || operation == acl.operation())
                && (permission == Acl.Permission.ANY || permission == acl.permission());
    }

    private boolean matchesResource(Acl acl) {
        if (resourceType != Acl.ResourceType.ANY && resourceType != acl.resourceType()) {
            return false;
        }
        return switch (patternType) {
            case ANY -> resourceName == null || resourceName.equals(acl.resourceName());
            case MATCH -> resourceName == null || switch (acl.patternType()) {
                case LITERAL -> acl.resourceName().equals(resourceName) || acl.resourceName().equals(Acl.WILDCARD);
                case PREFIXED -> resourceName.startsWith(acl.resourceName());
                default -> false;
            };
            default -> patternType == acl.patternType()
                    && (resourceName == null || resourceName.equals(acl.resourceName()));
        };
    }

    /**
     * Why a filter cannot be used to delete or describe, or null: Kafka refuses UNKNOWN values in any field.
     */
    public String invalidReason() {
        if (resourceType == Acl.ResourceType.UNKNOWN || patternType == Acl.PatternType.UNKNOWN
                || operation == Acl.Operation.UNKNOWN || permission == Acl.Permission.UNKNOWN) {
            return "The filter contains UNKNOWN elements";
        }
        return null;
    }
}
