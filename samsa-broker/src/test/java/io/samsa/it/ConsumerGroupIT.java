package io.samsa.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.GroupSubscribedToTopicException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Consumer groups with the classic protocol, driven by real kafka-clients consumers and admin. {@link
 * ConsumerProtocolGroupIT} runs every test again with {@code group.protocol=consumer} (KIP-848).
 */
@Timeout(120)
class ConsumerGroupIT {

    private static final int PARTITIONS = 6;
    BrokerFixture samsa;

    @BeforeEach
    void start() {
        samsa = BrokerFixture.start(Map.of("group.initial.rebalance.delay.ms", "0", "offsets.topic.num.partitions",
                "5", "group.consumer.session.timeout.ms", "6000", "group.consumer.heartbeat.interval.ms", "200"));
    }

    /** The consumer settings that pick the group protocol (with the classic protocol's timeouts). */
    protected Map<String, Object> protocol() {
        return Map.of(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic", ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG,
                200, ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6000);
    }

    /** The assignor a group uses when no member asks for one. */
    protected String defaultAssignor() {
        return "range";
    }

    @AfterEach
    void stop() {
        samsa.close();
    }

    KafkaConsumer<String, String> member(String group, Map<String, Object> extra) {
        Map<String, Object> props = new HashMap<>(protocol());
        props.putAll(Map.of(ConsumerConfig.GROUP_ID_CONFIG, group, ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50));
        props.putAll(extra);
        return samsa.consumer(props);
    }

    /** Produces v0..v(count-1) round-robin over the topic's {@code partitions}. */
    void produce(String topic, int count, int partitions) throws Exception {
        KafkaProducer<String, String> producer = samsa.producer(Map.of());
        for (int i = 0; i < count; i++) {
            producer.send(new ProducerRecord<>(topic, i % partitions, "k" + i, "v" + i));
        }
        producer.flush();
    }

    @Test
    void threeMembersSplitSixPartitionsAndReadEveryRecordOnceCommittingAfterProcessing() throws Exception {
        samsa.createTopic("orders", PARTITIONS, Map.of());
        produce("orders", 600, PARTITIONS);
        List<KafkaConsumer<String, String>> members = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            KafkaConsumer<String, String> c = member("workers", Map.of());
            c.subscribe(List.of("orders"));
            members.add(c);
        }
        Map<String, Integer> seen = new ConcurrentHashMap<>();
        await().atMost(Duration.ofSeconds(40)).until(() -> {
            for (KafkaConsumer<String, String> c : members) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(50))) {
                    seen.merge(r.value(), 1, Integer::sum);
                }
                c.commitSync();
            }
            return seen.size() == 600 && members.stream().allMatch(c -> c.assignment().size() == 2);
        });
        assertThat(seen.values()).allMatch(n -> n == 1);
        Set<TopicPartition> all = new HashSet<>();
        members.forEach(c -> all.addAll(c.assignment()));
        assertThat(all).hasSize(PARTITIONS);

        try (Admin admin = samsa.admin()) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("workers")
                    .partitionsToOffsetAndMetadata().get();
            assertThat(committed).hasSize(PARTITIONS);
            committed.values().forEach(o -> assertThat(o.offset()).isEqualTo(100));
            ConsumerGroupDescription described = admin.describeConsumerGroups(List.of("workers")).all().get()
                    .get("workers");
            assertThat(described.groupState()).isEqualTo(GroupState.STABLE);
            assertThat(described.members()).hasSize(3);
            assertThat(described.members()).allMatch(m -> m.assignment().topicPartitions().size() == 2);
            assertThat(described.partitionAssignor()).isEqualTo(defaultAssignor());
        }
    }

    @Test
    void aClosingMembersPartitionsMoveWithoutReadingCommittedRecordsAgain() throws Exception {
        samsa.createTopic("moves", PARTITIONS, Map.of());
        produce("moves", 60, PARTITIONS);
        KafkaConsumer<String, String> a = member("movers", Map.of());
        KafkaConsumer<String, String> b = member("movers", Map.of());
        a.subscribe(List.of("moves"));
        b.subscribe(List.of("moves"));
        List<String> read = new ArrayList<>();
        await().atMost(Duration.ofSeconds(40)).until(() -> {
            for (KafkaConsumer<String, String> c : List.of(a, b)) {
                c.poll(Duration.ofMillis(50)).forEach(r -> read.add(r.value()));
                c.commitSync();
            }
            return read.size() == 60 && a.assignment().size() == 3 && b.assignment().size() == 3;
        });
        a.close();
        produce("moves", 60, PARTITIONS);
        List<String> after = new ArrayList<>();
        await().atMost(Duration.ofSeconds(40)).until(() -> {
            b.poll(Duration.ofMillis(50)).forEach(r -> after.add(r.value()));
            b.commitSync();
            return b.assignment().size() == PARTITIONS && after.size() >= 60;
        });
        // Exactly the 60 new records, none of the committed ones again.
        assertThat(after).hasSize(60).doesNotHaveDuplicates().allMatch(v -> Integer.parseInt(v.substring(1)) < 60);
        assertThat(new HashSet<>(after)).isEqualTo(new HashSet<>(read));
    }

    @Test
    void committedOffsetsSurviveARestartAndANewConsumerResumesThere() throws Exception {
        samsa.createTopic("resume", 1, Map.of());
        produce("resume", 10, 1);
        TopicPartition tp = new TopicPartition("resume", 0);
        try (KafkaConsumer<String, String> c = member("resumers", Map.of())) {
            c.subscribe(List.of("resume"));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                c.poll(Duration.ofMillis(100));
                return c.assignment().contains(tp);
            });
            c.commitSync(Map.of(tp, new OffsetAndMetadata(7, "seven")));
        }
        samsa.restart();
        try (KafkaConsumer<String, String> c = member("resumers", Map.of())) {
            c.subscribe(List.of("resume"));
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                c.poll(Duration.ofMillis(100)).forEach(records::add);
                return records.size() >= 3;
            });
            assertThat(records).extracting(ConsumerRecord::offset).containsExactly(7L, 8L, 9L);
            assertThat(c.committed(Set.of(tp)).get(tp).metadata()).isEqualTo("seven");
        }
    }

    @Test
    void membersCarryOnAcrossABrokerRestartWithoutRejoining() throws Exception {
        samsa.createTopic("steady", 2, Map.of());
        List<String> rebalances = new java.util.concurrent.CopyOnWriteArrayList<>();
        // kafka-clients 4 rebootstraps when it reaches no broker at all (a restart of the only one takes about a
        // second, the metadata quorum's close included), and a rebootstrap forgets the topics, which rejoins the
        // group: this test is about the coordinator's state across the restart, so the client keeps its metadata.
        KafkaConsumer<String, String> c = member("steadies", Map.of(
                "metadata.recovery.strategy", "none"));
        c.subscribe(List.of("steady"), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                if (!partitions.isEmpty()) {
                    rebalances.add("revoked " + partitions);
                }
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                rebalances.add("assigned " + partitions);
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                rebalances.add("lost " + partitions);
            }
        });
        // Until the listener has seen the assignment too (the consumer protocol's client runs it on a later poll).
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            c.poll(Duration.ofMillis(50));
            return c.assignment().size() == 2 && rebalances.stream().anyMatch(r -> r.startsWith("assigned")
                    && r.contains("steady-0") && r.contains("steady-1"));
        });
        int generation = c.groupMetadata().generationId();
        String memberId = c.groupMetadata().memberId();
        rebalances.clear();

        // The group's membership is on __consumer_offsets: the restarted coordinator knows the member.
        samsa.restartKeepingClients();
        produce("steady", 10, 2);
        List<String> read = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            c.poll(Duration.ofMillis(50)).forEach(r -> read.add(r.value()));
            c.commitSync();
            return read.size() == 10;
        });
        // Heartbeats and commits went on across the restart (which a session timeout of 6 s would not survive).
        Thread.sleep(1500);
        c.poll(Duration.ofMillis(50));
        c.commitSync();
        assertThat(rebalances).isEmpty();
        assertThat(c.groupMetadata().generationId()).isEqualTo(generation);
        assertThat(c.groupMetadata().memberId()).isEqualTo(memberId);
    }

    @Test
    void autoCommitCommitsWhatWasConsumed() throws Exception {
        samsa.createTopic("auto", 1, Map.of());
        produce("auto", 25, 1);
        TopicPartition tp = new TopicPartition("auto", 0);
        try (KafkaConsumer<String, String> c = member("autos", Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, true,
                ConsumerConfig.AUTO_COMMIT_INTERVAL_MS_CONFIG, 100))) {
            c.subscribe(List.of("auto"));
            List<String> read = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                c.poll(Duration.ofMillis(100)).forEach(r -> read.add(r.value()));
                return read.size() == 25;
            });
            try (Admin admin = samsa.admin()) {
                await().atMost(Duration.ofSeconds(10)).until(() -> {
                    c.poll(Duration.ofMillis(50));
                    OffsetAndMetadata o = admin.listConsumerGroupOffsets("autos").partitionsToOffsetAndMetadata()
                            .get().get(tp);
                    return o != null && o.offset() == 25;
                });
            }
        }
    }

    @Test
    void aStaticMemberRestartingWithinItsSessionTimeoutCausesNoRebalance() throws Exception {
        samsa.createTopic("static", 2, Map.of());
        Map<String, Object> one = Map.of(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "instance-1");
        Map<String, Object> two = Map.of(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "instance-2");
        KafkaConsumer<String, String> first = member("statics", one);
        KafkaConsumer<String, String> second = member("statics", two);
        first.subscribe(List.of("static"));
        second.subscribe(List.of("static"));
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            first.poll(Duration.ofMillis(50));
            second.poll(Duration.ofMillis(50));
            return first.assignment().size() == 1 && second.assignment().size() == 1;
        });
        int generation = first.groupMetadata().generationId();
        Set<TopicPartition> secondPartitions = Set.copyOf(second.assignment());
        // A static member's close sends no LeaveGroup; it comes back under the same instance id.
        second.close();
        KafkaConsumer<String, String> back = member("statics", two);
        back.subscribe(List.of("static"));
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            back.poll(Duration.ofMillis(50));
            first.poll(Duration.ofMillis(50));
            return back.assignment().size() == 1;
        });
        assertThat(back.assignment()).isEqualTo(secondPartitions);
        assertThat(back.groupMetadata().generationId()).isEqualTo(generation);
        assertThat(first.groupMetadata().generationId()).isEqualTo(generation);
    }

    @Test
    void listDescribeAndDeleteGroupsAndExactLag() throws Exception {
        samsa.createTopic("lagging", 2, Map.of());
        KafkaProducer<String, String> producer = samsa.producer(Map.of());
        for (int i = 0; i < 30; i++) {
            producer.send(new ProducerRecord<>("lagging", i % 2, null, "v" + i));
        }
        producer.flush();
        TopicPartition p0 = new TopicPartition("lagging", 0);
        TopicPartition p1 = new TopicPartition("lagging", 1);
        try (KafkaConsumer<String, String> c = member("laggards", Map.of())) {
            c.assign(List.of(p0, p1));
            c.commitSync(Map.of(p0, new OffsetAndMetadata(4), p1, new OffsetAndMetadata(15)));
        }
        try (Admin admin = samsa.admin()) {
            Collection<GroupListing> listed = admin.listGroups().all().get();
            assertThat(listed).extracting(GroupListing::groupId).contains("laggards");
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("laggards")
                    .partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, Long> ends = admin.listOffsets(Map.of(p0, OffsetSpec.latest(), p1,
                    OffsetSpec.latest())).all().get().entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
            assertThat(ends.get(p0) - committed.get(p0).offset()).isEqualTo(11);
            assertThat(ends.get(p1) - committed.get(p1).offset()).isEqualTo(0);
            assertThat(admin.describeConsumerGroups(List.of("laggards")).all().get().get("laggards").groupState())
                    .isEqualTo(GroupState.EMPTY);

            KafkaConsumer<String, String> active = member("busy", Map.of());
            active.subscribe(List.of("lagging"));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                active.poll(Duration.ofMillis(50));
                return active.assignment().size() == 2;
            });
            assertThatThrownBy(() -> admin.deleteConsumerGroups(List.of("busy")).all().get())
                    .hasCauseInstanceOf(GroupNotEmptyException.class);
            // OffsetDelete: refused while a member subscribes to the topic, done for an empty group.
            assertThatThrownBy(() -> admin.deleteConsumerGroupOffsets("busy", Set.of(p0)).all().get())
                    .hasCauseInstanceOf(GroupSubscribedToTopicException.class);
            admin.deleteConsumerGroupOffsets("laggards", Set.of(p0)).all().get();
            assertThat(admin.listConsumerGroupOffsets("laggards").partitionsToOffsetAndMetadata().get())
                    .containsOnlyKeys(p1);
            assertThatThrownBy(() -> admin.deleteConsumerGroupOffsets("nobody", Set.of(p0)).all().get())
                    .hasCauseInstanceOf(GroupIdNotFoundException.class);
            admin.deleteConsumerGroups(List.of("laggards")).all().get();
            assertThat(admin.listGroups().all().get()).extracting(GroupListing::groupId).doesNotContain("laggards")
                    .contains("busy");
            assertThat(admin.listConsumerGroupOffsets("laggards").partitionsToOffsetAndMetadata().get()).isEmpty();
        }
    }
}
