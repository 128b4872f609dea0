package io.samsa.api;

import io.samsa.coordinator.group.GroupCoordinator;
import io.samsa.coordinator.transaction.TransactionCoordinator;
import io.samsa.coordinator.transaction.TxnPartition;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddOffsetsToTxnResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * AddOffsetsToTxn: the {@code __consumer_offsets} partition of the group joins the transaction, so that its
 * transactional offset commits are committed or aborted with it. Thread-safe (stateless).
 */
final class AddOffsetsToTxnHandler implements ApiHandler {

    private final TransactionCoordinator transactions;
    private final GroupCoordinator groups;
    private final InternalTopic offsetsTopic;

    AddOffsetsToTxnHandler(TransactionCoordinator transactions, GroupCoordinator groups, InternalTopic offsetsTopic) {
        this.transactions = transactions;
        this.groups = groups;
        this.offsetsTopic = offsetsTopic;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        AddOffsetsToTxnRequestData data = (AddOffsetsToTxnRequestData) request.body();
        AddOffsetsToTxnResponseData response = new AddOffsetsToTxnResponseData();
        if (data.groupId() == null || data.groupId().isEmpty()) {
            return CompletableFuture.completedFuture(response.setErrorCode(Errors.INVALID_GROUP_ID.code()));
        }
        try {
            offsetsTopic.ensureExists();
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(response.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code()));
        }
        TxnPartition offsets = new TxnPartition(offsetsTopic.name(), groups.partitionFor(data.groupId()));
        return transactions.addPartitions(data.transactionalId(), data.producerId(), data.producerEpoch(),
                Set.of(offsets)).thenApply(error -> response.setErrorCode(
                        TxnErrors.forVersion(error, request.version(), 2, 4).code()));
    }
}
