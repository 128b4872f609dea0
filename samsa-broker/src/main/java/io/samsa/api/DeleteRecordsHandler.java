package io.samsa.api;

import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import io.samsa.replication.Partition;
import io.samsa.replication.ReplicaManager;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * DeleteRecords: raises a partition's log start offset. Offset -1 means the high watermark; an offset above the high
 * watermark is OFFSET_OUT_OF_RANGE, as in Kafka. Only the leader deletes: elsewhere NOT_LEADER_OR_FOLLOWER.
 */
final class DeleteRecordsHandler implements ApiHandler {

    /** DeleteRecords names no leader epoch. */
    private static final int NO_EPOCH = -1;

    private final ReplicaManager replicas;

    DeleteRecordsHandler(ReplicaManager replicas) {
        this.replicas = replicas;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        DeleteRecordsRequestData data = (DeleteRecordsRequestData) request.body();
        DeleteRecordsResponseData response = new DeleteRecordsResponseData();
        for (DeleteRecordsRequestData.DeleteRecordsTopic topic : data.topics()) {
            DeleteRecordsResponseData.DeleteRecordsTopicResult topicResult =
                    new DeleteRecordsResponseData.DeleteRecordsTopicResult().setName(topic.name());
            for (DeleteRecordsRequestData.DeleteRecordsPartition p : topic.partitions()) {
                DeleteRecordsResponseData.DeleteRecordsPartitionResult result =
                        new DeleteRecordsResponseData.DeleteRecordsPartitionResult()
                                .setPartitionIndex(p.partitionIndex()).setLowWatermark(-1);
                try {
                    Partition partition = replicas.leaderOrThrow(topic.name(), p.partitionIndex(), NO_EPOCH);
                    long hw = partition.highWatermark();
                    long offset = p.offset() == -1 ? hw : p.offset();
                    if (offset < 0 || offset > hw) {
                        result.setErrorCode(Errors.OFFSET_OUT_OF_RANGE.code());
                    } else {
                        partition.log().deleteRecordsBefore(offset);
                        result.setErrorCode(Errors.NONE.code()).setLowWatermark(partition.log().logStartOffset());
                    }
                } catch (RuntimeException e) {
                    result.setErrorCode(ErrorMapper.toError(e).code());
                }
                topicResult.partitions().add(result);
            }
            response.topics().add(topicResult);
        }
        return CompletableFuture.completedFuture(response);
    }
}
