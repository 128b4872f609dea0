package io.samsa.api;

import io.samsa.coordinator.transaction.TransactionCoordinator;
import io.samsa.coordinator.transaction.TxnError;
import io.samsa.coordinator.transaction.TxnPartition;
import io.samsa.log.AppendOrigin;
import io.samsa.log.LogAppendResult;
import io.samsa.log.TopicPartition;
import io.samsa.metadata.MetadataController;
import io.samsa.metadata.MetadataImage;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import io.samsa.replication.Partition;
import io.samsa.replication.ReplicaManager;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
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
 * <p>A transactional batch is verified first (KIP-890 part 1, transaction.partition.verification.enable): its
 * partition must be in the producer's ongoing transaction at its epoch, else the write would open a transaction the
 * coordinator does not know of, which nothing would ever end. The check runs under the partition's append lock, so
 * that a marker cannot slip in between.
 */
final class ProduceHandler implements ApiHandler {

    /** Produce v11 is the first version whose clients understand TRANSACTION_ABORTABLE. */
    private static final int ABORTABLE_SINCE = 11;
    private static final Runnable NO_CHECK = () -> { };

    private final MetadataController metadata;
    private final ReplicaManager replicas;
    private final TransactionCoordinator transactions;
    private final boolean verifyTransactions;

    ProduceHandler(MetadataController metadata, ReplicaManager replicas, TransactionCoordinator transactions,
            boolean verifyTransactions) {
        this.metadata = metadata;
        this.replicas = replicas;
        this.transactions = transactions;
        this.verifyTransactions = verifyTransactions;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        ProduceRequestData data = (ProduceRequestData) request.body();
        short acks = data.acks();
        boolean validAcks = acks == -1 || acks == 0 || acks == 1;
        MetadataImage image = metadata.image();
        ProduceResponseData response = new ProduceResponseData();
        for (ProduceRequestData.TopicProduceData topicData : data.topicData()) {
            MetadataImage.TopicImage topic = Topics.find(image, topicData.name(), topicData.topicId());
            TopicProduceResponse topicResponse = new TopicProduceResponse()
                    .setName(topicData.name()).setTopicId(topicData.topicId());
            for (ProduceRequestData.PartitionProduceData partitionData : topicData.partitionData()) {
                PartitionProduceResponse result = new PartitionProduceResponse()
                        .setIndex(partitionData.index()).setBaseOffset(-1).setLogAppendTimeMs(-1)
                        .setLogStartOffset(-1);
                if (!validAcks) {
                    result.setErrorCode(Errors.INVALID_REQUIRED_ACKS.code());
                } else if (topic == null) {
                    result.setErrorCode(request.version() >= 13 ? Errors.UNKNOWN_TOPIC_ID.code()
                            : Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                } else {
                    append(new TopicPartition(topic.name(), partitionData.index()),
                            (MemoryRecords) partitionData.records(), acks, data.transactionalId(),
                            request.version() >= ABORTABLE_SINCE, result);
                }
                topicResponse.partitionResponses().add(result);
            }
            response.responses().add(topicResponse);
        }
        return CompletableFuture.completedFuture(acks == 0 ? null : response);
    }

    private void append(TopicPartition tp, MemoryRecords records, short acks, String transactionalId,
            boolean abortableSupported, PartitionProduceResponse result) {
        try {
            String problem = checkSingleV2Batch(records);
            if (problem != null) {
                result.setErrorCode(Errors.INVALID_RECORD.code()).setErrorMessage(problem);
                return;
            }
            Partition partition = replicas.partitionOrThrow(tp);
            ByteBuffer buffer = records.buffer().duplicate();
            Runnable check = NO_CHECK;
            if (verifyTransactions && transactionalId != null) {
                RecordBatch batch = records.firstBatch();
                if (batch.isTransactional()) {
                    check = () -> verify(transactionalId, batch, tp, abortableSupported);
                }
            }
            LogAppendResult appended = partition.appendAsLeader(buffer, acks, AppendOrigin.CLIENT, check);
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

    private void verify(String transactionalId, RecordBatch batch, TopicPartition tp, boolean abortableSupported) {
        TxnError error = transactions.verify(transactionalId, batch.producerId(), batch.producerEpoch(),
                new TxnPartition(tp.topic(), tp.partition()));
        if (error != TxnError.NONE) {
            throw TxnErrors.forVerification(error, abortableSupported).exception("Partition " + tp
                    + " is not in the ongoing transaction of " + transactionalId + " at producer epoch "
                    + batch.producerEpoch() + " (" + error + ")");
        }
    }

    /** Since v3 a partition's records are exactly one batch of magic 2 (Kafka's ProduceRequest.validateRecords). */
    private static String checkSingleV2Batch(MemoryRecords records) {
        if (records == null || records.sizeInBytes() == 0) {
            return "Produce requests must carry one record batch per partition";
        }
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
    }
}
