package io.samsa.api;

import io.samsa.coordinator.transaction.TransactionCoordinator;
import io.samsa.coordinator.transaction.TransactionMetadata;
import io.samsa.coordinator.transaction.TxnPartition;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import io.samsa.security.Acl;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DescribeTransactionsRequestData;
import org.apache.kafka.common.message.DescribeTransactionsResponseData;
import org.apache.kafka.common.message.DescribeTransactionsResponseData.TopicData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * DescribeTransactions: the coordinator's state of each transactional id. As in Kafka, each id needs DESCRIBE (a denied
 * one gets TRANSACTIONAL_ID_AUTHORIZATION_FAILED, the others are described), and a transaction's partitions are listed
 * only for the topics the principal may DESCRIBE. Thread-safe (stateless).
 */
final class DescribeTransactionsHandler implements ApiHandler {

    private final TransactionCoordinator transactions;
    private final Access access;

    DescribeTransactionsHandler(TransactionCoordinator transactions, Access access) {
        this.transactions = transactions;
        this.access = access;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        DescribeTransactionsRequestData data = (DescribeTransactionsRequestData) request.body();
        DescribeTransactionsResponseData response = new DescribeTransactionsResponseData();
        for (String id : data.transactionalIds()) {
            DescribeTransactionsResponseData.TransactionState state =
                    new DescribeTransactionsResponseData.TransactionState().setTransactionalId(id);
            response.transactionStates().add(state);
            if (!access.allowed(request, connection, Acl.Operation.DESCRIBE, Acl.ResourceType.TRANSACTIONAL_ID,
                    id == null ? "" : id)) {
                state.setErrorCode(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code());
                continue;
            }
            if (id == null || id.isEmpty()) {
                state.setErrorCode(Errors.INVALID_REQUEST.code());
                continue;
            }
            TransactionMetadata m = transactions.describe(id);
            if (m == null) {
                state.setErrorCode(Errors.TRANSACTIONAL_ID_NOT_FOUND.code());
                continue;
            }
            state.setErrorCode(Errors.NONE.code()).setTransactionState(m.state().kafkaName())
                    .setTransactionTimeoutMs(m.timeoutMs()).setTransactionStartTimeMs(m.startTimestamp())
                    .setProducerId(m.producerId()).setProducerEpoch(m.producerEpoch());
            m.partitions().stream().sorted(Comparator.comparing(TxnPartition::topic)
                    .thenComparingInt(TxnPartition::partition))
                    .filter(p -> access.allowed(request, connection, Acl.Operation.DESCRIBE, Acl.ResourceType.TOPIC,
                            p.topic()))
                    .forEach(p -> {
                        TopicData topic = state.topics().find(p.topic());
                        if (topic == null) {
                            topic = new TopicData().setTopic(p.topic());
                            state.topics().add(topic);
                        }
                        topic.partitions().add(p.partition());
                    });
        }
        return CompletableFuture.completedFuture(response);
    }
}
