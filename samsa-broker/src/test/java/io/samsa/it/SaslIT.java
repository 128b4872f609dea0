package io.samsa.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialDeletion;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.admin.UserScramCredentialsDescription;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.ResourceNotFoundException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.UnacceptableCredentialException;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.SaslAuthenticateResponse;
import org.apache.kafka.common.requests.SaslHandshakeResponse;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SASL with the real kafka-clients: PLAIN on SASL_PLAINTEXT with users from the listener's JAAS configuration, and
 * SCRAM-SHA-512 on SASL_SSL with credentials managed by Admin.alterUserScramCredentials (in the metadata log: they
 * survive a restart and apply to new connections at once). The bad inputs — a wrong password, an unknown mechanism,
 * a request before authenticating, an oversized token — each close that one connection, write nothing, and leave the
 * broker serving a normal client. Session lifetime and re-authentication (KIP-368) on a raw connection.
 */
class SaslIT {

    private static final String PLAIN_JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required"
            + " username=\"admin\" password=\"admin-secret\" user_admin=\"admin-secret\" user_alice=\"alice-secret\";";

    @TempDir
    static Path dir;

    static Path brokerStore;
    static Path clientTrust;

    @BeforeAll
    static void makeCertificates() {
        TestCertificates certs = new TestCertificates(dir);
        brokerStore = certs.keyStore("broker", "CN=localhost");
        clientTrust = certs.trustStore("client-trust", brokerStore);
    }

    private static Map<String, String> broker() {
        Map<String, String> settings = new HashMap<>();
        settings.put("listeners", "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0");
        settings.put("listener.name.sasl_plaintext.sasl.enabled.mechanisms", "PLAIN");
        settings.put("listener.name.sasl_plaintext.plain.sasl.jaas.config", PLAIN_JAAS);
        settings.put("listener.name.sasl_ssl.sasl.enabled.mechanisms", "SCRAM-SHA-512,SCRAM-SHA-256");
        settings.put("ssl.keystore.type", "PKCS12");
        settings.put("ssl.keystore.location", brokerStore.toString());
        settings.put("ssl.keystore.password", TestCertificates.PASSWORD);
        settings.put("connection.failed.authentication.delay.ms", "50");
        settings.put("sasl.server.max.receive.size", "4096");
        return settings;
    }

    private static Map<String, Object> plain(BrokerFixture broker, String user, String password) {
        Map<String, Object> props = new HashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap("SASL_PLAINTEXT"));
        props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
        props.put(SaslConfigs.SASL_MECHANISM, "PLAIN");
        props.put(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.plain.PlainLoginModule required"
                + " username=\"" + user + "\" password=\"" + password + "\";");
        return props;
    }

    private static Map<String, Object> scram(BrokerFixture broker, String mechanism, String user, String password) {
        Map<String, Object> props = new HashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap("SASL_SSL"));
        props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
        props.put(SaslConfigs.SASL_MECHANISM, mechanism);
        props.put(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.scram.ScramLoginModule required"
                + " username=\"" + user + "\" password=\"" + password + "\";");
        props.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
        props.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, clientTrust.toString());
        props.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, TestCertificates.PASSWORD);
        return props;
    }

    private static Map<String, Object> shortTimeouts(Map<String, Object> props) {
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        return props;
    }

    @Test
    void plainUsersFromTheJaasConfigProduceAndConsumeAndAWrongPasswordIsRefused() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(broker())) {
            TlsIT.roundTrip(broker, plain(broker, "alice", "alice-secret"), "plain-topic", 50);
            for (String[] bad : new String[][] {{"alice", "wrong"}, {"mallory", "alice-secret"}}) {
                Admin admin = broker.admin(shortTimeouts(plain(broker, bad[0], bad[1])));
                assertThatThrownBy(() -> admin.describeCluster().clusterId().get(20, TimeUnit.SECONDS))
                        .hasCauseInstanceOf(SaslAuthenticationException.class)
                        .hasMessageContaining("Authentication failed: Invalid username or password");
                admin.close(Duration.ZERO);
                TlsIT.roundTrip(broker, plain(broker, "alice", "alice-secret"), "plain-topic", 5);
            }
        }
    }

    @Test
    void scramCredentialsManagedByTheAdminClientAuthenticateAtOnceAndSurviveARestart() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(broker())) {
            Admin admin = broker.admin();
            admin.alterUserScramCredentials(List.<UserScramCredentialAlteration>of(
                    new UserScramCredentialUpsertion("bob", new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512,
                            8192), "bob-secret"),
                    new UserScramCredentialUpsertion("carol", new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256,
                            4096), "carol-secret"))).all().get();
            TlsIT.roundTrip(broker, scram(broker, "SCRAM-SHA-512", "bob", "bob-secret"), "scram-topic", 50);
            TlsIT.roundTrip(broker, scram(broker, "SCRAM-SHA-256", "carol", "carol-secret"), "scram-topic", 5);
            Map<String, UserScramCredentialsDescription> described =
                    admin.describeUserScramCredentials().all().get();
            assertThat(described.keySet()).containsExactlyInAnyOrder("bob", "carol");
            assertThat(described.get("bob").credentialInfos()).extracting(ScramCredentialInfo::mechanism,
                    ScramCredentialInfo::iterations).containsExactly(
                            org.assertj.core.groups.Tuple.tuple(ScramMechanism.SCRAM_SHA_512, 8192));

            // Wrong password, wrong mechanism for the user: refused, and a good client carries on.
            for (Map<String, Object> bad : List.of(scram(broker, "SCRAM-SHA-512", "bob", "nope"),
                    scram(broker, "SCRAM-SHA-256", "bob", "bob-secret"),
                    scram(broker, "SCRAM-SHA-512", "nobody", "x"))) {
                Admin refused = broker.admin(shortTimeouts(bad));
                assertThatThrownBy(() -> refused.describeCluster().clusterId().get(20, TimeUnit.SECONDS))
                        .hasCauseInstanceOf(SaslAuthenticationException.class);
                refused.close(Duration.ZERO);
            }

            broker.restart();
            TlsIT.roundTrip(broker, scram(broker, "SCRAM-SHA-512", "bob", "bob-secret"), "scram-topic", 5);

            Admin again = broker.admin();
            again.alterUserScramCredentials(List.of(new UserScramCredentialDeletion("bob",
                    ScramMechanism.SCRAM_SHA_512))).all().get();
            Admin deleted = broker.admin(shortTimeouts(scram(broker, "SCRAM-SHA-512", "bob", "bob-secret")));
            assertThatThrownBy(() -> deleted.describeCluster().clusterId().get(20, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(SaslAuthenticationException.class);
            assertThatThrownBy(() -> again.describeUserScramCredentials(List.of("bob")).description("bob").get())
                    .hasCauseInstanceOf(ResourceNotFoundException.class);
            assertThatThrownBy(() -> again.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion("dan",
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 100), "pw"))).all().get())
                    .hasCauseInstanceOf(UnacceptableCredentialException.class).hasMessageContaining(
                            "Too few iterations");
        }
    }

    @Test
    void requestsBeforeAuthenticationAnUnknownMechanismAndAnOversizedTokenCloseTheConnectionAndWriteNothing()
            throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(broker())) {
            String sasl = broker.bootstrap("SASL_PLAINTEXT");
            // A produce before authenticating: closed, nothing written (the topic is not even created).
            try (RawClient raw = new RawClient(sasl)) {
                raw.send(ApiKeys.PRODUCE, (short) 9, new ProduceRequestData().setAcks((short) 1).setTimeoutMs(1000));
                raw.send(ApiKeys.METADATA, (short) 12, new MetadataRequestData().setTopics(null));
                assertThat(raw.isClosedByBroker()).isTrue();
            }
            // SaslAuthenticate before SaslHandshake: closed.
            try (RawClient raw = new RawClient(sasl)) {
                raw.send(ApiKeys.SASL_AUTHENTICATE, (short) 2, new SaslAuthenticateRequestData()
                        .setAuthBytes(new byte[] {1}));
                assertThat(raw.isClosedByBroker()).isTrue();
            }
            // An unknown mechanism: UNSUPPORTED_SASL_MECHANISM with the enabled ones, then closed.
            try (RawClient raw = new RawClient(sasl)) {
                SaslHandshakeResponse response = (SaslHandshakeResponse) raw.call(ApiKeys.SASL_HANDSHAKE, (short) 1,
                        new SaslHandshakeRequestData().setMechanism("GSSAPI"));
                assertThat(response.data().errorCode()).isEqualTo(Errors.UNSUPPORTED_SASL_MECHANISM.code());
                assertThat(response.data().mechanisms()).containsExactly("PLAIN");
                assertThat(raw.isClosedByBroker()).isTrue();
            }
            // An oversized token (beyond sasl.server.max.receive.size): closed before it is buffered.
            try (RawClient raw = new RawClient(sasl)) {
                handshake(raw, "PLAIN");
                raw.send(ApiKeys.SASL_AUTHENTICATE, (short) 2, new SaslAuthenticateRequestData()
                        .setAuthBytes(new byte[10_000]));
                assertThat(raw.isClosedByBroker()).isTrue();
            }
            Admin admin = broker.admin();
            assertThat(admin.listTopics().names().get()).doesNotContain("");
            TlsIT.roundTrip(broker, plain(broker, "alice", "alice-secret"), "after-bad-input", 5);
        }
    }

    @Test
    void aSessionExpiresAfterConnectionsMaxReauthMsUnlessTheClientReauthenticates() throws Exception {
        Map<String, String> settings = broker();
        settings.put("listener.name.sasl_plaintext.connections.max.reauth.ms", "1000");
        try (BrokerFixture broker = BrokerFixture.start(settings)) {
            String sasl = broker.bootstrap("SASL_PLAINTEXT");
            try (RawClient reauthenticating = new RawClient(sasl); RawClient expiring = new RawClient(sasl)) {
                assertThat(authenticate(reauthenticating, "alice", "alice-secret").data().sessionLifetimeMs())
                        .isEqualTo(1000);
                authenticate(expiring, "alice", "alice-secret");
                long start = System.nanoTime();
                Awaitility.await().pollDelay(Duration.ofMillis(1200)).until(
                        () -> System.nanoTime() - start > TimeUnit.MILLISECONDS.toNanos(1100));
                // Re-authentication on the same connection (same mechanism, same principal) renews the session.
                assertThat(authenticate(reauthenticating, "alice", "alice-secret").data().errorCode())
                        .isEqualTo(Errors.NONE.code());
                assertThat(reauthenticating.call(ApiKeys.METADATA, (short) 12,
                        new MetadataRequestData().setTopics(null))).isNotNull();
                // The other one's session is over: its next request closes the connection.
                expiring.send(ApiKeys.METADATA, (short) 12, new MetadataRequestData().setTopics(null));
                assertThat(expiring.isClosedByBroker()).isTrue();
            }
        }
    }

    private static void handshake(RawClient raw, String mechanism) throws Exception {
        SaslHandshakeResponse response = (SaslHandshakeResponse) raw.call(ApiKeys.SASL_HANDSHAKE, (short) 1,
                new SaslHandshakeRequestData().setMechanism(mechanism));
        assertThat(response.data().errorCode()).isEqualTo(Errors.NONE.code());
    }

    private static SaslAuthenticateResponse authenticate(RawClient raw, String user, String password)
            throws Exception {
        handshake(raw, "PLAIN");
        byte[] token = ("\u0000" + user + "\u0000" + password).getBytes(StandardCharsets.UTF_8);
        return (SaslAuthenticateResponse) raw.call(ApiKeys.SASL_AUTHENTICATE, (short) 2,
                new SaslAuthenticateRequestData().setAuthBytes(token));
    }
}
