package io.samsa.api;

import io.samsa.coordinator.transaction.TxnPartition;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * WriteTxnMarkers: appends commit or abort markers to the partitions named. Samsa's own coordinator writes its markers
 * locally; this API is what {@code Admin.abortTransaction} (kafka-transactions --abort) uses to end a hanging
 * transaction whose coordinator no longer completes it.
 */
final class WriteTxnMarkersHandler implements ApiHandler {

    private final TransactionMarkers markers;

    WriteTxnMarkersHandler(TransactionMarkers markers) {
        this.markers = markers;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        WriteTxnMarkersRequestData data = (WriteTxnMarkersRequestData) request.body();
        WriteTxnMarkersResponseData response = new WriteTxnMarkersResponseData();
        for (WriteTxnMarkersRequestData.WritableTxnMarker marker : data.markers()) {
            WriteTxnMarkersResponseData.WritableTxnMarkerResult result =
                    new WriteTxnMarkersResponseData.WritableTxnMarkerResult().setProducerId(marker.producerId());
            for (WriteTxnMarkersRequestData.WritableTxnMarkerTopic topic : marker.topics()) {
                WriteTxnMarkersResponseData.WritableTxnMarkerTopicResult topicResult =
                        new WriteTxnMarkersResponseData.WritableTxnMarkerTopicResult().setName(topic.name());
                for (int partition : topic.partitionIndexes()) {
                    topicResult.partitions().add(new WriteTxnMarkersResponseData.WritableTxnMarkerPartitionResult()
                            .setPartitionIndex(partition).setErrorCode(markers.writeOne(marker.producerId(),
                                    marker.producerEpoch(), marker.coordinatorEpoch(), marker.transactionResult(),
                                    new TxnPartition(topic.name(), partition)).code()));
                }
                result.topics().add(topicResult);
            }
            response.markers().add(result);
        }
        return CompletableFuture.completedFuture(response);
    }
}
