package io.samsa.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.BrokerHeartbeatRequestData;
import org.apache.kafka.common.message.BrokerRegistrationRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.BrokerHeartbeatResponse;
import org.apache.kafka.common.requests.BrokerRegistrationResponse;
import org.apache.kafka.common.requests.CreateTopicsResponse;
import org.apache.kafka.common.requests.MetadataResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Other brokers' lifecycle over the Kafka protocol (BrokerRegistration, BrokerHeartbeat) against a one-node broker
 * whose controller is active: a second broker registers, is unfenced once it reports being caught up, gets replicas
 * and leaderships, moves them away on a controlled shutdown, and is fenced when it falls silent. The fake brokers
 * advertise ports in this test's range where nothing listens; the test reads the metadata from the real broker only.
 */
class BrokerLifecycleIT {

    private static BrokerFixture samsa;

    @BeforeAll
    static void start() {
        // A longer session than the default: a loaded test machine must not fence the heartbeating fake broker.
        samsa = BrokerFixture.start(Map.of("broker.session.timeout.ms", "4000"));
    }

    @AfterAll
    static void stop() {
        samsa.close();
    }

    @Test
    void aSecondBrokerRegistersTakesReplicasHandsThemOverOnShutdownAndIsFencedWhenSilent() throws Exception {
        try (RawClient raw = new RawClient(samsa.bootstrap())) {
            BrokerRegistrationResponse wrongCluster = (BrokerRegistrationResponse) raw.call(
                    ApiKeys.BROKER_REGISTRATION, (short) 3, registration(2, "not-this-cluster"));
            assertThat(wrongCluster.data().errorCode()).isEqualTo(Errors.INCONSISTENT_CLUSTER_ID.code());

            long epoch2 = register(raw, 2);
            assertThat(epoch2).isPositive();
            BrokerHeartbeatResponse fenced = heartbeat(raw, 2, epoch2, true, false);
            assertThat(fenced.data().errorCode()).isZero();
            assertThat(fenced.data().isFenced()).as("not caught up yet").isTrue();
            assertThat(heartbeat(raw, 2, epoch2, false, false).data().isFenced()).isFalse();
            assertThat(heartbeat(raw, 2, epoch2 - 1, false, false).data().errorCode())
                    .isEqualTo(Errors.STALE_BROKER_EPOCH.code());

            createTopic(raw, "spread", 4);
            Map<Integer, Integer> leaders = new HashMap<>();
            for (MetadataResponseData.MetadataResponsePartition p : partitions(raw, "spread")) {
                assertThat(p.replicaNodes()).containsExactlyInAnyOrder(1, 2);
                assertThat(p.isrNodes()).containsExactlyInAnyOrder(1, 2);
                leaders.merge(p.leaderId(), 1, Integer::sum);
            }
            assertThat(leaders).isEqualTo(Map.of(1, 2, 2, 2));

            BrokerHeartbeatResponse shutdown = heartbeat(raw, 2, epoch2, false, true);
            assertThat(shutdown.data().shouldShutDown()).isTrue();
            assertThat(partitions(raw, "spread")).allSatisfy(p -> {
                assertThat(p.leaderId()).isEqualTo(1);
                assertThat(p.isrNodes()).containsExactly(1);
                assertThat(p.leaderEpoch()).isIn(0, 1);
            });

            long epoch3 = register(raw, 3);
            assertThat(epoch3).isGreaterThan(epoch2);
            assertThat(heartbeat(raw, 3, epoch3, false, false).data().isFenced()).isFalse();
            createTopic(raw, "silent", 2);
            assertThat(partitions(raw, "silent")).extracting(MetadataResponseData.MetadataResponsePartition::leaderId)
                    .containsExactlyInAnyOrder(1, 3);
            // Broker 3 sends nothing more: once its session ends it is fenced and broker 1 leads everything.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(partitions(raw, "silent"))
                    .allSatisfy(p -> {
                        assertThat(p.leaderId()).isEqualTo(1);
                        assertThat(p.isrNodes()).containsExactly(1);
                    }));
            assertThat(partitions(raw, "silent")).filteredOn(p -> p.replicaNodes().getFirst() == 3)
                    .allSatisfy(p -> assertThat(p.leaderEpoch()).isEqualTo(1));
        }
    }

    private static BrokerRegistrationRequestData registration(int brokerId, String clusterId) {
        BrokerRegistrationRequestData data = new BrokerRegistrationRequestData().setBrokerId(brokerId)
                .setClusterId(clusterId).setIncarnationId(Uuid.randomUuid());
        data.listeners().add(new BrokerRegistrationRequestData.Listener().setName("PLAINTEXT").setHost("127.0.0.1")
                .setPort(21000 + brokerId).setSecurityProtocol((short) 0));
        return data;
    }

    private static long register(RawClient raw, int brokerId) throws Exception {
        BrokerRegistrationResponse response = (BrokerRegistrationResponse) raw.call(ApiKeys.BROKER_REGISTRATION,
                (short) 3, registration(brokerId, samsa.broker().clusterId()));
        assertThat(response.data().errorCode()).isZero();
        return response.data().brokerEpoch();
    }

    private static BrokerHeartbeatResponse heartbeat(RawClient raw, int brokerId, long epoch, boolean wantFence,
            boolean wantShutDown) throws Exception {
        return (BrokerHeartbeatResponse) raw.call(ApiKeys.BROKER_HEARTBEAT, (short) 1,
                new BrokerHeartbeatRequestData().setBrokerId(brokerId).setBrokerEpoch(epoch)
                        .setWantFence(wantFence).setWantShutDown(wantShutDown));
    }

    private static void createTopic(RawClient raw, String name, int partitions) throws Exception {
        CreateTopicsRequestData request = new CreateTopicsRequestData().setTimeoutMs(10_000);
        request.topics().add(new CreateTopicsRequestData.CreatableTopic().setName(name)
                .setNumPartitions(partitions).setReplicationFactor((short) 2));
        CreateTopicsResponse response = (CreateTopicsResponse) raw.call(ApiKeys.CREATE_TOPICS, (short) 7, request);
        assertThat(response.data().topics().find(name).errorCode()).isZero();
    }

    private static List<MetadataResponseData.MetadataResponsePartition> partitions(RawClient raw, String topic)
            throws Exception {
        MetadataRequestData request = new MetadataRequestData().setAllowAutoTopicCreation(false);
        request.topics().add(new MetadataRequestData.MetadataRequestTopic().setName(topic));
        MetadataResponse response = (MetadataResponse) raw.call(ApiKeys.METADATA, (short) 12, request);
        return response.data().topics().find(topic).partitions();
    }
}
