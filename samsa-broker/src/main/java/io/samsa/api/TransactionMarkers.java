package io.samsa.api;

import io.samsa.coordinator.group.GroupCoordinator;
import io.samsa.coordinator.transaction.TransactionMarkerWriter;
import io.samsa.coordinator.transaction.TxnPartition;
import io.samsa.log.AppendOrigin;
import io.samsa.replication.Partition;
import io.samsa.replication.ReplicaManager;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.record.ControlRecordType;
import org.apache.kafka.common.record.EndTransactionMarker;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transaction coordinator's markers written on this node: a control batch appended to each partition as the
 * coordinator's write (a local call where Kafka's coordinator sends WriteTxnMarkers; the API itself is served by
 * {@link WriteTxnMarkersHandler} for tools that abort hanging transactions). After a marker in {@code __consumer_offsets}, the
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
        for (TxnPartition tp : partitions) {
            Errors error = writeOne(producerId, producerEpoch, coordinatorEpoch, commit, tp);
            if (error == Errors.UNKNOWN_TOPIC_OR_PARTITION) {
                LOG.info("Skipping the transaction marker of producer {} for {}: the partition no longer exists",
                        producerId, tp);
            } else if (error == Errors.INVALID_PRODUCER_EPOCH || error == Errors.TRANSACTION_COORDINATOR_FENCED) {
                // A newer epoch already wrote to the partition, so this transaction is over there; Kafka drops such a
                // marker too.
                LOG.warn("Dropping the transaction marker of producer {} for {}: {}", producerId, tp, error);
            } else if (error != Errors.NONE) {
                failed.add(tp);
            }
        }
        return CompletableFuture.completedFuture(failed);
    }

    /**
     * Appends one marker to one partition (also what WriteTxnMarkers does for each partition it names).
     *
     * @return NONE, UNKNOWN_TOPIC_OR_PARTITION, INVALID_REQUEST (negative producer id), INVALID_PRODUCER_EPOCH
     *     (negative epoch), or the error of the append
     */
    Errors writeOne(long producerId, short producerEpoch, int coordinatorEpoch, boolean commit, TxnPartition tp) {
        Partition partition = replicas.partition(tp.topic(), tp.partition());
        if (partition == null) {
            return Errors.UNKNOWN_TOPIC_OR_PARTITION;
        }
        // A marker needs a real producer (Kafka 4.1.1 lets these fail as UNKNOWN_SERVER_ERROR when it builds the batch).
        if (producerId < 0) {
            return Errors.INVALID_REQUEST;
        }
        if (producerEpoch < 0) {
            return Errors.INVALID_PRODUCER_EPOCH;
        }
        EndTransactionMarker marker = new EndTransactionMarker(
                commit ? ControlRecordType.COMMIT : ControlRecordType.ABORT, coordinatorEpoch);
        MemoryRecords batch = MemoryRecords.withEndTransactionMarker(System.currentTimeMillis(), producerId,
                producerEpoch, marker);
        try {
            partition.appendAsLeader(batch.buffer(), (short) -1, AppendOrigin.COORDINATOR, () -> { });
        } catch (RuntimeException e) {
            Errors error = ErrorMapper.toError(e);
            if (error == Errors.KAFKA_STORAGE_ERROR) {
                // Its data directory logged the full or failed disk once; the coordinator retries.
                LOG.debug("Failed to write the transaction marker of producer {} to {}: {}", producerId, tp,
                        e.getMessage());
            } else {
                LOG.warn("Failed to write the transaction marker of producer {} to {}: {}", producerId, tp,
                        e.getMessage());
            }
            return error;
        }
        if (tp.topic().equals(InternalTopic.CONSUMER_OFFSETS)) {
            groups.endTransaction(tp.partition(), producerId, commit);
        }
        return Errors.NONE;
    }
}
