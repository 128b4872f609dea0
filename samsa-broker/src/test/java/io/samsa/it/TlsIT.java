package io.samsa.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.samsa.server.Broker;
import io.samsa.server.BrokerConfig;
import io.samsa.server.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS listeners with the real kafka-clients over real sockets, with certificates the test makes itself: a broker with
 * a plaintext and a TLS listener side by side, mutual TLS, a PEM key store, and the bad inputs (a plaintext client on
 * the TLS port, garbage, an untrusted and an expired certificate), each followed by a check that a normal client still
 * works.
 */
class TlsIT {

    @TempDir
    static Path dir;

    static TestCertificates certs;
    static Path brokerStore;
    static Path clientStore;
    static Path expiredClientStore;
    static Path strangerStore;
    static Path clientTrust;
    static Path brokerTrust;

    @BeforeAll
    static void makeCertificates() {
        certs = new TestCertificates(dir);
        brokerStore = certs.keyStore("broker", "CN=localhost,O=Samsa");
        Path clientsCa = certs.authority("clients-ca", "CN=Clients CA,O=Samsa");
        clientStore = certs.signedKeyStore("alice", "CN=alice,OU=apps,O=Samsa", clientsCa, null, 30);
        expiredClientStore = certs.signedKeyStore("old", "CN=old,O=Samsa", clientsCa, "-30d", 10);
        strangerStore = certs.keyStore("stranger", "CN=stranger");
        clientTrust = certs.trustStore("client-trust", brokerStore);
        brokerTrust = certs.trustStore("broker-trust", clientsCa);
    }

    @AfterAll
    static void forget() {
        certs = null;
    }

    private static Map<String, String> tlsBroker(String clientAuth) {
        Map<String, String> settings = new HashMap<>();
        settings.put("listeners", "PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0");
        settings.put("ssl.keystore.type", "PKCS12");
        settings.put("ssl.keystore.location", brokerStore.toString());
        settings.put("ssl.keystore.password", TestCertificates.PASSWORD);
        settings.put("ssl.key.password", TestCertificates.PASSWORD);
        settings.put("ssl.truststore.type", "PKCS12");
        settings.put("ssl.truststore.location", brokerTrust.toString());
        settings.put("ssl.truststore.password", TestCertificates.PASSWORD);
        settings.put("ssl.client.auth", clientAuth);
        return settings;
    }

    private static Map<String, Object> tlsClient(BrokerFixture broker, Path keyStore) {
        Map<String, Object> props = new HashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap("SSL"));
        props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL");
        props.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
        props.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, clientTrust.toString());
        props.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, TestCertificates.PASSWORD);
        if (keyStore != null) {
            props.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PKCS12");
            props.put(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, keyStore.toString());
            props.put(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, TestCertificates.PASSWORD);
            props.put(SslConfigs.SSL_KEY_PASSWORD_CONFIG, TestCertificates.PASSWORD);
        }
        return props;
    }

    @Test
    void producesAndConsumesOverTlsBesideAPlaintextListenerEachAdvertisingItsOwnPort() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(tlsBroker("none"))) {
            assertThat(broker.bootstrap("SSL")).isNotEqualTo(broker.bootstrap("PLAINTEXT"));
            Map<String, Object> tls = tlsClient(broker, null);
            assertThat(nodes(broker.admin(tls))).extracting(n -> n.host() + ":" + n.port())
                    .containsExactly(broker.bootstrap("SSL"));
            assertThat(nodes(broker.admin())).extracting(n -> n.host() + ":" + n.port())
                    .containsExactly(broker.bootstrap("PLAINTEXT"));
            roundTrip(broker, tls, "tls-topic", 100);
            ConfigResource brokerResource = new ConfigResource(ConfigResource.Type.BROKER, "1");
            ConfigEntry password = broker.admin().describeConfigs(List.of(brokerResource)).all().get()
                    .get(brokerResource).get("ssl.keystore.password");
            assertThat(password.isSensitive()).isTrue();
            assertThat(password.value()).isNull();
        }
    }

    @Test
    void mutualTlsAcceptsATrustedClientCertificateAndRefusesNoneOrAnUntrustedOrExpiredOne() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(tlsBroker("required"))) {
            roundTrip(broker, tlsClient(broker, clientStore), "mtls-topic", 10);
            for (Path refused : new Path[] {null, strangerStore, expiredClientStore}) {
                Admin admin = broker.admin(withShortTimeouts(tlsClient(broker, refused)));
                assertThatThrownBy(() -> admin.describeCluster().clusterId().get(20, TimeUnit.SECONDS))
                        .as("client certificate %s", refused)
                        .hasCauseInstanceOf(SslAuthenticationException.class);
                admin.close(Duration.ZERO);
                roundTrip(broker, tlsClient(broker, clientStore), "mtls-topic", 10);
            }
        }
    }

    @Test
    void aPemKeyStoreGivenInlineServesTls() throws Exception {
        Map<String, String> settings = new HashMap<>();
        settings.put("listeners", "SSL://127.0.0.1:0");
        settings.put("listener.name.ssl.ssl.keystore.type", "PEM");
        settings.put("listener.name.ssl.ssl.keystore.certificate.chain", TestCertificates.certificatePem(brokerStore));
        settings.put("listener.name.ssl.ssl.keystore.key", TestCertificates.privateKeyPem(brokerStore));
        settings.put("ssl.truststore.type", "PEM");
        settings.put("ssl.truststore.certificates", TestCertificates.certificatePem(dir.resolve("clients-ca.p12")));
        settings.put("ssl.client.auth", "required");
        try (BrokerFixture broker = BrokerFixture.start(settings)) {
            roundTrip(broker, tlsClient(broker, clientStore), "pem-topic", 10);
        }
    }

    @Test
    void aPlaintextClientOrGarbageOnTheTlsPortIsClosedAndOthersCarryOn() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(tlsBroker("none"))) {
            String[] hostPort = broker.bootstrap("SSL").split(":");
            byte[] apiVersions = RawClient.frame(ApiKeys.API_VERSIONS, (short) 3, 1, new ApiVersionsRequestData()
                    .setClientSoftwareName("plain").setClientSoftwareVersion("1"));
            byte[] garbage = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".repeat(50).getBytes(StandardCharsets.US_ASCII);
            for (byte[] bytes : List.of(apiVersions, garbage)) {
                try (Socket socket = new Socket(hostPort[0], Integer.parseInt(hostPort[1]))) {
                    socket.setSoTimeout(20_000);
                    OutputStream out = socket.getOutputStream();
                    out.write(bytes);
                    out.flush();
                    InputStream in = socket.getInputStream();
                    // Nothing but (at most) a TLS alert comes back, then the end of the stream.
                    byte[] answer = in.readNBytes(4096);
                    assertThat(answer.length).isLessThan(64);
                    if (answer.length > 0) {
                        assertThat(answer[0]).as("a TLS alert record").isEqualTo((byte) 21);
                    }
                }
                roundTrip(broker, tlsClient(broker, null), "after-garbage", 5);
            }
        }
    }

    @Test
    void aTlsListenerWithoutAUsableKeyStoreStopsStartUpNamingTheSetting() {
        Map<String, String> settings = new HashMap<>();
        settings.put("listeners", "SSL://127.0.0.1:0");
        settings.put("log.dirs", dir.resolve("never").toString());
        assertThatThrownBy(() -> Broker.start(BrokerConfig.parse(settings))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("Listener SSL (SSL): a TLS listener needs a key store: set"
                        + " ssl.keystore.location");
        settings.put("ssl.keystore.location", brokerStore.toString());
        settings.put("ssl.keystore.type", "PKCS12");
        settings.put("ssl.keystore.password", "wrong");
        assertThatThrownBy(() -> Broker.start(BrokerConfig.parse(settings))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("ssl.keystore.password");
    }

    private static Map<String, Object> withShortTimeouts(Map<String, Object> props) {
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, 1_000);
        return props;
    }

    private static java.util.Collection<Node> nodes(Admin admin) throws ExecutionException, InterruptedException {
        DescribeClusterResult cluster = admin.describeCluster();
        return cluster.nodes().get();
    }

    /** Produces {@code count} records over these client settings and reads them back, in order. */
    static void roundTrip(BrokerFixture broker, Map<String, Object> props, String topic, int count)
            throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        long start;
        try (KafkaProducer<String, String> producer = broker.producer(props)) {
            start = producer.send(new ProducerRecord<>(topic, 0, "k", "first")).get().offset();
            for (int i = 1; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, 0, "k", "v" + i));
            }
            producer.flush();
        }
        try (KafkaConsumer<String, String> consumer = broker.consumer(props)) {
            consumer.assign(List.of(tp));
            consumer.seek(tp, start);
            List<String> values = new java.util.ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (values.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
            }
            assertThat(values).hasSize(count);
            assertThat(values.get(0)).isEqualTo("first");
            assertThat(values.get(count - 1)).isEqualTo(count == 1 ? "first" : "v" + (count - 1));
        }
    }
}
