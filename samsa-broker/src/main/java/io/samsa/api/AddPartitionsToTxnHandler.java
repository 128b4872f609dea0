package io.samsa.api;

import io.samsa.coordinator.transaction.TransactionCoordinator;
import io.samsa.coordinator.transaction.TxnError;
import io.samsa.coordinator.transaction.TxnPartition;
import io.samsa.metadata.MetadataController;
import io.samsa.metadata.MetadataImage;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnPartitionResult;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResult;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResultCollection;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * AddPartitionsToTxn: v0–3, the client's request for one transaction; v4+, Kafka's broker-to-broker form with
 * several transactions, each either added or only verified (verify_only, KIP-890 part 1). As in Kafka, a request
 * naming a partition that does not exist adds nothing: that partition gets UNKNOWN_TOPIC_OR_PARTITION and the others
 * OPERATION_NOT_ATTEMPTED. Thread-safe (stateless).
 */
final class AddPartitionsToTxnHandler implements ApiHandler {

    private final MetadataController metadata;
    private final TransactionCoordinator transactions;

    AddPartitionsToTxnHandler(MetadataController metadata, TransactionCoordinator transactions) {
        this.metadata = metadata;
        this.transactions = transactions;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        AddPartitionsToTxnRequestData data = (AddPartitionsToTxnRequestData) request.body();
        short version = request.version();
        if (version < 4) {
            return addOrVerify(data.v3AndBelowTransactionalId(), data.v3AndBelowProducerId(),
                    data.v3AndBelowProducerEpoch(), data.v3AndBelowTopics(), false, version)
                    .thenApply(results -> new AddPartitionsToTxnResponseData().setResultsByTopicV3AndBelow(results));
        }
        AddPartitionsToTxnResponseData response = new AddPartitionsToTxnResponseData()
                .setErrorCode(Errors.NONE.code());
        CompletableFuture<Void> all = CompletableFuture.completedFuture(null);
        for (AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction txn : data.transactions()) {
            AddPartitionsToTxnResponseData.AddPartitionsToTxnResult result =
                    new AddPartitionsToTxnResponseData.AddPartitionsToTxnResult()
                            .setTransactionalId(txn.transactionalId());
            response.resultsByTransaction().add(result);
            all = all.thenCompose(v -> addOrVerify(txn.transactionalId(), txn.producerId(), txn.producerEpoch(),
                    txn.topics(), txn.verifyOnly(), version).thenAccept(result::setTopicResults));
        }
        return all.thenApply(v -> response);
    }

    private CompletableFuture<AddPartitionsToTxnTopicResultCollection> addOrVerify(String transactionalId,
            long producerId, short producerEpoch, AddPartitionsToTxnTopicCollection topics, boolean verifyOnly,
            short version) {
        MetadataImage image = metadata.image();
        Map<TxnPartition, Errors> unknown = new LinkedHashMap<>();
        List<TxnPartition> partitions = new ArrayList<>();
        for (AddPartitionsToTxnTopic topic : topics) {
            MetadataImage.TopicImage known = image.topic(topic.name());
            for (int p : topic.partitions()) {
                TxnPartition partition = new TxnPartition(topic.name(), p);
                partitions.add(partition);
                if (known == null || !known.partitions().containsKey(p)) {
                    unknown.put(partition, Errors.UNKNOWN_TOPIC_OR_PARTITION);
                }
            }
        }
        if (!unknown.isEmpty()) {
            Map<TxnPartition, Errors> errors = new LinkedHashMap<>();
            partitions.forEach(p -> errors.put(p, unknown.getOrDefault(p, Errors.OPERATION_NOT_ATTEMPTED)));
            return CompletableFuture.completedFuture(results(errors));
        }
        if (verifyOnly) {
            Map<TxnPartition, Errors> errors = new LinkedHashMap<>();
            for (TxnPartition p : partitions) {
                errors.put(p, errorFor(transactions.verify(transactionalId, producerId, producerEpoch, p), version));
            }
            return CompletableFuture.completedFuture(results(errors));
        }
        return transactions.addPartitions(transactionalId, producerId, producerEpoch, java.util.Set.copyOf(partitions))
                .thenApply(error -> {
                    Map<TxnPartition, Errors> errors = new LinkedHashMap<>();
                    partitions.forEach(p -> errors.put(p, errorFor(error, version)));
                    return results(errors);
                });
    }

    private static Errors errorFor(TxnError error, short version) {
        return TxnErrors.forVersion(error, version, 2, 5);
    }

    private static AddPartitionsToTxnTopicResultCollection results(Map<TxnPartition, Errors> errors) {
        AddPartitionsToTxnTopicResultCollection topics = new AddPartitionsToTxnTopicResultCollection();
        errors.forEach((partition, error) -> {
            AddPartitionsToTxnTopicResult topic = topics.find(partition.topic());
            if (topic == null) {
                topic = new AddPartitionsToTxnTopicResult().setName(partition.topic());
                topics.add(topic);
            }
            topic.resultsByPartition().add(new AddPartitionsToTxnPartitionResult()
                    .setPartitionIndex(partition.partition()).setPartitionErrorCode(error.code()));
        });
        return topics;
    }
}
