package io.samsa.api;

import io.samsa.coordinator.group.GroupCoordinator;
import io.samsa.coordinator.group.GroupError;
import io.samsa.coordinator.group.OffsetKey;
import io.samsa.coordinator.transaction.TransactionCoordinator;
import io.samsa.coordinator.transaction.TxnError;
import io.samsa.coordinator.transaction.TxnPartition;
import io.samsa.metadata.MetadataController;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import io.samsa.security.Acl;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * TxnOffsetCommit: offsets committed inside a transaction (a producer's sendOffsetsToTransaction). As in Kafka the
 * write is verified first: the group's {@code __consumer_offsets} partition must be in the producer's ongoing
 * transaction at its current epoch (AddOffsetsToTxn). Served up to v4: v5 implies the transaction protocol v2, in
 * which the partition joins the transaction implicitly. Authorized as in Kafka: WRITE on the transactional id, then
 * READ on the group, each failing the whole request; then READ on each topic, a denied topic's partitions getting
 * TOPIC_AUTHORIZATION_FAILED while the others are committed. Thread-safe (stateless).
 */
final class TxnOffsetCommitHandler implements ApiHandler {

    static final int MAX_VERSION = 4;

    private final GroupCoordinator groups;
    private final TransactionCoordinator transactions;
    private final MetadataController metadata;
    private final InternalTopic offsetsTopic;
    private final Access access;

    TxnOffsetCommitHandler(GroupCoordinator groups, TransactionCoordinator transactions, MetadataController metadata,
            InternalTopic offsetsTopic, Access access) {
        this.groups = groups;
        this.transactions = transactions;
        this.metadata = metadata;
        this.offsetsTopic = offsetsTopic;
        this.access = access;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        TxnOffsetCommitRequestData data = (TxnOffsetCommitRequestData) request.body();
        if (!access.allowed(request, connection, Acl.Operation.WRITE, Acl.ResourceType.TRANSACTIONAL_ID,
                data.transactionalId())) {
            return AclHandlers.whole(request, Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, null);
        }
        if (!access.allowed(request, connection, Acl.Operation.READ, Acl.ResourceType.GROUP, data.groupId())) {
            return AclHandlers.whole(request, Errors.GROUP_AUTHORIZATION_FAILED, null);
        }
        CommitBatch batch = new CommitBatch(metadata.image(), data.groupId());
        for (TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic topic : data.topics()) {
            boolean denied = !access.allowed(request, connection, Acl.Operation.READ, Acl.ResourceType.TOPIC,
                    topic.name());
            for (TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition p : topic.partitions()) {
                if (denied) {
                    batch.refuse(topic.name(), p.partitionIndex(), Errors.TOPIC_AUTHORIZATION_FAILED);
                    continue;
                }
                batch.add(topic.name(), p.partitionIndex(), p.committedOffset(), p.committedLeaderEpoch(),
                        p.committedMetadata());
            }
        }
        boolean abortableSupported = request.version() >= 4;
        Runnable verification = () -> {
            TxnPartition offsets = new TxnPartition(offsetsTopic.name(), groups.partitionFor(data.groupId()));
            TxnError error = transactions.verify(data.transactionalId(), data.producerId(), data.producerEpoch(),
                    offsets);
            if (error != TxnError.NONE) {
                throw TxnErrors.forVerification(error, abortableSupported).exception(
                        "The offsets partition of group " + data.groupId() + " is not in the transaction of "
                                + data.transactionalId() + " (" + error + ")");
            }
        };
        return groups.commitTransactionalOffsets(data.groupId(), data.producerId(), data.producerEpoch(),
                data.memberId(), data.groupInstanceId(), data.generationId(), batch.commits, verification)
                .handle((results, failure) -> {
                    Errors writeError = failure == null ? null : ErrorMapper.toError(failure);
                    TxnOffsetCommitResponseData response = new TxnOffsetCommitResponseData();
                    for (TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic topic : data.topics()) {
                        TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic t =
                                new TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic().setName(topic.name());
                        for (TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition p : topic.partitions()) {
                            Errors refused = batch.refusal(topic.name(), p.partitionIndex());
                            Errors error = refused != null ? refused : writeError != null ? writeError
                                    : ErrorMapper.toError(results.getOrDefault(
                                            new OffsetKey(data.groupId(), topic.name(), p.partitionIndex()),
                                            GroupError.NONE));
                            t.partitions().add(new TxnOffsetCommitResponseData.TxnOffsetCommitResponsePartition()
                                    .setPartitionIndex(p.partitionIndex()).setErrorCode(error.code()));
                        }
                        response.topics().add(t);
                    }
                    return response;
                });
    }
}
