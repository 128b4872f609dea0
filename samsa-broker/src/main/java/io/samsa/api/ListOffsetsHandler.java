package io.samsa.api;

import io.samsa.log.Log;
import io.samsa.log.TimestampOffset;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import io.samsa.security.Acl;
import io.samsa.replication.Partition;
import io.samsa.replication.ReplicaManager;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsTopicResponse;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * ListOffsets: earliest (-2, and -4 earliest-local: there is no remote tier), latest (-1: the high watermark, or the
 * last stable offset for read_committed), max timestamp (-3) and the first offset at or after a timestamp. Answers are
 * bounded by what a consumer may read. Only the leader answers (a follower: NOT_LEADER_OR_FOLLOWER), at the leader
 * epoch the client names if it names one (FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH), except to a debugging tool
 * (replica id -2), as in Kafka.
 */
final class ListOffsetsHandler implements ApiHandler {

    static final long LATEST = -1L;
    static final long EARLIEST = -2L;
    static final long MAX_TIMESTAMP = -3L;
    static final long EARLIEST_LOCAL = -4L;
    static final long LATEST_TIERED = -5L;
    /** Kafka's replica id for a debugging tool, which may read offsets from a follower too. */
    static final int DEBUGGING_REPLICA_ID = -2;

    private final ReplicaManager replicas;
    private final Access access;

    ListOffsetsHandler(ReplicaManager replicas, Access access) {
        this.replicas = replicas;
        this.access = access;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        ListOffsetsRequestData data = (ListOffsetsRequestData) request.body();
        ListOffsetsResponseData response = new ListOffsetsResponseData();
        for (ListOffsetsRequestData.ListOffsetsTopic topic : data.topics()) {
            ListOffsetsTopicResponse topicResponse = new ListOffsetsTopicResponse().setName(topic.name());
            boolean denied = !access.allowed(request, connection, Acl.Operation.DESCRIBE, Acl.ResourceType.TOPIC,
                    topic.name());
            for (ListOffsetsRequestData.ListOffsetsPartition p : topic.partitions()) {
                ListOffsetsPartitionResponse result = new ListOffsetsPartitionResponse()
                        .setPartitionIndex(p.partitionIndex()).setTimestamp(-1).setOffset(-1).setLeaderEpoch(-1);
                if (denied) {
                    topicResponse.partitions().add(result.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()));
                    continue;
                }
                try {
                    Partition partition = replicas.partitionOrThrow(topic.name(), p.partitionIndex());
                    if (data.replicaId() == DEBUGGING_REPLICA_ID) {
                        partition.checkLeaderEpoch(p.currentLeaderEpoch());
                    } else {
                        partition.checkLeader(p.currentLeaderEpoch());
                    }
                    lookup(partition, p.timestamp(), data.isolationLevel() == 1, result);
                    if (request.version() < 4) {
                        result.setLeaderEpoch(-1); // the field exists from v4 on
                    }
                    result.setErrorCode(Errors.NONE.code());
                } catch (RuntimeException e) {
                    result.setErrorCode(ErrorMapper.toError(e).code());
                }
                topicResponse.partitions().add(result);
            }
            response.topics().add(topicResponse);
        }
        return CompletableFuture.completedFuture(response);
    }

    private static void lookup(Partition partition, long timestamp, boolean readCommitted,
            ListOffsetsPartitionResponse result) {
        Log log = partition.log();
        long bound = readCommitted ? partition.lastStableOffset() : partition.highWatermark();
        if (timestamp == LATEST) {
            result.setOffset(bound).setLeaderEpoch(partition.leaderEpoch());
        } else if (timestamp == EARLIEST || timestamp == EARLIEST_LOCAL) {
            long start = log.logStartOffset();
            result.setOffset(start).setLeaderEpoch(log.epochForOffset(start));
        } else if (timestamp == LATEST_TIERED) {
            // Nothing is tiered: no offset has been uploaded.
            result.setOffset(-1);
        } else {
            TimestampOffset found = timestamp == MAX_TIMESTAMP ? log.maxTimestampOffset() : log.offsetForTimestamp(
                    timestamp);
            if (found != null && found.offset() < bound) {
                result.setTimestamp(found.timestamp()).setOffset(found.offset()).setLeaderEpoch(found.leaderEpoch());
            }
        }
    }
}
