package io.samsa.api;

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
 */
final class ProduceHandler implements ApiHandler {

    private final MetadataController metadata;
    private final ReplicaManager replicas;

    ProduceHandler(MetadataController metadata, ReplicaManager replicas) {
        this.metadata = metadata;
        this.replicas = replicas;
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
                            (MemoryRecords) partitionData.records(), acks, result);
                }
                topicResponse.partitionResponses().add(result);
            }
            response.responses().add(topicResponse);
        }
        return CompletableFuture.completedFuture(acks == 0 ? null : response);
    }

    private void append(TopicPartition tp, MemoryRecords records, short acks, PartitionProduceResponse result) {
        try {
            String problem = checkSingleV2Batch(records);
            if (problem != null) {
                result.setErrorCode(Errors.INVALID_RECORD.code()).setErrorMessage(problem);
                return;
            }
            Partition partition = replicas.partitionOrThrow(tp);
            ByteBuffer buffer = records.buffer().duplicate();
            LogAppendResult appended = partition.appendAsLeader(buffer, acks);
            result.setErrorCode(Errors.NONE.code())
                    .setBaseOffset(appended.firstOffset())
                    .setLogAppendTimeMs(appended.logAppendTime())
                    .setLogStartOffset(appended.logStartOffset());
        } catch (RuntimeException e) {
            Errors error = ErrorMapper.toError(e);
            result.setErrorCode(error.code()).setErrorMessage(ErrorMapper.message(e));
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
