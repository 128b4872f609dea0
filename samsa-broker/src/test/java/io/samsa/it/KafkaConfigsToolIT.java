package io.samsa.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka's own {@code kafka-configs} (ConfigCommand of kafka_2.13 4.1.1, in a child JVM) against Samsa, as an
 * operator moving from Kafka would run it with {@code --bootstrap-server}: it adds a SCRAM-SHA-512 user, with whom a
 * producer then authenticates over SASL_SSL; describes the user's credentials; deletes them, after which the user is
 * refused; and alters, describes and deletes a topic's configs. The tool runs as a super user over SASL_PLAINTEXT
 * with the authorizer on.
 */
class KafkaConfigsToolIT {

    private static final String MAIN = "kafka.admin.ConfigCommand";

    @TempDir
    Path dir;

    @Test
    void kafkaConfigsManagesScramUsersAndTopicConfigs() throws Exception {
        TestCertificates certs = new TestCertificates(dir);
        Path brokerStore = certs.keyStore("broker", "CN=localhost");
        Path clientTrust = certs.trustStore("client-trust", brokerStore);
        Map<String, String> settings = new HashMap<>();
        settings.put("listeners", "SASL_PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0");
        settings.put("listener.name.sasl_plaintext.sasl.enabled.mechanisms", "PLAIN");
        settings.put("listener.name.sasl_plaintext.plain.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required user_admin=\"admin-pw\";");
        settings.put("listener.name.sasl_ssl.sasl.enabled.mechanisms", "SCRAM-SHA-512");
        settings.put("ssl.keystore.type", "PKCS12");
        settings.put("ssl.keystore.location", brokerStore.toString());
        settings.put("ssl.keystore.password", TestCertificates.PASSWORD);
        settings.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        settings.put("super.users", "User:admin;User:alice");
        settings.put("connection.failed.authentication.delay.ms", "0");
        try (BrokerFixture broker = BrokerFixture.start(settings)) {
            Path commandConfig = dir.resolve("admin.properties");
            Files.writeString(commandConfig, """
                    security.protocol=SASL_PLAINTEXT
                    sasl.mechanism=PLAIN
                    sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required \
                    username="admin" password="admin-pw";
                    """);
            List<String> base = List.of("--bootstrap-server", broker.bootstrap("SASL_PLAINTEXT"),
                    "--command-config", commandConfig.toString());

            // A SCRAM user, then a client of that user over SASL_SSL.
            assertThat(run(base, "--alter", "--entity-type", "users", "--entity-name", "alice", "--add-config",
                    "SCRAM-SHA-512=[iterations=8192,password=alice-secret]"))
                    .contains("Completed updating config for user alice.");
            broker.admin(scram(broker, clientTrust, "alice-secret")).createTopics(List.of(
                    new NewTopic("orders", 1, (short) 1))).all().get();
            try (KafkaProducer<String, String> producer = broker.producer(scram(broker, clientTrust,
                    "alice-secret"))) {
                assertThat(producer.send(new ProducerRecord<>("orders", 0, "k", "v")).get().offset()).isZero();
            }
            assertThatThrownBy(() -> broker.admin(scram(broker, clientTrust, "wrong")).listTopics().names().get())
                    .hasCauseInstanceOf(SaslAuthenticationException.class);

            assertThat(run(base, "--describe", "--entity-type", "users", "--entity-name", "alice"))
                    .contains("SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-512=iterations=8192");

            // Deleted credentials: alice is refused on her next connection.
            assertThat(run(base, "--alter", "--entity-type", "users", "--entity-name", "alice", "--delete-config",
                    "SCRAM-SHA-512")).contains("Completed updating config for user alice.");
            assertThat(run(base, "--describe", "--entity-type", "users", "--entity-name", "alice"))
                    .doesNotContain("SCRAM credential configs for user-principal 'alice'");
            assertThatThrownBy(() -> broker.admin(scram(broker, clientTrust, "alice-secret")).listTopics().names()
                    .get()).hasCauseInstanceOf(SaslAuthenticationException.class);

            // Topic configs.
            assertThat(run(base, "--alter", "--entity-type", "topics", "--entity-name", "orders", "--add-config",
                    "retention.ms=3600000,cleanup.policy=compact"))
                    .contains("Completed updating config for topic orders.");
            String described = run(base, "--describe", "--entity-type", "topics", "--entity-name", "orders");
            assertThat(described).contains("Dynamic configs for topic orders are:", "retention.ms=3600000",
                    "cleanup.policy=compact");
            run(base, "--alter", "--entity-type", "topics", "--entity-name", "orders", "--delete-config",
                    "retention.ms");
            ConfigResource orders = new ConfigResource(ConfigResource.Type.TOPIC, "orders");
            var configs = broker.admin(admin(broker)).describeConfigs(List.of(orders)).all().get().get(orders);
            assertThat(configs.get("retention.ms").value()).isEqualTo("604800000");
            assertThat(configs.get("cleanup.policy").value()).isEqualTo("compact");
        }
    }

    private static Map<String, Object> scram(BrokerFixture broker, Path trustStore, String password) {
        Map<String, Object> props = new HashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap("SASL_SSL"));
        props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
        props.put(SaslConfigs.SASL_MECHANISM, "SCRAM-SHA-512");
        props.put(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.scram.ScramLoginModule required"
                + " username=\"alice\" password=\"" + password + "\";");
        props.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
        props.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, trustStore.toString());
        props.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, TestCertificates.PASSWORD);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        return props;
    }

    private static Map<String, Object> admin(BrokerFixture broker) {
        Map<String, Object> props = new HashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap("SASL_PLAINTEXT"));
        props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
        props.put(SaslConfigs.SASL_MECHANISM, "PLAIN");
        props.put(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.plain.PlainLoginModule required"
                + " username=\"admin\" password=\"admin-pw\";");
        return props;
    }

    /**
     * The tool's classpath: the tests' (kafka-clients, kafka-server-common, kafka-server, jopt-simple, jackson) and
     * the jars the build copied for it (Kafka's Scala core and the few broker modules whose config classes it reads).
     */
    private static String toolClasspath() throws IOException {
        Path libs = Path.of(System.getProperty("kafka.configs.libs", "target/kafka-configs-libs"));
        try (Stream<Path> jars = Files.list(libs)) {
            return System.getProperty("java.class.path") + File.pathSeparator + jars.map(Path::toString).sorted()
                    .collect(Collectors.joining(File.pathSeparator));
        }
    }

    /** Runs kafka-configs with these arguments; returns its standard output; fails unless it exits 0. */
    private String run(List<String> base, String... args) throws Exception {
        return new KafkaTool("kafka-configs", MAIN, toolClasspath(), dir).run(base, args);
    }
}
