package io.samsa.api;

import io.samsa.coordinator.PartitionWriter;
import io.samsa.log.AppendOrigin;
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
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.ControlRecordType;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.SimpleRecord;

/**
 * A coordinator's internal topic ({@code __consumer_offsets}, {@code __transaction_state}) as its
 * {@link PartitionWriter}: records become uncompressed v2 batches appended with acks=all, and replay reads a partition
 * from its start. The topic is created on first use (the first FindCoordinator for it), as in Kafka, compacted: only
 * the latest record of each key matters.
 *
 * <p>Thread-safe.
 */
public final class InternalTopic implements PartitionWriter {

    static final String CONSUMER_OFFSETS = "__consumer_offsets";
    static final String TRANSACTION_STATE = "__transaction_state";
    private static final int REPLAY_CHUNK_BYTES = 1 << 20;
    private static final int DEFAULT_SEGMENT_BYTES = 100 * 1024 * 1024;

    private final String name;
    private final MetadataController metadata;
    private final ReplicaManager replicas;
    private final int partitions;
    private final int segmentBytes;

    private InternalTopic(String name, MetadataController metadata, ReplicaManager replicas, int partitions,
            int segmentBytes) {
        this.name = name;
        this.metadata = metadata;
        this.replicas = replicas;
        this.partitions = partitions;
        this.segmentBytes = segmentBytes;
    }

    /**
     * {@code __consumer_offsets}, with {@code offsets.topic.num.partitions} partitions of
     * {@code offsets.topic.segment.bytes} segments (small segments let the cleaner shrink it sooner).
     */
    public static InternalTopic consumerOffsets(MetadataController metadata, ReplicaManager replicas, int partitions,
            int segmentBytes) {
        return new InternalTopic(CONSUMER_OFFSETS, metadata, replicas, partitions, segmentBytes);
    }

    /** {@code __transaction_state}, with {@code transaction.state.log.num.partitions} partitions. */
    public static InternalTopic transactionState(MetadataController metadata, ReplicaManager replicas,
            int partitions) {
        return new InternalTopic(TRANSACTION_STATE, metadata, replicas, partitions, DEFAULT_SEGMENT_BYTES);
    }

    String name() {
        return name;
    }

    /**
     * Creates the topic if it does not exist yet (waiting until it is published), for the coordinator's first write.
     * Never called on the metadata publisher's thread, which this waits for.
     */
    synchronized void ensureExists() {
        if (metadata.image().topic(name) == null) {
            create().join();
        }
    }

    /** Whether the topic is created and hosted. */
    boolean isPublished() {
        return metadata.image().topic(name) != null;
    }

    /** Creates the topic if it does not exist yet; completes once it is published. */
    CompletableFuture<Void> create() {
        if (metadata.image().topic(name) != null) {
            return CompletableFuture.completedFuture(null);
        }
        try {
            return metadata.ensureTopic(name, partitions, (short) -1, Map.of("cleanup.policy", "compact",
                    "segment.bytes", String.valueOf(segmentBytes)));
        } catch (MetadataException e) {
            if (e.kind() != MetadataException.Kind.TOPIC_ALREADY_EXISTS) {
                throw e;
            }
            return metadata.published();
        }
    }

    @Override
    public CompletableFuture<Void> append(int partition, List<KeyValue> records) {
        try {
            ensureExists();
            MemoryRecords batch = MemoryRecords.withRecords(Compression.NONE, simpleRecords(records));
            replicas.partitionOrThrow(new TopicPartition(name, partition)).appendAsLeader(batch.buffer(), (short) -1);
            // One node: the ISR is this broker, so the append is committed when it returns.
            return CompletableFuture.completedFuture(null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(writeFailure(e));
        }
    }

    @Override
    public CompletableFuture<Void> appendTransactional(int partition, long producerId, short producerEpoch,
            List<KeyValue> records, Runnable check) {
        try {
            ensureExists();
            // Sequence 0 for every batch, as Kafka's coordinator writes them: a coordinator's writes are not
            // checked for sequence, only for the producer epoch.
            MemoryRecords batch = MemoryRecords.withTransactionalRecords(Compression.NONE, producerId, producerEpoch,
                    0, simpleRecords(records));
            replicas.partitionOrThrow(new TopicPartition(name, partition)).appendAsLeader(batch.buffer(), (short) -1,
                    AppendOrigin.COORDINATOR, check);
            return CompletableFuture.completedFuture(null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(writeFailure(e));
        }
    }

    /**
     * Kafka's coordinators answer a failed write of their state as NOT_COORDINATOR when the disk refused it
     * (KAFKA_STORAGE_ERROR) or leadership moved, and COORDINATOR_NOT_AVAILABLE when the partition cannot take it for
     * now; clients retry both. Anything else (a refused transactional check) is passed on.
     */
    private static RuntimeException writeFailure(RuntimeException e) {
        Errors error = ErrorMapper.toError(e);
        return switch (error) {
            case KAFKA_STORAGE_ERROR, NOT_LEADER_OR_FOLLOWER ->
                    new WriteFailedException(WriteFailure.NOT_COORDINATOR, e);
            case NOT_ENOUGH_REPLICAS, UNKNOWN_TOPIC_OR_PARTITION, REQUEST_TIMED_OUT ->
                    new WriteFailedException(WriteFailure.COORDINATOR_NOT_AVAILABLE, e);
            default -> e;
        };
    }

    private static SimpleRecord[] simpleRecords(List<KeyValue> records) {
        SimpleRecord[] simple = new SimpleRecord[records.size()];
        long now = System.currentTimeMillis();
        for (int i = 0; i < simple.length; i++) {
            simple[i] = new SimpleRecord(now, records.get(i).key(), records.get(i).value());
        }
        return simple;
    }

    /**
     * Replays a partition this broker leads; one it only follows (or does not host) replays nothing, since its
     * coordinator is the leader's (the coordinator gate answers NOT_COORDINATOR here for its keys).
     */
    @Override
    public void replay(int partition, ReplayVisitor visitor) {
        Partition p = replicas.partition(new TopicPartition(name, partition));
        if (p == null || !p.isLeader()) {
            return;
        }
        long offset = p.log().logStartOffset();
        long end = p.highWatermark();
        while (offset < end) {
            LogReadResult read = p.log().read(offset, REPLAY_CHUNK_BYTES, end, true);
            if (!read.records().hasRemaining()) {
                break;
            }
            for (RecordBatch batch : MemoryRecords.readableRecords(read.records()).batches()) {
                if (batch.lastOffset() >= offset) {
                    replayBatch(batch, offset, visitor);
                }
                offset = batch.nextOffset();
            }
        }
    }

    private static void replayBatch(RecordBatch batch, long fromOffset, ReplayVisitor visitor) {
        for (Record record : batch) {
            if (record.offset() < fromOffset) {
                continue;
            }
            if (batch.isControlBatch()) {
                ControlRecordType type = ControlRecordType.parse(record.key());
                if (type == ControlRecordType.COMMIT || type == ControlRecordType.ABORT) {
                    visitor.marker(batch.producerId(), type == ControlRecordType.COMMIT);
                }
            } else {
                visitor.record(batch.isTransactional() ? batch.producerId() : -1, bytes(record.key()),
                        record.hasValue() ? bytes(record.value()) : null);
            }
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
