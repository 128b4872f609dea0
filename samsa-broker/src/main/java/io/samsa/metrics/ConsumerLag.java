package io.samsa.metrics;

import io.samsa.coordinator.group.CommittedOffset;
import io.samsa.coordinator.group.OffsetKey;
import io.samsa.log.RecordTimestamps;
import io.samsa.replication.Partition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.BiFunction;

/**
 * Consumer lag of every group on every partition it committed for, in records and in seconds.
 *
 * <ul>
 *   <li>In records: the high watermark (the end of what a consumer can read) minus the committed offset, never below
 *       0, as kafka_exporter computes it. The broker does not know a group's isolation level (it is a consumer
 *       setting, not sent in any group request), so a read_committed group is measured against the high watermark
 *       too; while a transaction is open that counts its records as lag.
 *   <li>In seconds: how old the oldest record the group has not committed is, i.e. now minus the timestamp of the
 *       first record at or after the committed offset, 0 when the group is caught up (or the record's timestamp is
 *       in the future). The timestamp is found through the offset index ({@link RecordTimestamps}), never by a
 *       scan.
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
final class ConsumerLag {

    /**
     * One group's position on one partition.
     *
     * @param committed the committed offset
     * @param endOffset the partition's high watermark
     * @param lag records between the two, at least 0
     * @param lagSeconds the age of the oldest record not committed, 0 when caught up
     */
    record Row(String group, String topic, int partition, long committed, long endOffset, long lag,
            double lagSeconds) {}

    private ConsumerLag() {}

    /**
     * @param offsets every committed offset
     * @param partitions the local partition of a topic and index, or null when this broker does not host it (a
     *     deleted topic's offsets are left out)
     * @param nowMs the wall clock now
     * @return one row per group and partition, ordered by group, topic and partition
     */
    static List<Row> compute(Map<OffsetKey, CommittedOffset> offsets,
            BiFunction<String, Integer, Partition> partitions, long nowMs) {
        List<Row> rows = new ArrayList<>(offsets.size());
        for (Map.Entry<OffsetKey, CommittedOffset> e : offsets.entrySet()) {
            OffsetKey key = e.getKey();
            Partition partition = partitions.apply(key.topic(), key.partition());
            if (partition == null) {
                continue;
            }
            long committed = e.getValue().offset();
            long end = partition.highWatermark();
            long lag = Math.max(0, end - committed);
            double seconds = 0;
            if (lag > 0) {
                OptionalLong timestamp = RecordTimestamps.firstTimestampAtOrAfter(partition.log(), committed, end);
                if (timestamp.isPresent()) {
                    seconds = Math.max(0, nowMs - timestamp.getAsLong()) / 1000.0;
                }
            }
            rows.add(new Row(key.group(), key.topic(), key.partition(), committed, end, lag, seconds));
        }
        rows.sort(Comparator.comparing(Row::group).thenComparing(Row::topic).thenComparingInt(Row::partition));
        return rows;
    }
}
