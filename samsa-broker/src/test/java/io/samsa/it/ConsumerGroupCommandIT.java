package io.samsa.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka's own {@code kafka-consumer-groups} tool, run as a separate process against Samsa: what it prints for a group
 * (committed offset, log end offset and lag per partition, members, state) and what its offset resets and deletions
 * leave committed, read back through the Admin client.
 */
@Timeout(300)
class ConsumerGroupCommandIT {

    private static final String TOPIC = "lagging";
    /** Records produced to partitions 0, 1 and 2: the log end offsets the tool must show. */
    private static final int[] LOG_END = {10, 20, 30};

    @TempDir
    Path workDir;

    private BrokerFixture samsa;
    private ConsumerGroupsCli cli;
    private Admin admin;

    @BeforeEach
    void start() throws Exception {
        samsa = BrokerFixture.start(Map.of("group.initial.rebalance.delay.ms", "0"));
        samsa.createTopic(TOPIC, LOG_END.length, Map.of());
        KafkaProducer<String, String> producer = samsa.producer(Map.of());
        for (int p = 0; p < LOG_END.length; p++) {
            for (int i = 0; i < LOG_END[p]; i++) {
                producer.send(new ProducerRecord<>(TOPIC, p, null, "r" + p + "-" + i));
            }
        }
        producer.flush();
        cli = new ConsumerGroupsCli(samsa.bootstrap(), workDir);
        admin = samsa.admin();
    }

    @AfterEach
    void stop() {
        samsa.close();
    }

    @Test
    void describeShowsTheCommittedOffsetLogEndAndLagOfEachPartitionOfAnActiveGroup() throws Exception {
        KafkaConsumer<String, String> consumer = samsa.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "readers",
                ConsumerConfig.CLIENT_ID_CONFIG, "lag-reader"));
        consumer.subscribe(List.of(TOPIC));
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            consumer.poll(Duration.ofMillis(100));
            return consumer.assignment().size() == LOG_END.length;
        });
        // Partition 2 gets no commit: the tool shows no offset and no lag for it.
        consumer.commitSync(Map.of(tp(0), new OffsetAndMetadata(4, Optional.of(0), ""), tp(1),
                new OffsetAndMetadata(20, Optional.of(0), "")));
        String member = consumer.groupMetadata().memberId();

        ConsumerGroupsCli.Output offsets = cli.run("--describe", "--group", "readers");
        assertThat(byPartition(offsets.table("GROUP", "TOPIC"))).containsExactly(
                Map.entry(0, List.of("readers", TOPIC, "0", "4", "10", "6", member, "/127.0.0.1", "lag-reader")),
                Map.entry(1, List.of("readers", TOPIC, "1", "20", "20", "0", member, "/127.0.0.1", "lag-reader")),
                Map.entry(2, List.of("readers", TOPIC, "2", "-", "30", "-", member, "/127.0.0.1", "lag-reader")));
        assertThat(offsets.stderr()).isBlank();

        // --verbose adds the leader epoch the offsets were committed with.
        ConsumerGroupsCli.Output verbose = cli.run("--describe", "--group", "readers", "--offsets", "--verbose");
        assertThat(byPartition(verbose.table("GROUP", "TOPIC"))).containsExactly(
                Map.entry(0, List.of("readers", TOPIC, "0", "0", "4", "10", "6", member, "/127.0.0.1", "lag-reader")),
                Map.entry(1, List.of("readers", TOPIC, "1", "0", "20", "20", "0", member, "/127.0.0.1",
                        "lag-reader")),
                Map.entry(2, List.of("readers", TOPIC, "2", "-", "-", "30", "-", member, "/127.0.0.1",
                        "lag-reader")));

        ConsumerGroupsCli.Output members = cli.run("--describe", "--group", "readers", "--members", "--verbose");
        assertThat(members.table("GROUP", "CONSUMER-ID")).containsExactly(List.of("readers", member, "/127.0.0.1",
                "lag-reader", "3", "-", TOPIC + ":0,1,2", "-", "-"));

        ConsumerGroupsCli.Output state = cli.run("--describe", "--group", "readers", "--state");
        assertThat(state.table("GROUP", "COORDINATOR")).containsExactly(List.of("readers", samsa.bootstrap(), "(1)",
                "range", "Stable", "1"));

        assertThat(cli.run("--list").lines()).containsExactly("readers");
        assertThat(cli.run("--list", "--state").table("GROUP", "STATE")).containsExactly(List.of("readers",
                "Stable"));
        assertThat(cli.run("--list", "--state", "Empty").table("GROUP", "STATE")).isEmpty();
        assertThat(cli.run("--list", "--type", "--state").table("GROUP", "TYPE")).containsExactly(List.of("readers",
                "Classic", "Stable"));

        // An active group's offsets are neither reset nor deleted, and stay as they were.
        ConsumerGroupsCli.Output notReset = cli.run("--reset-offsets", "--group", "readers", "--topic", TOPIC,
                "--to-earliest", "--execute");
        assertThat(notReset.lines().getFirst()).isEqualTo("Error: Assignments can only be reset if the group "
                + "'readers' is inactive, but the current state is Stable.");
        assertThat(notReset.table("GROUP", "TOPIC")).isEmpty();
        ConsumerGroupsCli.Output refused = cli.run("--delete-offsets", "--group", "readers", "--topic", TOPIC);
        assertThat(refused.lines().getFirst()).isEqualTo(
                "Error: Encountered some partition-level error, see the follow-up details.");
        assertThat(byPartition(refused.table("TOPIC", "PARTITION"))).hasSize(3).allSatisfy((p, row) ->
                assertThat(String.join(" ", row)).isEqualTo(TOPIC + " " + p + " Error: org.apache.kafka.common.errors."
                        + "GroupSubscribedToTopicException: Deleting offsets of a topic is forbidden while the consumer"
                        + " group is actively subscribed to it."));
        assertThat(committed("readers")).containsExactly(Map.entry(0, 4L), Map.entry(1, 20L));
    }

    @Test
    void describeShowsAConsumerProtocolGroupWithItsLag() throws Exception {
        KafkaConsumer<String, String> consumer = samsa.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "moderns",
                ConsumerConfig.CLIENT_ID_CONFIG, "modern-reader", ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer"));
        consumer.subscribe(List.of(TOPIC));
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            consumer.poll(Duration.ofMillis(100));
            return consumer.assignment().size() == LOG_END.length;
        });
        consumer.commitSync(Map.of(tp(0), new OffsetAndMetadata(1), tp(1), new OffsetAndMetadata(2), tp(2),
                new OffsetAndMetadata(30)));
        String member = consumer.groupMetadata().memberId();

        ConsumerGroupsCli.Output offsets = cli.run("--describe", "--group", "moderns");
        assertThat(byPartition(offsets.table("GROUP", "TOPIC"))).containsExactly(
                Map.entry(0, List.of("moderns", TOPIC, "0", "1", "10", "9", member, "/127.0.0.1", "modern-reader")),
                Map.entry(1, List.of("moderns", TOPIC, "1", "2", "20", "18", member, "/127.0.0.1", "modern-reader")),
                Map.entry(2, List.of("moderns", TOPIC, "2", "30", "30", "0", member, "/127.0.0.1",
                        "modern-reader")));
        assertThat(offsets.stderr()).isBlank();
        ConsumerGroupsCli.Output state = cli.run("--describe", "--group", "moderns", "--state");
        assertThat(state.table("GROUP", "COORDINATOR")).containsExactly(List.of("moderns", samsa.bootstrap(), "(1)",
                "uniform", "Stable", "1"));
        assertThat(cli.run("--list", "--type", "--state").table("GROUP", "TYPE")).containsExactly(List.of("moderns",
                "Consumer", "Stable"));
        consumer.close();
    }

    @Test
    void resetAndDeleteOffsetsOfAnEmptyGroupLeaveExactlyWhatTheToolPrinted() throws Exception {
        try (KafkaConsumer<String, String> consumer = samsa.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG,
                "idle"))) {
            consumer.subscribe(List.of(TOPIC));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(100));
                return consumer.assignment().size() == LOG_END.length;
            });
            consumer.commitSync(Map.of(tp(0), new OffsetAndMetadata(8), tp(1), new OffsetAndMetadata(5), tp(2),
                    new OffsetAndMetadata(30)));
        }
        // The consumer left: the group is Empty and keeps its offsets.
        ConsumerGroupsCli.Output offsets = cli.run("--describe", "--group", "idle");
        assertThat(byPartition(offsets.table("GROUP", "TOPIC"))).containsExactly(
                Map.entry(0, List.of("idle", TOPIC, "0", "8", "10", "2", "-", "-", "-")),
                Map.entry(1, List.of("idle", TOPIC, "1", "5", "20", "15", "-", "-", "-")),
                Map.entry(2, List.of("idle", TOPIC, "2", "30", "30", "0", "-", "-", "-")));
        assertThat(offsets.stderr().strip()).isEqualTo("Consumer group 'idle' has no active members.");
        assertThat(cli.run("--describe", "--group", "idle", "--state").table("GROUP", "COORDINATOR"))
                .containsExactly(List.of("idle", samsa.bootstrap(), "(1)", "-", "Empty", "0"));

        // The earliest offset of partition 0 is no longer 0.
        admin.deleteRecords(Map.of(tp(0), RecordsToDelete.beforeOffset(3))).all().get(30, TimeUnit.SECONDS);

        ConsumerGroupsCli.Output dryRun = cli.run("--reset-offsets", "--group", "idle", "--topic", TOPIC,
                "--to-earliest", "--dry-run");
        List<List<String>> plan = List.of(List.of("idle", TOPIC, "0", "3"), List.of("idle", TOPIC, "1", "0"),
                List.of("idle", TOPIC, "2", "0"));
        assertThat(dryRun.table("GROUP", "TOPIC")).containsExactlyInAnyOrderElementsOf(plan);
        assertThat(committed("idle")).containsExactly(Map.entry(0, 8L), Map.entry(1, 5L), Map.entry(2, 30L));

        ConsumerGroupsCli.Output executed = cli.run("--reset-offsets", "--group", "idle", "--topic", TOPIC,
                "--to-earliest", "--execute");
        assertThat(executed.table("GROUP", "TOPIC")).containsExactlyInAnyOrderElementsOf(plan);
        assertThat(committed("idle")).containsExactly(Map.entry(0, 3L), Map.entry(1, 0L), Map.entry(2, 0L));

        assertThat(cli.run("--reset-offsets", "--group", "idle", "--topic", TOPIC + ":1", "--to-offset", "12",
                "--execute").table("GROUP", "TOPIC")).containsExactly(List.of("idle", TOPIC, "1", "12"));
        assertThat(cli.run("--reset-offsets", "--group", "idle", "--topic", TOPIC + ":2", "--to-latest",
                "--execute").table("GROUP", "TOPIC")).containsExactly(List.of("idle", TOPIC, "2", "30"));
        assertThat(committed("idle")).containsExactly(Map.entry(0, 3L), Map.entry(1, 12L), Map.entry(2, 30L));

        ConsumerGroupsCli.Output deletedOne = cli.run("--delete-offsets", "--group", "idle", "--topic",
                TOPIC + ":2");
        assertThat(deletedOne.lines().getFirst()).isEqualTo("Request succeeded for deleting offsets from group idle.");
        assertThat(deletedOne.table("TOPIC", "PARTITION")).containsExactly(List.of(TOPIC, "2", "Successful"));
        assertThat(committed("idle")).containsExactly(Map.entry(0, 3L), Map.entry(1, 12L));

        ConsumerGroupsCli.Output deletedAll = cli.run("--delete-offsets", "--group", "idle", "--topic", TOPIC);
        assertThat(deletedAll.lines().getFirst()).isEqualTo("Request succeeded for deleting offsets from group idle.");
        assertThat(byPartition(deletedAll.table("TOPIC", "PARTITION"))).containsOnlyKeys(0, 1, 2)
                .allSatisfy((p, row) -> assertThat(row).containsExactly(TOPIC, String.valueOf(p), "Successful"));
        assertThat(committed("idle")).isEmpty();

        assertThat(cli.run("--delete", "--group", "idle").lines()).containsExactly(
                "Deletion of requested consumer groups ('idle') was successful.");
        assertThat(cli.run("--list").lines()).isEmpty();
        assertThat(cli.run("--describe", "--group", "idle").lines()).containsExactly(
                "Error: Executing consumer group command failed due to "
                        + "org.apache.kafka.common.errors.GroupIdNotFoundException: Group idle not found.");
    }

    @Test
    void offsetsCommittedWithoutAGroupMemberAreDescribedAndDeletedLikeAnyOther() throws Exception {
        // Offsets stored by Admin for a group that never had a member (a "simple" group, generation -1).
        admin.alterConsumerGroupOffsets("bookkeeping", Map.of(tp(0), new OffsetAndMetadata(10), tp(1),
                new OffsetAndMetadata(1))).all().get(30, TimeUnit.SECONDS);

        assertThat(cli.run("--list").lines()).containsExactly("bookkeeping");
        ConsumerGroupsCli.Output offsets = cli.run("--describe", "--group", "bookkeeping");
        assertThat(byPartition(offsets.table("GROUP", "TOPIC"))).containsExactly(
                Map.entry(0, List.of("bookkeeping", TOPIC, "0", "10", "10", "0", "-", "-", "-")),
                Map.entry(1, List.of("bookkeeping", TOPIC, "1", "1", "20", "19", "-", "-", "-")));

        assertThat(cli.run("--delete", "--group", "bookkeeping", "--group", "never-existed").lines())
                .containsExactly("Error: Deletion of some consumer groups failed:",
                        "* Group 'never-existed' could not be deleted due to: "
                                + "org.apache.kafka.common.errors.GroupIdNotFoundException: The group id does not exist.",
                        "These consumer groups were deleted successfully: 'bookkeeping'");
        assertThat(committed("bookkeeping")).isEmpty();
        assertThat(cli.run("--list").lines()).isEmpty();
    }

    private static TopicPartition tp(int partition) {
        return new TopicPartition(TOPIC, partition);
    }

    /** The group's committed offsets by partition, as the Admin client reads them. */
    private Map<Integer, Long> committed(String group) throws Exception {
        Map<Integer, Long> result = new TreeMap<>();
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                .forEach((tp, offset) -> result.put(tp.partition(), offset.offset()));
        return result;
    }

    /** Table rows keyed by their partition column, sorted: the tool's row order is not part of its contract. */
    private static Map<Integer, List<String>> byPartition(List<List<String>> rows) {
        Map<Integer, List<String>> result = new TreeMap<>();
        for (List<String> row : rows) {
            int column = row.get(0).equals(TOPIC) ? 1 : 2;
            result.put(Integer.parseInt(row.get(column)), row);
        }
        assertThat(result).as("one row per partition").hasSize(rows.size());
        return result;
    }
}
