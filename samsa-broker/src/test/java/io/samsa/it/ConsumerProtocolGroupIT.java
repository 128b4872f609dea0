package io.samsa.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.SubscriptionPattern;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * Every test of {@link ConsumerGroupIT} with {@code group.protocol=consumer} (KIP-848: ConsumerGroupHeartbeat with
 * server-side assignment), plus what only that protocol has: choosing the server assignor, regular-expression
 * subscriptions resolved by the broker, and ConsumerGroupDescribe's epochs and target assignments.
 */
class ConsumerProtocolGroupIT extends ConsumerGroupIT {

    @Override
    protected Map<String, Object> protocol() {
        return Map.of(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
    }

    @Override
    protected String defaultAssignor() {
        return "uniform";
    }

    @Test
    void theRangeAssignorGivesContiguousRangesPerTopic() throws Exception {
        samsa.createTopic("ranged", 5, Map.of());
        Map<String, Object> range = Map.of(ConsumerConfig.GROUP_REMOTE_ASSIGNOR_CONFIG, "range");
        KafkaConsumer<String, String> a = member("rangers", range);
        KafkaConsumer<String, String> b = member("rangers", range);
        a.subscribe(List.of("ranged"));
        b.subscribe(List.of("ranged"));
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            a.poll(Duration.ofMillis(50));
            b.poll(Duration.ofMillis(50));
            return a.assignment().size() + b.assignment().size() == 5 && !a.assignment().isEmpty()
                    && !b.assignment().isEmpty();
        });
        try (Admin admin = samsa.admin()) {
            ConsumerGroupDescription group = admin.describeConsumerGroups(List.of("rangers")).all().get()
                    .get("rangers");
            assertThat(group.partitionAssignor()).isEqualTo("range");
            assertThat(group.type()).isEqualTo(GroupType.CONSUMER);
            // Members in member-id order get 0-2 and 3-4.
            List<MemberDescription> byId = group.members().stream()
                    .sorted(java.util.Comparator.comparing(MemberDescription::consumerId)).toList();
            assertThat(byId.get(0).assignment().topicPartitions()).containsExactlyInAnyOrder(
                    new TopicPartition("ranged", 0), new TopicPartition("ranged", 1), new TopicPartition("ranged", 2));
            assertThat(byId.get(1).assignment().topicPartitions()).containsExactlyInAnyOrder(
                    new TopicPartition("ranged", 3), new TopicPartition("ranged", 4));
            assertThat(byId.get(0).targetAssignment()).contains(byId.get(0).assignment());
            assertThat(group.groupEpoch()).isPresent();
            assertThat(group.targetAssignmentEpoch()).isEqualTo(group.groupEpoch());
            assertThat(admin.listGroups().all().get()).filteredOn(g -> g.groupId().equals("rangers"))
                    .extracting(GroupListing::type).containsExactly(java.util.Optional.of(GroupType.CONSUMER));
        }
        a.close();
        b.close();
    }

    @Test
    void aRegexSubscriptionResolvedByTheBrokerPicksUpANewTopic() throws Exception {
        samsa.createTopic("events-a", 1, Map.of());
        samsa.createTopic("other", 1, Map.of());
        KafkaConsumer<String, String> c = member("patterns", Map.of());
        c.subscribe(new SubscriptionPattern("events-.*"));
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            c.poll(Duration.ofMillis(50));
            return c.assignment().equals(Set.of(new TopicPartition("events-a", 0)));
        });
        samsa.createTopic("events-b", 2, Map.of());
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            c.poll(Duration.ofMillis(50));
            return c.assignment().size() == 3;
        });
        assertThat(c.assignment()).containsExactlyInAnyOrder(new TopicPartition("events-a", 0),
                new TopicPartition("events-b", 0), new TopicPartition("events-b", 1));
        try (Admin admin = samsa.admin()) {
            ConsumerGroupDescription group = admin.describeConsumerGroups(List.of("patterns")).all().get()
                    .get("patterns");
            assertThat(group.groupState()).isEqualTo(GroupState.STABLE);
        }
        c.close();
    }
}
