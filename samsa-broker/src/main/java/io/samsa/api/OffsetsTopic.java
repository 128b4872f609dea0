package io.samsa.api;

import io.samsa.coordinator.PartitionWriter;
import io.samsa.log.LogReadResult;
import io.samsa.log.TopicPartition;
import io.samsa.metadata.MetadataController;
import io.samsa.metadata.MetadataException;
import io.samsa.replication.Partition;
import io.samsa.replication.ReplicaManager;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.SimpleRecord;

/**
 * {@code __consumer_offsets} as the group coordinator's {@link PartitionWriter}: records become uncompressed v2
 * batches appended with acks=all, and replay reads a partition from its start. The topic is created on first use
 * (the first FindCoordinator for a group), as in Kafka, with {@code offsets.topic.num.partitions} partitions.
 *
 * <p>Thread-safe.
 */
public final class OffsetsTopic implements PartitionWriter {

    static final String NAME = "__consumer_offsets";
    private static final int REPLAY_CHUNK_BYTES = 1 << 20;

    private final MetadataController metadata;
    private final ReplicaManager replicas;
    private final int partitions;
    private final int segmentBytes;

    /** @param segmentBytes offsets.topic.segment.bytes: the topic's segment.bytes */
    public OffsetsTopic(MetadataController metadata, ReplicaManager replicas, int partitions, int segmentBytes) {
        this.metadata = metadata;
        this.replicas = replicas;
        this.partitions = partitions;
        this.segmentBytes = segmentBytes;
    }

    /** Creates the topic if it does not exist yet. */
    synchronized void ensureExists() {
        if (metadata.image().topic(NAME) != null) {
            return;
        }
        try {
            // compact: only the latest commit of each group-partition matters; the log cleaner keeps just that.
            metadata.createTopic(NAME, partitions, (short) -1, Map.of(), Map.of("cleanup.policy", "compact",
                    "segment.bytes", String.valueOf(segmentBytes)), false);
        } catch (MetadataException e) {
            if (e.kind() != MetadataException.Kind.TOPIC_ALREADY_EXISTS) {
                throw e;
            }
        }
    }

    @Override
    public CompletableFuture<Void> append(int partition, List<KeyValue> records) {
        try {
            ensureExists();
            SimpleRecord[] simple = new SimpleRecord[records.size()];
            long now = System.currentTimeMillis();
            for (int i = 0; i < simple.length; i++) {
                simple[i] = new SimpleRecord(now, records.get(i).key(), records.get(i).value());
            }
            MemoryRecords batch = MemoryRecords.withRecords(Compression.NONE, simple);
            replicas.partitionOrThrow(new TopicPartition(NAME, partition)).appendAsLeader(batch.buffer(), (short) -1);
            // One node: the ISR is this broker, so the append is committed when it returns.
            return CompletableFuture.completedFuture(null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public void replay(int partition, BiConsumer<byte[], byte[]> consumer) {
        Partition p = replicas.partition(new TopicPartition(NAME, partition));
        if (p == null) {
            return;
        }
        long offset = p.log().logStartOffset();
        long end = p.highWatermark();
        while (offset < end) {
            LogReadResult read = p.log().read(offset, REPLAY_CHUNK_BYTES, end, true);
            if (!read.records().hasRemaining()) {
                break;
            }
            // Batch by batch: cleaning leaves offset gaps and batches emptied of their records.
            for (RecordBatch batch : MemoryRecords.readableRecords(read.records()).batches()) {
                for (Record record : batch) {
                    if (record.offset() >= offset) {
                        consumer.accept(bytes(record.key()), record.hasValue() ? bytes(record.value()) : null);
                    }
                }
                offset = batch.nextOffset();
            }
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
