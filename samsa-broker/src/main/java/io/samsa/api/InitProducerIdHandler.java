package io.samsa.api;

import io.samsa.coordinator.transaction.TransactionCoordinator;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * InitProducerId: an idempotent producer gets a fresh producer id at epoch 0; a transactional one (with a
 * transactional.id) is served by the transaction coordinator, which bumps its epoch and fences older instances.
 * Thread-safe (stateless).
 */
final class InitProducerIdHandler implements ApiHandler {

    private final ProducerIdBlocks producerIds;
    private final TransactionCoordinator transactions;

    InitProducerIdHandler(ProducerIdBlocks producerIds, TransactionCoordinator transactions) {
        this.producerIds = producerIds;
        this.transactions = transactions;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        InitProducerIdRequestData data = (InitProducerIdRequestData) request.body();
        InitProducerIdResponseData response = new InitProducerIdResponseData();
        if (data.transactionalId() == null) {
            return CompletableFuture.completedFuture(response.setErrorCode(Errors.NONE.code())
                    .setProducerId(producerIds.nextProducerId()).setProducerEpoch((short) 0));
        }
        return transactions.initProducerId(data.transactionalId(), data.transactionTimeoutMs(), data.producerId(),
                data.producerEpoch()).thenApply(result -> {
                    Errors error = TxnErrors.forVersion(result.error(), request.version(), 4, 5);
                    return response.setErrorCode(error.code()).setProducerId(result.producerId())
                            .setProducerEpoch(result.producerEpoch());
                });
    }
}
