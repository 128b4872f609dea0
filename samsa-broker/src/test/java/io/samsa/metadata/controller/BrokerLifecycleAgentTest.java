package io.samsa.metadata.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.samsa.metadata.LocalMetadataLog;
import io.samsa.metadata.MetadataController;
import io.samsa.metadata.MetadataException;
import io.samsa.metadata.MetadataImage;
import io.samsa.metadata.MetadataRecord;
import io.samsa.metadata.PartitionCapacity;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Brokers registering, heartbeating and shutting down through a real controller, each with its own agent. Sessions are
 * on a fake clock that never moves, so nothing is fenced behind the test's back; the agents' heartbeats are real and
 * the test waits on their futures.
 */
class BrokerLifecycleAgentTest {

    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final List<BrokerLifecycleAgent> agents = new ArrayList<>();
    private MetadataController controller;

    @AfterEach
    void tearDown() throws InterruptedException {
        agents.forEach(BrokerLifecycleAgent::close);
        timer.shutdownNow();
        timer.awaitTermination(5, TimeUnit.SECONDS);
        controller.close();
    }

    private MetadataController open() {
        return new MetadataController(LocalMetadataLog.open(dir), new MetadataController.Settings(1, 1, (short) 1),
                PartitionCapacity.UNLIMITED, new BrokerLifecycleControl(
                        new BrokerLifecycleControl.Settings(1000, 10, false), clock::get), new SplittableRandom(0));
    }

    /** A broker of another process: it registers, then reports being caught up in a heartbeat. */
    private BrokerLifecycleAgent agent(int brokerId) {
        return agent(brokerId, new BrokerLifecycleAgent.ControllerChannel() {
            @Override
            public CompletableFuture<Long> register(BrokerLifecycleControl.Registration registration) {
                return controller.registerBroker(registration);
            }

            @Override
            public CompletableFuture<BrokerLifecycleControl.HeartbeatReply> heartbeat(
                    BrokerLifecycleControl.Heartbeat heartbeat) {
                return controller.brokerHeartbeat(heartbeat);
            }
        });
    }

    private BrokerLifecycleAgent agent(int brokerId, BrokerLifecycleAgent.ControllerChannel channel) {
        BrokerLifecycleAgent agent = new BrokerLifecycleAgent(new BrokerLifecycleControl.Registration(brokerId,
                UUID.randomUUID(), List.of(new MetadataRecord.BrokerEndpoint("PLAINTEXT", "127.0.0.1", 9000 + brokerId)),
                null), channel, controller::image, controller::published, timer, 10);
        agents.add(agent);
        return agent;
    }

    @Test
    void threeBrokersRegisterAndTopicsAreSpreadOverAllOfThem() throws Exception {
        controller = open();
        for (int id = 1; id <= 3; id++) {
            agent(id).start().get(10, TimeUnit.SECONDS);
        }
        assertThat(controller.image().brokers().values()).allSatisfy(b -> assertThat(b.active()).isTrue());
        controller.createTopic("spread", 6, (short) 3, Map.of(), Map.of(), false).published().get(10,
                TimeUnit.SECONDS);
        Map<Integer, Integer> leaders = new HashMap<>();
        controller.image().topic("spread").partitions().values().forEach(p -> {
            assertThat(p.replicas()).containsExactlyInAnyOrder(1, 2, 3);
            assertThat(p.isr()).containsExactlyInAnyOrder(1, 2, 3);
            assertThat(p.leader()).isEqualTo(p.replicas().getFirst());
            leaders.merge(p.leader(), 1, Integer::sum);
        });
        assertThat(leaders).isEqualTo(Map.of(1, 2, 2, 2, 3, 2));
        assertThatThrownBy(() -> controller.createTopic("too-wide", 1, (short) 4, Map.of(), Map.of(), false))
                .isInstanceOfSatisfying(MetadataException.class, e -> assertThat(e.kind())
                        .isEqualTo(MetadataException.Kind.INVALID_REPLICATION_FACTOR))
                .hasMessage("Unable to replicate the partition 4 time(s): The target replication factor of 4 cannot"
                        + " be reached because only 3 broker(s) are registered.");
    }

    @Test
    void aControlledShutdownMovesEveryLeadershipToAnotherBrokerWithoutALeaderlessMoment() throws Exception {
        controller = open();
        List<BrokerLifecycleAgent> brokers = new ArrayList<>();
        for (int id = 1; id <= 3; id++) {
            brokers.add(agent(id));
            brokers.getLast().start().get(10, TimeUnit.SECONDS);
        }
        controller.createTopic("moved", 6, (short) 3, Map.of(), Map.of(), false).published().get(10,
                TimeUnit.SECONDS);
        List<MetadataImage> seen = new ArrayList<>();
        controller.addListener(seen::add);

        brokers.getFirst().controlledShutdown().get(10, TimeUnit.SECONDS);
        controller.published().get(10, TimeUnit.SECONDS);

        MetadataImage image = controller.image();
        assertThat(image.brokers().get(1).fenced()).isTrue();
        assertThat(image.topic("moved").partitions().values()).allSatisfy(p -> {
            assertThat(p.leader()).isIn(2, 3);
            assertThat(p.isr()).containsExactlyInAnyOrder(2, 3);
            assertThat(p.leaderEpoch()).isEqualTo(p.replicas().getFirst() == 1 ? 1 : 0);
        });
        assertThat(seen).allSatisfy(i -> assertThat(i.topic("moved").partitions().values())
                .allSatisfy(p -> assertThat(p.leader()).isNotEqualTo(MetadataImage.NO_LEADER)));

        BrokerLifecycleAgent restarted = agent(1);
        restarted.start().get(10, TimeUnit.SECONDS);
        assertThat(controller.image().brokers().get(1).active()).isTrue();
        assertThat(controller.image().brokers().get(1).brokerEpoch()).isEqualTo(3);
    }

    @Test
    void oneBrokerLeadsAgainAfterItsShutdownAndARestartRebuildsTheSameImage() throws Exception {
        controller = open();
        agent(1, controller.localChannel()).start().get(10, TimeUnit.SECONDS);
        controller.createTopic("solo", 2, (short) -1, Map.of(), Map.of(), false).published().get(10,
                TimeUnit.SECONDS);
        agents.getFirst().controlledShutdown().get(10, TimeUnit.SECONDS);
        // Nobody else could lead: it keeps its partitions until it stops, unfenced so that clients still see them.
        assertThat(controller.image().brokers().get(1).fenced()).isFalse();
        assertThat(controller.image().brokers().get(1).inControlledShutdown()).isTrue();
        assertThat(controller.image().topic("solo").partitions().values()).allSatisfy(p -> {
            assertThat(p.leader()).isEqualTo(1);
            assertThat(p.leaderEpoch()).isZero();
            assertThat(p.isr()).containsExactly(1);
        });
        controller.published().get(10, TimeUnit.SECONDS);
        controller.close();

        controller = open();
        agent(1, controller.localChannel()).start().get(10, TimeUnit.SECONDS);
        controller.published().get(10, TimeUnit.SECONDS);
        assertThat(controller.image().topic("solo").partitions().values()).allSatisfy(p -> {
            assertThat(p.leader()).isEqualTo(1);
            assertThat(p.leaderEpoch()).isEqualTo(2);
            assertThat(p.partitionEpoch()).isEqualTo(2);
        });
        MetadataImage live = controller.image();
        controller.close();
        controller = open();
        assertThat(controller.image().topic("solo")).isEqualTo(live.topic("solo"));
        assertThat(controller.image().brokers()).isEqualTo(live.brokers());
    }
}
