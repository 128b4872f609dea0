package io.samsa.api;

import io.samsa.coordinator.group.CommittedOffset;
import io.samsa.coordinator.group.GroupCoordinator;
import io.samsa.coordinator.group.OffsetKey;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import io.samsa.security.Acl;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * OffsetFetch for one group (v1–7) or several (v8+). A partition without a commit answers offset -1; null topics
 * means every partition the group committed for. With require_stable (v7+), a partition for which an open transaction
 * has committed an offset answers UNSTABLE_OFFSET_COMMIT, and the client retries until the transaction ends.
 */
final class OffsetFetchHandler implements ApiHandler {

    private final GroupCoordinator groups;
    private final Access access;

    OffsetFetchHandler(GroupCoordinator groups, Access access) {
        this.groups = groups;
        this.access = access;
    }

    /** The partitions asked for, by topic; null for all. */
    private record Wanted(String groupId, Map<String, List<Integer>> topics, boolean requireStable) {}

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        OffsetFetchRequestData data = (OffsetFetchRequestData) request.body();
        OffsetFetchResponseData response = new OffsetFetchResponseData().setErrorCode(Errors.NONE.code());
        if (request.version() < 8) {
            if (!access.allowed(request, connection, Acl.Operation.DESCRIBE, Acl.ResourceType.GROUP,
                    data.groupId())) {
                return AclHandlers.whole(request, Errors.GROUP_AUTHORIZATION_FAILED, null);
            }
            Map<String, List<Integer>> topics = null;
            if (data.topics() != null) {
                topics = new LinkedHashMap<>();
                for (OffsetFetchRequestData.OffsetFetchRequestTopic t : data.topics()) {
                    topics.put(t.name(), t.partitionIndexes());
                }
            }
            Wanted wanted = new Wanted(data.groupId(), topics, data.requireStable());
            for (OffsetFetchResponseData.OffsetFetchResponseTopics t : fetch(wanted, request, connection)) {
                OffsetFetchResponseData.OffsetFetchResponseTopic topic =
                        new OffsetFetchResponseData.OffsetFetchResponseTopic().setName(t.name());
                for (OffsetFetchResponseData.OffsetFetchResponsePartitions p : t.partitions()) {
                    topic.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartition()
                            .setPartitionIndex(p.partitionIndex()).setCommittedOffset(p.committedOffset())
                            .setCommittedLeaderEpoch(request.version() >= 5 ? p.committedLeaderEpoch() : -1)
                            .setMetadata(p.metadata()).setErrorCode(p.errorCode()));
                }
                response.topics().add(topic);
            }
            return CompletableFuture.completedFuture(response);
        }
        for (OffsetFetchRequestData.OffsetFetchRequestGroup g : data.groups()) {
            if (!access.allowed(request, connection, Acl.Operation.DESCRIBE, Acl.ResourceType.GROUP, g.groupId())) {
                response.groups().add(new OffsetFetchResponseData.OffsetFetchResponseGroup().setGroupId(g.groupId())
                        .setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code()));
                continue;
            }
            Map<String, List<Integer>> topics = null;
            if (g.topics() != null) {
                topics = new LinkedHashMap<>();
                for (OffsetFetchRequestData.OffsetFetchRequestTopics t : g.topics()) {
                    topics.put(t.name(), t.partitionIndexes());
                }
            }
            response.groups().add(new OffsetFetchResponseData.OffsetFetchResponseGroup().setGroupId(g.groupId())
                    .setErrorCode(Errors.NONE.code())
                    .setTopics(fetch(new Wanted(g.groupId(), topics, data.requireStable()), request, connection)));
        }
        return CompletableFuture.completedFuture(response);
    }

    /**
     * The committed offsets asked for. Of all the group's offsets, only those of topics the caller may DESCRIBE are
     * listed; a named topic it may not DESCRIBE gets TOPIC_AUTHORIZATION_FAILED, as in Kafka.
     */
    private List<OffsetFetchResponseData.OffsetFetchResponseTopics> fetch(Wanted wanted, Request request,
            ClientConnection connection) {
        List<OffsetFetchResponseData.OffsetFetchResponseTopics> topics = fetch(wanted);
        if (!access.enabled()) {
            return topics;
        }
        List<OffsetFetchResponseData.OffsetFetchResponseTopics> result = new ArrayList<>();
        for (OffsetFetchResponseData.OffsetFetchResponseTopics t : topics) {
            if (wanted.topics() == null) {
                if (access.allowedQuietly(connection, Acl.Operation.DESCRIBE, Acl.ResourceType.TOPIC, t.name())) {
                    result.add(t);
                }
            } else {
                if (!access.allowed(request, connection, Acl.Operation.DESCRIBE, Acl.ResourceType.TOPIC, t.name())) {
                    t.partitions().forEach(p -> p.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())
                            .setCommittedOffset(-1).setCommittedLeaderEpoch(-1).setMetadata(""));
                }
                result.add(t);
            }
        }
        return result;
    }

    private List<OffsetFetchResponseData.OffsetFetchResponseTopics> fetch(Wanted wanted) {
        Map<OffsetKey, CommittedOffset> committed = groups.fetchOffsets(wanted.groupId(),
                wanted.topics() == null ? null : List.copyOf(wanted.topics().keySet()));
        Map<String, OffsetFetchResponseData.OffsetFetchResponseTopics> byTopic = new LinkedHashMap<>();
        if (wanted.topics() == null) {
            committed.forEach((key, offset) -> topic(byTopic, key.topic()).partitions().add(partition(key.partition(),
                    offset)));
        } else {
            wanted.topics().forEach((name, partitions) -> {
                for (int p : partitions) {
                    topic(byTopic, name).partitions().add(partition(p,
                            committed.get(new OffsetKey(wanted.groupId(), name, p))));
                }
            });
        }
        if (wanted.requireStable()) {
            byTopic.values().forEach(topic -> topic.partitions().forEach(p -> {
                if (groups.hasPendingTransactionalOffset(new OffsetKey(wanted.groupId(), topic.name(),
                        p.partitionIndex()))) {
                    p.setErrorCode(Errors.UNSTABLE_OFFSET_COMMIT.code()).setCommittedOffset(-1)
                            .setCommittedLeaderEpoch(-1);
                }
            }));
        }
        return new ArrayList<>(byTopic.values());
    }

    private static OffsetFetchResponseData.OffsetFetchResponseTopics topic(
            Map<String, OffsetFetchResponseData.OffsetFetchResponseTopics> byTopic, String name) {
        return byTopic.computeIfAbsent(name, n -> new OffsetFetchResponseData.OffsetFetchResponseTopics().setName(n));
    }

    private static OffsetFetchResponseData.OffsetFetchResponsePartitions partition(int index, CommittedOffset offset) {
        OffsetFetchResponseData.OffsetFetchResponsePartitions p =
                new OffsetFetchResponseData.OffsetFetchResponsePartitions().setPartitionIndex(index)
                        .setErrorCode(Errors.NONE.code());
        return offset == null ? p.setCommittedOffset(-1).setCommittedLeaderEpoch(-1).setMetadata("")
                : p.setCommittedOffset(offset.offset()).setCommittedLeaderEpoch(offset.leaderEpoch())
                        .setMetadata(offset.metadata());
    }
}
