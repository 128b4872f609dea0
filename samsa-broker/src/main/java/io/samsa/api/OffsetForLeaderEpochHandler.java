package io.samsa.api;

import io.samsa.log.EpochEndOffset;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import io.samsa.security.Acl;
import io.samsa.replication.Partition;
import io.samsa.replication.ReplicaManager;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * OffsetForLeaderEpoch: where a leader epoch ends, from the log's leader-epoch cache. Consumers use it to detect log
 * truncation after a leader change; followers will use it to truncate. Only the leader answers, at the leader epoch
 * the client names (Kafka's lastOffsetForLeaderEpoch with fetchOnlyFromLeader): NOT_LEADER_OR_FOLLOWER elsewhere,
 * FENCED_LEADER_EPOCH or UNKNOWN_LEADER_EPOCH for an epoch older or newer than the leader's.
 */
final class OffsetForLeaderEpochHandler implements ApiHandler {

    private final ReplicaManager replicas;
    private final Access access;

    OffsetForLeaderEpochHandler(ReplicaManager replicas, Access access) {
        this.replicas = replicas;
        this.access = access;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        OffsetForLeaderEpochRequestData data = (OffsetForLeaderEpochRequestData) request.body();
        OffsetForLeaderEpochResponseData response = new OffsetForLeaderEpochResponseData();
        for (OffsetForLeaderEpochRequestData.OffsetForLeaderTopic topic : data.topics()) {
            OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult topicResult =
                    new OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult().setTopic(topic.topic());
            boolean denied = !access.allowed(request, connection, Acl.Operation.DESCRIBE, Acl.ResourceType.TOPIC,
                    topic.topic());
            for (OffsetForLeaderEpochRequestData.OffsetForLeaderPartition p : topic.partitions()) {
                OffsetForLeaderEpochResponseData.EpochEndOffset result =
                        new OffsetForLeaderEpochResponseData.EpochEndOffset().setPartition(p.partition())
                                .setLeaderEpoch(-1).setEndOffset(-1);
                if (denied) {
                    topicResult.partitions().add(result.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()));
                    continue;
                }
                try {
                    Partition partition = replicas.leaderOrThrow(topic.topic(), p.partition(),
                            p.currentLeaderEpoch());
                    EpochEndOffset end = partition.log().endOffsetForEpoch(p.leaderEpoch());
                    result.setErrorCode(Errors.NONE.code()).setLeaderEpoch(end.leaderEpoch())
                            .setEndOffset(end.endOffset());
                } catch (RuntimeException e) {
                    result.setErrorCode(ErrorMapper.toError(e).code());
                }
                topicResult.partitions().add(result);
            }
            response.topics().add(topicResult);
        }
        return CompletableFuture.completedFuture(response);
    }
}
