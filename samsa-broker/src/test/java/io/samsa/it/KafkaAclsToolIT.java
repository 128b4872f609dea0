package io.samsa.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.config.SaslConfigs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka's {@code kafka-acls} (AclCommand of kafka-tools 4.1.1, in a child JVM) against a broker with the authorizer
 * on, authenticated as a super user over SASL_PLAINTEXT: it adds ACLs (a producer and a consumer grant, a prefixed
 * pattern), lists them and removes them, and the broker's DescribeAcls agrees at each step.
 */
class KafkaAclsToolIT {

    private static final String MAIN = "org.apache.kafka.tools.AclCommand";

    @TempDir
    Path dir;

    @Test
    void kafkaAclsAddsListsAndRemovesAcls() throws Exception {
        Map<String, String> settings = new HashMap<>();
        settings.put("listeners", "SASL_PLAINTEXT://127.0.0.1:0");
        settings.put("sasl.enabled.mechanisms", "PLAIN");
        settings.put("listener.name.sasl_plaintext.plain.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required user_admin=\"admin-pw\";");
        settings.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        settings.put("super.users", "User:admin");
        try (BrokerFixture broker = BrokerFixture.start(settings)) {
            Path commandConfig = dir.resolve("admin.properties");
            Files.writeString(commandConfig, """
                    security.protocol=SASL_PLAINTEXT
                    sasl.mechanism=PLAIN
                    sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required \
                    username="admin" password="admin-pw";
                    """);
            List<String> base = List.of("--bootstrap-server", broker.bootstrap(), "--command-config",
                    commandConfig.toString());
            run(base, "--add", "--allow-principal", "User:alice", "--producer", "--topic", "orders");
            run(base, "--add", "--allow-principal", "User:alice", "--consumer", "--topic", "orders", "--group",
                    "billing");
            run(base, "--add", "--deny-principal", "User:bob", "--operation", "Read", "--topic", "pay-",
                    "--resource-pattern-type", "prefixed");

            Map<String, Object> props = new HashMap<>();
            props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
            props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
            props.put(SaslConfigs.SASL_MECHANISM, "PLAIN");
            props.put(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.plain.PlainLoginModule"
                    + " required username=\"admin\" password=\"admin-pw\";");
            Admin admin = broker.admin(props);
            List<String> acls = admin.describeAcls(AclBindingFilter.ANY).values().get().stream()
                    .map(KafkaAclsToolIT::describe).sorted().toList();
            // --producer: WRITE, DESCRIBE, CREATE on the topic; --consumer: READ, DESCRIBE on it and READ on the group.
            assertThat(acls).containsExactly(
                    "GROUP:LITERAL:billing User:alice READ ALLOW",
                    "TOPIC:LITERAL:orders User:alice CREATE ALLOW",
                    "TOPIC:LITERAL:orders User:alice DESCRIBE ALLOW",
                    "TOPIC:LITERAL:orders User:alice READ ALLOW",
                    "TOPIC:LITERAL:orders User:alice WRITE ALLOW",
                    "TOPIC:PREFIXED:pay- User:bob READ DENY");

            String listed = run(base, "--list", "--topic", "orders");
            assertThat(listed).contains("principal=User:alice", "operation=WRITE", "operation=READ");

            // ACLs are a set: the producer's DESCRIBE was the consumer's too, and goes with the producer grant.
            run(base, "--remove", "--force", "--allow-principal", "User:alice", "--producer", "--topic", "orders");
            assertThat(admin.describeAcls(AclBindingFilter.ANY).values().get().stream()
                    .map(KafkaAclsToolIT::describe).sorted().toList()).containsExactly(
                            "GROUP:LITERAL:billing User:alice READ ALLOW",
                            "TOPIC:LITERAL:orders User:alice READ ALLOW",
                            "TOPIC:PREFIXED:pay- User:bob READ DENY");
        }
    }

    private static String describe(AclBinding b) {
        return b.pattern().resourceType() + ":" + b.pattern().patternType() + ":" + b.pattern().name() + " "
                + b.entry().principal() + " " + b.entry().operation() + " " + b.entry().permissionType();
    }

    /** Runs kafka-acls with these arguments; returns its standard output; fails unless it exits 0. */
    private String run(List<String> base, String... args) throws Exception {
        return new KafkaTool("kafka-acls", MAIN, System.getProperty("java.class.path"), dir).run(base, args);
    }
}
