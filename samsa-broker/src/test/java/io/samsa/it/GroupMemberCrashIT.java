package io.samsa.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;

/**
 * A member whose JVM is killed sends no LeaveGroup: its partitions move to the others only when its session times
 * out, which the coordinator must notice by itself.
 */
@Timeout(120)
class GroupMemberCrashIT {

    @ParameterizedTest
    @ValueSource(strings = {"classic", "consumer"})
    void aKilledMembersPartitionsMoveAfterItsSessionTimeout(String protocol) throws Exception {
        try (BrokerFixture samsa = BrokerFixture.start(Map.of("group.initial.rebalance.delay.ms", "0",
                "offsets.topic.num.partitions", "3", "group.consumer.session.timeout.ms", "6000",
                "group.consumer.heartbeat.interval.ms", "200"))) {
            samsa.createTopic("crashy", 4, Map.of());
            String java = System.getProperty("samsa.java", ProcessHandle.current().info().command().orElse("java"));
            Process other = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    GroupMemberMain.class.getName(), samsa.bootstrap(), "crashers", "crashy", protocol)
                    .redirectErrorStream(true).start();
            try {
                // The child's assignment size, as it last printed it; read on its own thread so polling goes on.
                AtomicInteger childAssigned = new AtomicInteger(-1);
                Thread reader = new Thread(() -> {
                    try (BufferedReader out = new BufferedReader(new InputStreamReader(other.getInputStream(),
                            StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = out.readLine()) != null) {
                            if (line.startsWith("assigned ")) {
                                childAssigned.set(Integer.parseInt(line.substring("assigned ".length())));
                            }
                        }
                    } catch (IOException e) {
                        // the child was killed
                    }
                }, "child-output");
                reader.setDaemon(true);
                reader.start();
                KafkaConsumer<String, String> survivor = samsa.consumer(protocol.equals("classic")
                        ? Map.of(ConsumerConfig.GROUP_ID_CONFIG, "crashers", ConsumerConfig.GROUP_PROTOCOL_CONFIG,
                                protocol, ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6000,
                                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 200)
                        : Map.of(ConsumerConfig.GROUP_ID_CONFIG, "crashers", ConsumerConfig.GROUP_PROTOCOL_CONFIG,
                                protocol));
                survivor.subscribe(List.of("crashy"));
                // Wait until the two members share the four partitions.
                await().atMost(Duration.ofSeconds(40)).until(() -> {
                    survivor.poll(Duration.ofMillis(50));
                    return survivor.assignment().size() == 2 && childAssigned.get() == 2;
                });
                other.destroyForcibly();
                assertThat(other.waitFor(10, TimeUnit.SECONDS)).isTrue();
                // No LeaveGroup was sent: the dead member stays in the group until its 6 s session runs out.
                try (Admin admin = samsa.admin()) {
                    assertThat(admin.describeConsumerGroups(List.of("crashers")).all().get().get("crashers")
                            .members()).hasSize(2);
                }
                await().atMost(Duration.ofSeconds(40)).until(() -> {
                    survivor.poll(Duration.ofMillis(50));
                    return survivor.assignment().size() == 4;
                });
            } finally {
                other.destroyForcibly();
            }
        }
    }
}
