package io.samsa.api;

import io.samsa.coordinator.transaction.TransactionCoordinator;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.EndTxnResponseData;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * EndTxn: commits or aborts the producer's transaction. Served up to v4: v5 means the transaction protocol v2
 * (KIP-890 part 2, an epoch bump at every transaction), which this broker does not finalize. Thread-safe (stateless).
 */
final class EndTxnHandler implements ApiHandler {

    static final int MAX_VERSION = 4;

    private final TransactionCoordinator transactions;

    EndTxnHandler(TransactionCoordinator transactions) {
        this.transactions = transactions;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        EndTxnRequestData data = (EndTxnRequestData) request.body();
        return transactions.endTransaction(data.transactionalId(), data.producerId(), data.producerEpoch(),
                data.committed()).thenApply(error -> new EndTxnResponseData().setErrorCode(
                        TxnErrors.forVersion(error, request.version(), 2, 4).code()));
    }
}
