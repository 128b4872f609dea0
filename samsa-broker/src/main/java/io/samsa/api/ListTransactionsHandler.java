package io.samsa.api;

import io.samsa.coordinator.transaction.TransactionCoordinator;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import io.samsa.security.Acl;
import java.util.HashSet;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.kafka.common.message.ListTransactionsRequestData;
import org.apache.kafka.common.message.ListTransactionsResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * ListTransactions with Kafka's filters: states (unknown names are echoed back), producer ids, minimum duration
 * (v1) and a regular expression on the transactional id (v2; an invalid one is INVALID_REGULAR_EXPRESSION). As in
 * Kafka, only the transactional ids the principal may DESCRIBE are listed. Thread-safe (stateless).
 */
final class ListTransactionsHandler implements ApiHandler {

    private final TransactionCoordinator transactions;
    private final Access access;

    ListTransactionsHandler(TransactionCoordinator transactions, Access access) {
        this.transactions = transactions;
        this.access = access;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        ListTransactionsRequestData data = (ListTransactionsRequestData) request.body();
        ListTransactionsResponseData response = new ListTransactionsResponseData();
        Pattern idPattern = null;
        if (data.transactionalIdPattern() != null && !data.transactionalIdPattern().isEmpty()) {
            try {
                idPattern = Pattern.compile(data.transactionalIdPattern());
            } catch (PatternSyntaxException e) {
                return CompletableFuture.completedFuture(response.setErrorCode(
                        Errors.INVALID_REGULAR_EXPRESSION.code()));
            }
        }
        Pattern matching = idPattern;
        TransactionCoordinator.ListResult result = transactions.list(data.stateFilters(),
                new HashSet<>(data.producerIdFilters()), data.durationFilter());
        response.setErrorCode(Errors.NONE.code()).setUnknownStateFilters(result.unknownStates());
        for (TransactionCoordinator.Listing listing : result.transactions()) {
            if ((matching == null || matching.matcher(listing.transactionalId()).matches())
                    && access.allowed(request, connection, Acl.Operation.DESCRIBE,
                            Acl.ResourceType.TRANSACTIONAL_ID, listing.transactionalId())) {
                response.transactionStates().add(new ListTransactionsResponseData.TransactionState()
                        .setTransactionalId(listing.transactionalId()).setProducerId(listing.producerId())
                        .setTransactionState(listing.state().kafkaName()));
            }
        }
        return CompletableFuture.completedFuture(response);
    }
}
