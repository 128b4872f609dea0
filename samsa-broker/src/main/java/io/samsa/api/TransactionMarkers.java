package io.samsa.api;

import io.samsa.coordinator.group.GroupCoordinator;
import io.samsa.coordinator.transaction.TransactionMarkerWriter;
import io.samsa.coordinator.transaction.TxnPartition;
import io.samsa.log.AppendOrigin;
import io.samsa.log.StorageException;
import io.samsa.log.TopicPartition;
import io.samsa.replication.Partition;
import io.samsa.replication.ReplicaManager;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.record.ControlRecordType;
import org.apache.kafka.common.record.EndTransactionMarker;
import org.apache.kafka.common.record.MemoryRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transaction coordinator's markers written on this node: a control batch appended to each partition as the
 * coordinator's write (Kafka's WriteTxnMarkers, here a local call). After a marker in {@code __consumer_offsets}, the
 * group coordinator commits or drops the producer's pending transactional offsets of that partition.
 *
 * <p>Thread-safe (stateless).
 */
final class TransactionMarkers implements TransactionMarkerWriter {

    private static final Logger LOG = LoggerFactory.getLogger(TransactionMarkers.class);

    private final ReplicaManager replicas;
    private final GroupCoordinator groups;

    TransactionMarkers(ReplicaManager replicas, GroupCoordinator groups) {
        this.replicas = replicas;
        this.groups = groups;
    }

    @Override
    public CompletableFuture<Set<TxnPartition>> write(long producerId, short producerEpoch, int coordinatorEpoch,
            boolean commit, Set<TxnPartition> partitions) {
        Set<TxnPartition> failed = new HashSet<>();
        EndTransactionMarker marker = new EndTransactionMarker(
                commit ? ControlRecordType.COMMIT : ControlRecordType.ABORT, coordinatorEpoch);
        for (TxnPartition tp : partitions) {
            Partition partition = replicas.partition(new TopicPartition(tp.topic(), tp.partition()));
            if (partition == null) {
                LOG.info("Skipping the transaction marker of producer {} for {}: the partition no longer exists",
                        producerId, tp);
                continue;
            }
            MemoryRecords batch = MemoryRecords.withEndTransactionMarker(System.currentTimeMillis(), producerId,
                    producerEpoch, marker);
            try {
                partition.appendAsLeader(batch.buffer(), (short) -1, AppendOrigin.COORDINATOR, () -> { });
            } catch (RuntimeException e) {
                if (e instanceof StorageException s && (s.kind() == StorageException.Kind.INVALID_PRODUCER_EPOCH
                        || s.kind() == StorageException.Kind.TRANSACTION_COORDINATOR_FENCED)) {
                    // A newer epoch already wrote to the partition, so this transaction is over there; Kafka drops
                    // such a marker too.
                    LOG.warn("Dropping the transaction marker of producer {} for {}: {}", producerId, tp,
                            e.getMessage());
                } else {
                    LOG.warn("Failed to write the transaction marker of producer {} to {}: {}", producerId, tp,
                            e.getMessage());
                    failed.add(tp);
                }
                continue;
            }
            if (tp.topic().equals(InternalTopic.CONSUMER_OFFSETS)) {
                groups.endTransaction(tp.partition(), producerId, commit);
            }
        }
        return CompletableFuture.completedFuture(failed);
    }
}
