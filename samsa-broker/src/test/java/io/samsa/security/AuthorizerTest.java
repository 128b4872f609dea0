package io.samsa.security;

import static io.samsa.security.Acl.Operation.ALL;
import static io.samsa.security.Acl.Operation.ALTER_CONFIGS;
import static io.samsa.security.Acl.Operation.DELETE;
import static io.samsa.security.Acl.Operation.DESCRIBE;
import static io.samsa.security.Acl.Operation.DESCRIBE_CONFIGS;
import static io.samsa.security.Acl.Operation.READ;
import static io.samsa.security.Acl.Operation.WRITE;
import static io.samsa.security.Acl.PatternType.LITERAL;
import static io.samsa.security.Acl.PatternType.PREFIXED;
import static io.samsa.security.Acl.Permission.ALLOW;
import static io.samsa.security.Acl.Permission.DENY;
import static io.samsa.security.Acl.ResourceType.GROUP;
import static io.samsa.security.Acl.ResourceType.TOPIC;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Kafka's authorization semantics, one rule at a time. */
class AuthorizerTest {

    private final List<Acl> acls = new ArrayList<>();

    private Authorizer authorizer(boolean allowIfNoAcl) {
        return new Authorizer(() -> List.copyOf(acls), Set.of("User:root"), allowIfNoAcl);
    }

    private void add(Acl.ResourceType type, String name, Acl.PatternType pattern, String principal, String host,
            Acl.Operation op, Acl.Permission permission) {
        acls.add(new Acl(type, name, pattern, principal, host, op, permission));
    }

    @Test
    void literalPrefixedAndWildcardPatternsWithPrincipalAndHostMatching() {
        add(TOPIC, "orders", LITERAL, "User:alice", "*", READ, ALLOW);
        add(TOPIC, "pay-", PREFIXED, "User:*", "10.0.0.1", WRITE, ALLOW);
        add(GROUP, "*", LITERAL, "User:bob", "*", READ, ALLOW);
        Authorizer a = authorizer(false);
        assertThat(a.authorize("User:alice", "1.2.3.4", READ, TOPIC, "orders")).isTrue();
        assertThat(a.authorize("User:alice", "1.2.3.4", READ, TOPIC, "orders2")).isFalse();
        assertThat(a.authorize("User:bob", "1.2.3.4", READ, TOPIC, "orders")).isFalse();
        assertThat(a.authorize("User:anyone", "10.0.0.1", WRITE, TOPIC, "pay-eu")).isTrue();
        assertThat(a.authorize("User:anyone", "10.0.0.2", WRITE, TOPIC, "pay-eu")).isFalse();
        assertThat(a.authorize("User:bob", "1.2.3.4", READ, GROUP, "any-group")).isTrue();
        assertThat(a.authorize("User:root", "1.2.3.4", DELETE, TOPIC, "orders")).as("super user").isTrue();
    }

    @Test
    void denyWinsAndMatchesOnlyItsOperationOrAll() {
        add(TOPIC, "t", LITERAL, "User:alice", "*", ALL, ALLOW);
        add(TOPIC, "t", LITERAL, "User:alice", "*", DELETE, DENY);
        Authorizer a = authorizer(false);
        assertThat(a.authorize("User:alice", "h", WRITE, TOPIC, "t")).isTrue();
        assertThat(a.authorize("User:alice", "h", DELETE, TOPIC, "t")).isFalse();
        add(TOPIC, "t", PREFIXED, "User:*", "*", ALL, DENY);
        assertThat(authorizer(false).authorize("User:alice", "h", WRITE, TOPIC, "t")).isFalse();
    }

    @Test
    void allowImpliesDescribeAndDescribeConfigsButDenyImpliesNothing() {
        add(TOPIC, "t", LITERAL, "User:a", "*", WRITE, ALLOW);
        add(TOPIC, "t", LITERAL, "User:a", "*", ALTER_CONFIGS, ALLOW);
        add(TOPIC, "u", LITERAL, "User:a", "*", READ, DENY);
        add(TOPIC, "u", LITERAL, "User:a", "*", DESCRIBE, ALLOW);
        Authorizer a = authorizer(false);
        assertThat(a.authorize("User:a", "h", DESCRIBE, TOPIC, "t")).isTrue();
        assertThat(a.authorize("User:a", "h", DESCRIBE_CONFIGS, TOPIC, "t")).isTrue();
        assertThat(a.authorize("User:a", "h", READ, TOPIC, "t")).isFalse();
        assertThat(a.authorize("User:a", "h", DESCRIBE, TOPIC, "u")).as("a DENY of READ does not deny DESCRIBE")
                .isTrue();
    }

    @Test
    void allowEveryoneIfNoAclFoundAppliesOnlyToResourcesWithoutAnyAcl() {
        add(TOPIC, "guarded", LITERAL, "User:alice", "*", READ, ALLOW);
        assertThat(authorizer(true).authorize("User:bob", "h", READ, TOPIC, "open")).isTrue();
        assertThat(authorizer(true).authorize("User:bob", "h", READ, TOPIC, "guarded")).isFalse();
        assertThat(authorizer(false).authorize("User:bob", "h", READ, TOPIC, "open")).isFalse();
    }

    @Test
    void denialLinesAreRateLimitedAndTheHeldBackOnesCounted() {
        AtomicLong now = new AtomicLong();
        DenialLog log = new DenialLog(now::get);
        int logged = 0;
        for (int i = 0; i < 100; i++) {
            logged += log.denied("User:x", "h", READ, TOPIC, "t", "FETCH") ? 1 : 0;
        }
        assertThat(logged).isEqualTo(DenialLog.LINES_PER_SECOND);
        now.addAndGet(1_000_000_000L);
        assertThat(log.denied("User:x", "h", READ, TOPIC, "t", "FETCH")).isTrue();
    }
}
