package io.samsa.cli;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/** Start and end offsets of partitions, through the admin client's ListOffsets. */
final class Offsets {

    private Offsets() {}

    static Map<TopicPartition, Long> latest(ClientOptions client, Admin admin, String topic, int partitions) {
        return list(client, admin, topic, partitions, OffsetSpec.latest());
    }

    static Map<TopicPartition, Long> earliest(ClientOptions client, Admin admin, String topic, int partitions) {
        return list(client, admin, topic, partitions, OffsetSpec.earliest());
    }

    static Map<TopicPartition, Long> latest(ClientOptions client, Admin admin, Iterable<TopicPartition> partitions) {
        Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
        partitions.forEach(tp -> specs.put(tp, OffsetSpec.latest()));
        return offsets(client, admin, specs);
    }

    private static Map<TopicPartition, Long> list(ClientOptions client, Admin admin, String topic, int partitions,
            OffsetSpec spec) {
        Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            specs.put(new TopicPartition(topic, p), spec);
        }
        return offsets(client, admin, specs);
    }

    private static Map<TopicPartition, Long> offsets(ClientOptions client, Admin admin,
            Map<TopicPartition, OffsetSpec> specs) {
        Map<TopicPartition, Long> result = new HashMap<>();
        if (specs.isEmpty()) {
            return result;
        }
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> infos = client.await(
                admin.listOffsets(specs).all(), "listing offsets");
        infos.forEach((tp, info) -> result.put(tp, info.offset()));
        return result;
    }
}
