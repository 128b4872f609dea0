package io.samsa.api;

import io.samsa.log.ProducerStateEntry;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import io.samsa.replication.Partition;
import io.samsa.replication.ReplicaManager;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.DescribeProducersResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/** DescribeProducers: the idempotent producers a partition's log keeps state for. */
final class DescribeProducersHandler implements ApiHandler {

    private final ReplicaManager replicas;

    DescribeProducersHandler(ReplicaManager replicas) {
        this.replicas = replicas;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        DescribeProducersRequestData data = (DescribeProducersRequestData) request.body();
        DescribeProducersResponseData response = new DescribeProducersResponseData();
        for (DescribeProducersRequestData.TopicRequest topic : data.topics()) {
            DescribeProducersResponseData.TopicResponse topicResponse =
                    new DescribeProducersResponseData.TopicResponse().setName(topic.name());
            for (int index : topic.partitionIndexes()) {
                DescribeProducersResponseData.PartitionResponse result =
                        new DescribeProducersResponseData.PartitionResponse().setPartitionIndex(index);
                try {
                    // The leader's producer state only, as Kafka's Partition.activeProducerState.
                    Partition partition = replicas.leaderOrThrow(topic.name(), index, -1);
                    for (ProducerStateEntry p : partition.log().activeProducers()) {
                        result.activeProducers().add(new DescribeProducersResponseData.ProducerState()
                                .setProducerId(p.producerId()).setProducerEpoch(p.producerEpoch())
                                .setLastSequence(p.lastSequence()).setLastTimestamp(p.lastTimestamp())
                                .setCoordinatorEpoch(p.coordinatorEpoch())
                                .setCurrentTxnStartOffset(p.currentTxnStartOffset()));
                    }
                    result.setErrorCode(Errors.NONE.code());
                } catch (RuntimeException e) {
                    result.setErrorCode(ErrorMapper.toError(e).code()).setErrorMessage(ErrorMapper.message(e));
                }
                topicResponse.partitions().add(result);
            }
            response.topics().add(topicResponse);
        }
        return CompletableFuture.completedFuture(response);
    }
}
