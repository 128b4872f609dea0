package io.samsa.security;

import java.util.Arrays;

/**
 * Kafka's ACL vocabulary with Kafka's wire codes, and one ACL binding. Immutable.
 *
 * @param resourceType what kind of resource (TOPIC, GROUP, CLUSTER, TRANSACTIONAL_ID, ...)
 * @param resourceName its name, or a prefix (PREFIXED), or {@code *} (every resource of the type, LITERAL)
 * @param patternType LITERAL or PREFIXED
 * @param principal {@code User:name}, or {@code User:*} for everyone
 * @param host a client IP address, or {@code *}
 * @param operation what it allows or denies
 * @param permission ALLOW or DENY
 */
public record Acl(ResourceType resourceType, String resourceName, PatternType patternType, String principal,
        String host, Operation operation, Permission permission) {

    public static final String WILDCARD = "*";
    public static final String CLUSTER_NAME = "kafka-cluster";

    /** Kafka's AclOperation. */
    public enum Operation {
        UNKNOWN(0), ANY(1), ALL(2), READ(3), WRITE(4), CREATE(5), DELETE(6), ALTER(7), DESCRIBE(8),
        CLUSTER_ACTION(9), DESCRIBE_CONFIGS(10), ALTER_CONFIGS(11), IDEMPOTENT_WRITE(12), CREATE_TOKENS(13),
        DESCRIBE_TOKENS(14), TWO_PHASE_COMMIT(15);

        public final byte code;

        Operation(int code) {
            this.code = (byte) code;
        }

        public static Operation of(byte code) {
            return Arrays.stream(values()).filter(v -> v.code == code).findFirst().orElse(UNKNOWN);
        }
    }

    /** Kafka's ResourceType. */
    public enum ResourceType {
        UNKNOWN(0), ANY(1), TOPIC(2), GROUP(3), CLUSTER(4), TRANSACTIONAL_ID(5), DELEGATION_TOKEN(6), USER(7);

        public final byte code;

        ResourceType(int code) {
            this.code = (byte) code;
        }

        public static ResourceType of(byte code) {
            return Arrays.stream(values()).filter(v -> v.code == code).findFirst().orElse(UNKNOWN);
        }
    }

    /** Kafka's PatternType. */
    public enum PatternType {
        UNKNOWN(0), ANY(1), MATCH(2), LITERAL(3), PREFIXED(4);

        public final byte code;

        PatternType(int code) {
            this.code = (byte) code;
        }

        public static PatternType of(byte code) {
            return Arrays.stream(values()).filter(v -> v.code == code).findFirst().orElse(UNKNOWN);
        }
    }

    /** Kafka's AclPermissionType. */
    public enum Permission {
        UNKNOWN(0), ANY(1), DENY(2), ALLOW(3);

        public final byte code;

        Permission(int code) {
            this.code = (byte) code;
        }

        public static Permission of(byte code) {
            return Arrays.stream(values()).filter(v -> v.code == code).findFirst().orElse(UNKNOWN);
        }
    }

    /** True when this ACL's resource pattern covers the resource {@code type}/{@code name}. */
    public boolean covers(ResourceType type, String name) {
        if (resourceType != type) {
            return false;
        }
        return switch (patternType) {
            case LITERAL -> resourceName.equals(name) || resourceName.equals(WILDCARD);
            case PREFIXED -> name.startsWith(resourceName);
            default -> false;
        };
    }

    @Override
    public String toString() {
        return "(" + resourceType + ":" + patternType + ":" + resourceName + ", principal=" + principal + ", host="
                + host + ", operation=" + operation + ", permission=" + permission + ")";
    }
}
