package io.samsa.api;

import io.samsa.coordinator.transaction.TransactionCoordinator;
import io.samsa.coordinator.transaction.TxnError;
import io.samsa.coordinator.transaction.TxnPartition;
import io.samsa.metadata.MetadataController;
import io.samsa.metadata.MetadataImage;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import io.samsa.security.Acl;
import java.util.HashSet;
import java.util.Set;
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
 * OPERATION_NOT_ATTEMPTED. Authorized as in Kafka: v0–3 need WRITE on the transactional id (else
 * TRANSACTIONAL_ID_AUTHORIZATION_FAILED for every partition) and WRITE on each topic, where a denied topic (and an
 * internal one, always) fails the request the same way: its partitions get TOPIC_AUTHORIZATION_FAILED and the others
 * OPERATION_NOT_ATTEMPTED; v4+ come from brokers and need CLUSTER_ACTION. Thread-safe (stateless).
 */
final class AddPartitionsToTxnHandler implements ApiHandler {

    private final MetadataController metadata;
    private final TransactionCoordinator transactions;
    private final Access access;

    AddPartitionsToTxnHandler(MetadataController metadata, TransactionCoordinator transactions, Access access) {
        this.metadata = metadata;
        this.transactions = transactions;
        this.access = access;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        AddPartitionsToTxnRequestData data = (AddPartitionsToTxnRequestData) request.body();
        short version = request.version();
        if (version < 4) {
            String transactionalId = data.v3AndBelowTransactionalId();
            if (!access.allowed(request, connection, Acl.Operation.WRITE, Acl.ResourceType.TRANSACTIONAL_ID,
                    transactionalId == null ? "" : transactionalId)) {
                return AclHandlers.whole(request, Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, null);
            }
            Set<String> denied = new HashSet<>();
            for (AddPartitionsToTxnTopic topic : data.v3AndBelowTopics()) {
                if (Topics.isInternal(topic.name()) || !access.allowed(request, connection, Acl.Operation.WRITE,
                        Acl.ResourceType.TOPIC, topic.name())) {
                    denied.add(topic.name());
                }
            }
            return addOrVerify(transactionalId, data.v3AndBelowProducerId(),
                    data.v3AndBelowProducerEpoch(), data.v3AndBelowTopics(), false, version, denied)
                    .thenApply(results -> new AddPartitionsToTxnResponseData().setResultsByTopicV3AndBelow(results));
        }
        if (!access.allowedOnCluster(request, connection, Acl.Operation.CLUSTER_ACTION)) {
            return AclHandlers.whole(request, Errors.CLUSTER_AUTHORIZATION_FAILED, null);
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
                    txn.topics(), txn.verifyOnly(), version, Set.of()).thenAccept(result::setTopicResults));
        }
        return all.thenApply(v -> response);
    }

    private CompletableFuture<AddPartitionsToTxnTopicResultCollection> addOrVerify(String transactionalId,
            long producerId, short producerEpoch, AddPartitionsToTxnTopicCollection topics, boolean verifyOnly,
            short version, Set<String> deniedTopics) {
        MetadataImage image = metadata.image();
        Map<TxnPartition, Errors> refused = new LinkedHashMap<>();
        List<TxnPartition> partitions = new ArrayList<>();
        for (AddPartitionsToTxnTopic topic : topics) {
            MetadataImage.TopicImage known = image.topic(topic.name());
            for (int p : topic.partitions()) {
                TxnPartition partition = new TxnPartition(topic.name(), p);
                partitions.add(partition);
                if (deniedTopics.contains(topic.name())) {
                    refused.put(partition, Errors.TOPIC_AUTHORIZATION_FAILED);
                } else if (known == null || !known.partitions().containsKey(p)) {
                    refused.put(partition, Errors.UNKNOWN_TOPIC_OR_PARTITION);
                }
            }
        }
        if (!refused.isEmpty()) {
            Map<TxnPartition, Errors> errors = new LinkedHashMap<>();
            partitions.forEach(p -> errors.put(p, refused.getOrDefault(p, Errors.OPERATION_NOT_ATTEMPTED)));
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
