package io.samsa.api;

import io.samsa.coordinator.transaction.TransactionCoordinator;
import io.samsa.coordinator.transaction.TxnError;
import io.samsa.coordinator.transaction.TxnPartition;
import io.samsa.log.AppendOrigin;
import io.samsa.log.LogAppendResult;
import io.samsa.log.TopicPartition;
import io.samsa.metadata.MetadataImage;
import io.samsa.network.ClientConnection;
import io.samsa.network.CloseConnection;
import io.samsa.protocol.Request;
import io.samsa.security.Acl;
import io.samsa.replication.Partition;
import io.samsa.replication.ReplicaManager;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MutableRecordBatch;
import org.apache.kafka.common.record.RecordBatch;

/**
 * Produce: appends each partition's batch as leader and answers with its base offset. acks=0 gets no response; acks=1
 * and acks=all are answered once the append is done and, for acks=all, the high watermark covers it (immediately on
 * one node, where the ISR is this broker alone).
 *
 * <p>As in Kafka, each partition gets its own error (UNKNOWN_TOPIC_OR_PARTITION for an index the topic does not have,
 * negative ones included; NOT_LEADER_OR_FOLLOWER for one this broker does not lead, with the current leader and its
 * endpoint from v10 on, KIP-951), and every partition is validated before any is written, so no request is answered
 * with an error after part of it was written. A failed acks=0 request closes its connection, Kafka's only way to tell
 * such a client.
 *
 * <p>A transactional batch is verified first (KIP-890 part 1, transaction.partition.verification.enable): its
 * partition must be in the producer's ongoing transaction at its epoch, else the write would open a transaction the
 * coordinator does not know of, which nothing would ever end. The check runs under the partition's append lock, so
 * that a marker cannot slip in between.
 */
final class ProduceHandler implements ApiHandler {

    /** Produce v11 is the first version whose clients understand TRANSACTION_ABORTABLE. */
    private static final int ABORTABLE_SINCE = 11;
    /** Produce v10 is the first whose responses carry the current leader of a refused partition (KIP-951). */
    private static final int LEADER_HINTS_SINCE = 10;
    private static final Runnable NO_CHECK = () -> { };

    private final ClusterView cluster;
    private final ReplicaManager replicas;
    private final TransactionCoordinator transactions;
    private final boolean verifyTransactions;
    private final Access access;

    ProduceHandler(ClusterView cluster, ReplicaManager replicas, TransactionCoordinator transactions,
            boolean verifyTransactions, Access access) {
        this.access = access;
        this.cluster = cluster;
        this.replicas = replicas;
        this.transactions = transactions;
        this.verifyTransactions = verifyTransactions;
    }

    /** A partition's batch that passed validation, and where its result goes. */
    private record Append(TopicPartition tp, Partition partition, MemoryRecords records,
            PartitionProduceResponse result) {}

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        ProduceRequestData data = (ProduceRequestData) request.body();
        short acks = data.acks();
        boolean validAcks = acks == -1 || acks == 0 || acks == 1;
        MetadataImage image = cluster.image();
        ProduceResponseData response = new ProduceResponseData();
        // WRITE on the transactional id first: without it, every partition fails (Kafka's answer).
        boolean transactionDenied = data.transactionalId() != null && !access.allowed(request, connection,
                Acl.Operation.WRITE, Acl.ResourceType.TRANSACTIONAL_ID, data.transactionalId());
        // Every partition is checked before any is written, so an error in one never follows a write to another.
        List<Append> appends = new ArrayList<>();
        for (ProduceRequestData.TopicProduceData topicData : data.topicData()) {
            MetadataImage.TopicImage topic = Topics.find(image, topicData.name(), topicData.topicId());
            TopicProduceResponse topicResponse = new TopicProduceResponse()
                    .setName(topicData.name()).setTopicId(topicData.topicId());
            String topicName = topic != null ? topic.name() : topicData.name();
            boolean topicDenied = !transactionDenied && (topic != null || request.version() < 13)
                    && !access.allowed(request, connection, Acl.Operation.WRITE, Acl.ResourceType.TOPIC,
                            topicName == null ? "" : topicName);
            for (ProduceRequestData.PartitionProduceData partitionData : topicData.partitionData()) {
                PartitionProduceResponse result = new PartitionProduceResponse()
                        .setIndex(partitionData.index()).setBaseOffset(-1).setLogAppendTimeMs(-1)
                        .setLogStartOffset(-1);
                topicResponse.partitionResponses().add(result);
                Partition partition = topic == null ? null : replicas.partition(topic.name(), partitionData.index());
                if (transactionDenied) {
                    result.setErrorCode(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code());
                } else if (topicDenied) {
                    result.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
                } else if (!validAcks) {
                    result.setErrorCode(Errors.INVALID_REQUIRED_ACKS.code());
                } else if (topic == null) {
                    result.setErrorCode(request.version() >= 13 ? Errors.UNKNOWN_TOPIC_ID.code()
                            : Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                } else if (!topic.partitions().containsKey(partitionData.index())) {
                    result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                } else if (Topics.isInternal(topic.name())) {
                    // As Kafka: only the coordinators write their internal topics. A client's records there would be
                    // replayed as group or transaction state at the next start, and a malformed one would stop it.
                    result.setErrorCode(Errors.INVALID_TOPIC_EXCEPTION.code())
                            .setErrorMessage("Cannot append to internal topic " + topic.name());
                } else {
                    MemoryRecords records = (MemoryRecords) partitionData.records();
                    String problem = checkSingleV2Batch(records);
                    if (problem != null) {
                        result.setErrorCode(Errors.INVALID_RECORD.code()).setErrorMessage(problem);
                    } else if (partition == null || !partition.isLeader()) {
                        // Checked again under the partition's lock at the append: leadership may move meanwhile.
                        result.setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code());
                    } else {
                        appends.add(new Append(partition.topicPartition(), partition, records, result));
                    }
                }
            }
            response.responses().add(topicResponse);
        }
        for (Append append : appends) {
            append(append, acks, data.transactionalId(), request.version() >= ABORTABLE_SINCE);
        }
        if (request.version() >= LEADER_HINTS_SINCE && anyNotLeader(response)) {
            addLeaderHints(response, topicNames(data, image), connection.listenerName());
        }
        if (acks != 0) {
            return CompletableFuture.completedFuture(response);
        }
        // No response to carry an error: as Kafka, close the connection so that the client notices.
        String failed = failures(response);
        return failed == null ? CompletableFuture.completedFuture(null)
                : CompletableFuture.failedFuture(new CloseConnection("a produce with acks=0 failed: " + failed));
    }

    private void append(Append append, short acks, String transactionalId, boolean abortableSupported) {
        PartitionProduceResponse result = append.result();
        try {
            ByteBuffer buffer = append.records().buffer().duplicate();
            Runnable check = NO_CHECK;
            if (verifyTransactions && transactionalId != null) {
                RecordBatch batch = append.records().firstBatch();
                if (batch.isTransactional()) {
                    check = () -> verify(transactionalId, batch, append.tp(), abortableSupported);
                }
            }
            LogAppendResult appended = append.partition().appendAsLeader(buffer, acks, AppendOrigin.CLIENT, check);
            result.setErrorCode(Errors.NONE.code())
                    .setBaseOffset(appended.firstOffset())
                    .setLogAppendTimeMs(appended.logAppendTime())
                    .setLogStartOffset(appended.logStartOffset());
        } catch (RuntimeException e) {
            Errors error = ErrorMapper.toError(e);
            result.setErrorCode(error.code()).setErrorMessage(ErrorMapper.message(e))
                    .setRecordErrors(ErrorMapper.recordErrors(e));
        }
    }

    private static boolean anyNotLeader(ProduceResponseData response) {
        for (TopicProduceResponse topic : response.responses()) {
            for (PartitionProduceResponse p : topic.partitionResponses()) {
                if (p.errorCode() == Errors.NOT_LEADER_OR_FOLLOWER.code()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The topic name of each topic of the request, in request order (v13 names topics by id only). */
    private static List<String> topicNames(ProduceRequestData data, MetadataImage image) {
        List<String> names = new ArrayList<>(data.topicData().size());
        for (ProduceRequestData.TopicProduceData topicData : data.topicData()) {
            MetadataImage.TopicImage topic = Topics.find(image, topicData.name(), topicData.topicId());
            names.add(topic != null ? topic.name() : topicData.name());
        }
        return names;
    }

    /**
     * KIP-951: each partition refused with NOT_LEADER_OR_FOLLOWER names the current leader and its epoch, and the
     * response carries the leader's endpoint, so the producer switches without waiting for a metadata refresh.
     * Read after the appends, as Kafka reads the leader when it answers.
     */
    private void addLeaderHints(ProduceResponseData response, List<String> topicNames, String listenerName) {
        MetadataImage image = cluster.image();
        int t = 0;
        for (TopicProduceResponse topic : response.responses()) {
            String name = topicNames.get(t++);
            for (PartitionProduceResponse p : topic.partitionResponses()) {
                if (p.errorCode() != Errors.NOT_LEADER_OR_FOLLOWER.code()) {
                    continue;
                }
                ClusterView.LeaderHint leader = cluster.leaderHint(image, replicas.partition(name, p.index()), name,
                        p.index(), listenerName);
                p.currentLeader().setLeaderId(leader.leaderId()).setLeaderEpoch(leader.leaderEpoch());
                if (leader.endpoint() != null
                        && response.nodeEndpoints().find(leader.leaderId()) == null) {
                    response.nodeEndpoints().add(new ProduceResponseData.NodeEndpoint()
                            .setNodeId(leader.leaderId()).setHost(leader.endpoint().host())
                            .setPort(leader.endpoint().port()).setRack(ClusterView.rack(image, leader.leaderId())));
                }
            }
        }
    }

    /** The partitions that failed and why, or null when none did. */
    private static String failures(ProduceResponseData response) {
        StringBuilder failed = new StringBuilder();
        for (TopicProduceResponse topic : response.responses()) {
            for (PartitionProduceResponse p : topic.partitionResponses()) {
                if (p.errorCode() != Errors.NONE.code()) {
                    failed.append(failed.isEmpty() ? "" : ", ").append(topic.name()).append('-').append(p.index())
                            .append(' ').append(Errors.forCode(p.errorCode()));
                }
            }
        }
        return failed.isEmpty() ? null : failed.toString();
    }

    private void verify(String transactionalId, RecordBatch batch, TopicPartition tp, boolean abortableSupported) {
        TxnError error = transactions.verify(transactionalId, batch.producerId(), batch.producerEpoch(),
                new TxnPartition(tp.topic(), tp.partition()));
        if (error != TxnError.NONE) {
            throw TxnErrors.forVerification(error, abortableSupported).exception("Partition " + tp
                    + " is not in the ongoing transaction of " + transactionalId + " at producer epoch "
                    + batch.producerEpoch() + " (" + error + ")");
        }
    }

    /**
     * Since v3 a partition's records are exactly one batch of magic 2 (Kafka's ProduceRequest.validateRecords).
     *
     * @return null when they are, else why not
     */
    private static String checkSingleV2Batch(MemoryRecords records) {
        if (records == null || records.sizeInBytes() == 0) {
            return "Produce requests must carry one record batch per partition";
        }
        try {
            Iterator<MutableRecordBatch> batches = records.batches().iterator();
            if (!batches.hasNext()) {
                return "Produce requests must carry one record batch per partition";
            }
            RecordBatch first = batches.next();
            if (first.magic() != RecordBatch.MAGIC_VALUE_V2) {
                return "Produce requests with version 3 and above must use record batches of magic 2";
            }
            if (batches.hasNext()) {
                return "Produce requests with version 3 and above must have exactly one record batch per partition";
            }
            return null;
        } catch (KafkaException e) { // a batch header that cannot be read at all
            return "Malformed record batch: " + e.getMessage();
        }
    }
}
