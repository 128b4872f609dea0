package io.samsa.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code samsa group list|describe}. */
@Command(name = "group", description = "List consumer groups, or describe one: members, assignment, lag.",
        mixinStandardHelpOptions = true, subcommands = {GroupCommand.ListGroups.class, GroupCommand.Describe.class})
final class GroupCommand {

    private GroupCommand() {}

    @Command(name = "list", description = "List groups with their protocol and state.", mixinStandardHelpOptions = true)
    static final class ListGroups implements Callable<Integer> {
        @Mixin ClientOptions client;

        @Override
        public Integer call() {
            try (Admin admin = client.admin()) {
                List<GroupListing> groups = new ArrayList<>(client.await(admin.listGroups().all(), "listing groups"));
                groups.sort(Comparator.comparing(GroupListing::groupId));
                List<List<Object>> rows = new ArrayList<>();
                for (GroupListing g : groups) {
                    rows.add(List.of(g.groupId(), g.type().map(t -> t.toString().toLowerCase()).orElse("-"),
                            g.groupState().map(Object::toString).orElse("-")));
                }
                client.output().table(List.of("GROUP", "TYPE", "STATE"), List.of("group", "type", "state"), rows);
            }
            return 0;
        }
    }

    @Command(name = "describe", description = "Show a group's state, members and, per partition, the committed "
            + "offset, the end offset and the lag in records and in seconds (the age of the oldest record not yet "
            + "committed).", mixinStandardHelpOptions = true)
    static final class Describe implements Callable<Integer> {
        @Mixin ClientOptions client;
        @Parameters(paramLabel = "GROUP") String group;

        @Override
        public Integer call() {
            try (Admin admin = client.admin()) {
                ConsumerGroupDescription d = client.await(admin.describeConsumerGroups(List.of(group)).all(),
                        "describing group " + group).get(group);
                Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>(client.await(
                        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata(),
                        "fetching the offsets of " + group));
                committed.values().removeIf(java.util.Objects::isNull);
                if (d.groupState() == org.apache.kafka.common.GroupState.DEAD && committed.isEmpty()) {
                    throw new CliException(CliException.FAILED, "Group " + group + " does not exist.");
                }
                Map<TopicPartition, String> owners = new HashMap<>();
                List<List<Object>> members = new ArrayList<>();
                for (MemberDescription m : d.members()) {
                    List<String> assigned = new ArrayList<>();
                    for (TopicPartition tp : m.assignment().topicPartitions()) {
                        owners.put(tp, m.consumerId());
                        assigned.add(tp.topic() + "-" + tp.partition());
                    }
                    java.util.Collections.sort(assigned);
                    members.add(List.of(m.consumerId(), m.clientId(), m.host(), assigned));
                }
                Map<TopicPartition, Long> ends = Offsets.latest(client, admin, committed.keySet());
                Map<TopicPartition, Long> lagging = new HashMap<>();
                committed.forEach((tp, offset) -> {
                    if (ends.getOrDefault(tp, 0L) > offset.offset()) {
                        lagging.put(tp, offset.offset());
                    }
                });
                Map<TopicPartition, Long> timestamps = oldestUncommittedTimestamps(lagging);
                long now = System.currentTimeMillis();
                List<List<Object>> offsets = new ArrayList<>();
                Map<TopicPartition, OffsetAndMetadata> sorted = new TreeMap<>(Comparator.comparing(
                        TopicPartition::topic).thenComparingInt(TopicPartition::partition));
                sorted.putAll(committed);
                sorted.forEach((tp, offset) -> {
                    long end = ends.getOrDefault(tp, offset.offset());
                    Long ts = timestamps.get(tp);
                    double seconds = ts == null ? 0 : Math.max(0, now - ts) / 1000.0;
                    offsets.add(java.util.Arrays.asList(tp.topic(), tp.partition(), offset.offset(), end,
                            Math.max(0, end - offset.offset()), seconds, owners.get(tp)));
                });
                Output out = client.output();
                List<String> memberKeys = List.of("memberId", "clientId", "host", "assignment");
                List<String> offsetKeys = List.of("topic", "partition", "committedOffset", "endOffset", "lag",
                        "lagSeconds", "memberId");
                if (out.json()) {
                    Map<String, Object> json = new LinkedHashMap<>();
                    json.put("group", group);
                    json.put("state", d.groupState().toString());
                    json.put("type", d.type().toString().toLowerCase());
                    json.put("coordinator", d.coordinator() == null ? null : d.coordinator().id());
                    json.put("members", Output.objects(memberKeys, members));
                    json.put("offsets", Output.objects(offsetKeys, offsets));
                    out.value(json, () -> { });
                } else {
                    out.line("Group: " + group + "  State: " + d.groupState() + "  Type: "
                            + d.type().toString().toLowerCase() + "  Coordinator: "
                            + (d.coordinator() == null ? "-" : d.coordinator().id()) + "  Members: "
                            + d.members().size());
                    if (!members.isEmpty()) {
                        out.line("");
                        out.table(List.of("MEMBER", "CLIENT", "HOST", "ASSIGNMENT"), memberKeys, members);
                    }
                    out.line("");
                    out.table(List.of("TOPIC", "PARTITION", "COMMITTED", "END", "LAG", "LAG_SECONDS", "MEMBER"),
                            offsetKeys, offsets);
                }
            }
            return 0;
        }

        /** The timestamp of the first record at each committed offset, read with a consumer outside the group. */
        private Map<TopicPartition, Long> oldestUncommittedTimestamps(Map<TopicPartition, Long> from) {
            Map<TopicPartition, Long> timestamps = new HashMap<>();
            if (from.isEmpty()) {
                return timestamps;
            }
            Properties props = client.clientProperties();
            props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
                consumer.assign(from.keySet());
                from.forEach(consumer::seek);
                long deadline = System.nanoTime() + Duration.ofMillis(client.timeoutMs).toNanos();
                while (timestamps.size() < from.size() && System.nanoTime() < deadline) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                        if (timestamps.putIfAbsent(tp, r.timestamp()) == null) {
                            consumer.pause(List.of(tp));
                        }
                    }
                }
            }
            return timestamps;
        }
    }
}
