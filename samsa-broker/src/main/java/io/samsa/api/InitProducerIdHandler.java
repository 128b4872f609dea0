package io.samsa.api;

import io.samsa.coordinator.transaction.TransactionCoordinator;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import io.samsa.security.Acl;
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
    private final Access access;

    InitProducerIdHandler(ProducerIdBlocks producerIds, TransactionCoordinator transactions, Access access) {
        this.producerIds = producerIds;
        this.transactions = transactions;
        this.access = access;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        InitProducerIdRequestData data = (InitProducerIdRequestData) request.body();
        InitProducerIdResponseData response = new InitProducerIdResponseData();
        if (data.transactionalId() == null) {
            // An idempotent producer: IDEMPOTENT_WRITE on the cluster, or (since idempotence is the default) WRITE
            // on some topic, as Kafka allows.
            if (!access.allowedQuietly(connection, Acl.Operation.IDEMPOTENT_WRITE, Acl.ResourceType.CLUSTER,
                    Acl.CLUSTER_NAME) && !access.allowedOnAny(connection, Acl.Operation.WRITE, Acl.ResourceType.TOPIC)
                    && !access.allowedOnCluster(request, connection, Acl.Operation.IDEMPOTENT_WRITE)) {
                return CompletableFuture.completedFuture(response.setErrorCode(
                        Errors.CLUSTER_AUTHORIZATION_FAILED.code()).setProducerId(-1).setProducerEpoch((short) -1));
            }
            try {
                return CompletableFuture.completedFuture(response.setErrorCode(Errors.NONE.code())
                        .setProducerId(producerIds.nextProducerId()).setProducerEpoch((short) 0));
            } catch (org.apache.kafka.common.errors.ApiException e) {
                // No producer id at hand yet (the block is on its way from the controller): the producer retries.
                return CompletableFuture.completedFuture(response.setErrorCode(Errors.forException(e).code())
                        .setProducerId(-1).setProducerEpoch((short) -1));
            }
        }
        if (!access.allowed(request, connection, Acl.Operation.WRITE, Acl.ResourceType.TRANSACTIONAL_ID,
                data.transactionalId())) {
            return CompletableFuture.completedFuture(response.setErrorCode(
                    Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code()).setProducerId(-1)
                    .setProducerEpoch((short) -1));
        }
        return transactions.initProducerId(data.transactionalId(), data.transactionTimeoutMs(), data.producerId(),
                data.producerEpoch()).thenApply(result -> {
                    Errors error = TxnErrors.forVersion(result.error(), request.version(), 4, 5);
                    return response.setErrorCode(error.code()).setProducerId(result.producerId())
                            .setProducerEpoch(result.producerEpoch());
                });
    }
}
