package io.samsa.api;

import io.samsa.coordinator.group.GroupCoordinator;
import io.samsa.coordinator.group.GroupError;
import io.samsa.coordinator.group.OffsetKey;
import io.samsa.metadata.MetadataController;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import io.samsa.security.Acl;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * OffsetCommit: committed when its records are durable on {@code __consumer_offsets}. Partitions of topics that do not
 * exist get UNKNOWN_TOPIC_OR_PARTITION; the others are committed.
 */
final class OffsetCommitHandler implements ApiHandler {

    private final GroupCoordinator groups;
    private final MetadataController metadata;
    private final Access access;

    OffsetCommitHandler(GroupCoordinator groups, MetadataController metadata, Access access) {
        this.groups = groups;
        this.metadata = metadata;
        this.access = access;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        OffsetCommitRequestData data = (OffsetCommitRequestData) request.body();
        if (!access.allowed(request, connection, Acl.Operation.READ, Acl.ResourceType.GROUP, data.groupId())) {
            return AclHandlers.whole(request, Errors.GROUP_AUTHORIZATION_FAILED, null);
        }
        CommitBatch batch = new CommitBatch(metadata.image(), data.groupId());
        java.util.Set<String> deniedTopics = new java.util.HashSet<>();
        for (OffsetCommitRequestData.OffsetCommitRequestTopic topic : data.topics()) {
            if (!access.allowed(request, connection, Acl.Operation.READ, Acl.ResourceType.TOPIC, topic.name())) {
                deniedTopics.add(topic.name());
                continue;
            }
            for (OffsetCommitRequestData.OffsetCommitRequestPartition p : topic.partitions()) {
                batch.add(topic.name(), p.partitionIndex(), p.committedOffset(), p.committedLeaderEpoch(),
                        p.committedMetadata());
            }
        }
        return groups.commitOffsets(data.groupId(), data.memberId(), data.groupInstanceId(),
                data.generationIdOrMemberEpoch(), batch.commits).thenApply(results -> {
                    OffsetCommitResponseData response = new OffsetCommitResponseData();
                    for (OffsetCommitRequestData.OffsetCommitRequestTopic topic : data.topics()) {
                        OffsetCommitResponseData.OffsetCommitResponseTopic t =
                                new OffsetCommitResponseData.OffsetCommitResponseTopic().setName(topic.name());
                        for (OffsetCommitRequestData.OffsetCommitRequestPartition p : topic.partitions()) {
                            Errors refused = deniedTopics.contains(topic.name()) ? Errors.TOPIC_AUTHORIZATION_FAILED
                                    : batch.refusal(topic.name(), p.partitionIndex());
                            Errors error = refused != null ? refused : errorAt(request.version(), results.getOrDefault(
                                    new OffsetKey(data.groupId(), topic.name(), p.partitionIndex()), GroupError.NONE));
                            t.partitions().add(new OffsetCommitResponseData.OffsetCommitResponsePartition()
                                    .setPartitionIndex(p.partitionIndex()).setErrorCode(error.code()));
                        }
                        response.topics().add(t);
                    }
                    return response;
                });
    }

    /** Clients before v9 do not know GROUP_ID_NOT_FOUND on a commit; Kafka tells them ILLEGAL_GENERATION. */
    private static Errors errorAt(short version, GroupError error) {
        return error == GroupError.GROUP_ID_NOT_FOUND && version < 9 ? Errors.ILLEGAL_GENERATION
                : ErrorMapper.toError(error);
    }
}
