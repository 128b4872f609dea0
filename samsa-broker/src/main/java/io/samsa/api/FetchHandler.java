package io.samsa.api;

import io.samsa.log.AbortedTxn;
import io.samsa.log.TopicPartition;
import io.samsa.metadata.MetadataController;
import io.samsa.metadata.MetadataImage;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import io.samsa.security.Acl;
import io.samsa.replication.FetchParams;
import io.samsa.replication.FetchPartition;
import io.samsa.replication.FetchResult;
import io.samsa.replication.ReplicaManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;

/**
 * Fetch for consumers: committed batches with max.wait/min.bytes long-polling and per-partition and per-response byte
 * limits. read_committed fetches stop at the last stable offset and carry the aborted transactions the consumer
 * must drop. Fetch sessions (KIP-227) are declined: every response carries session id 0, which tells the client to keep
 * sending full fetch requests; an incremental fetch for a session id we never gave gets FETCH_SESSION_ID_NOT_FOUND.
 */
final class FetchHandler implements ApiHandler {

    private final MetadataController metadata;
    private final ReplicaManager replicas;
    private final Access access;

    FetchHandler(MetadataController metadata, ReplicaManager replicas, Access access) {
        this.access = access;
        this.metadata = metadata;
        this.replicas = replicas;
    }

    /** A requested partition with the names it came under, to answer in the request's own terms. */
    private record Wanted(String topic, Uuid topicId, int partition, FetchPartition fetch, Errors error) {}

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        FetchRequestData data = (FetchRequestData) request.body();
        if (data.sessionId() != 0) {
            return CompletableFuture.completedFuture(new FetchResponseData()
                    .setErrorCode(Errors.FETCH_SESSION_ID_NOT_FOUND.code()).setSessionId(0));
        }
        boolean readCommitted = data.isolationLevel() == 1;
        MetadataImage image = metadata.image();
        List<Wanted> wanted = new ArrayList<>();
        List<FetchPartition> toRead = new ArrayList<>();
        for (FetchRequestData.FetchTopic topic : data.topics()) {
            MetadataImage.TopicImage known = Topics.find(image, topic.topic(), topic.topicId());
            String name = known != null ? known.name() : topic.topic();
            boolean denied = (known != null || request.version() < 13) && !access.allowed(request, connection,
                    Acl.Operation.READ, Acl.ResourceType.TOPIC, name == null ? "" : name);
            for (FetchRequestData.FetchPartition p : topic.partitions()) {
                if (denied) {
                    wanted.add(new Wanted(topic.topic(), topic.topicId(), p.partition(), null,
                            Errors.TOPIC_AUTHORIZATION_FAILED));
                    continue;
                }
                if (known == null || p.partition() < 0) {
                    Errors error = known == null && request.version() >= 13 ? Errors.UNKNOWN_TOPIC_ID
                            : Errors.UNKNOWN_TOPIC_OR_PARTITION;
                    wanted.add(new Wanted(topic.topic(), topic.topicId(), p.partition(), null, error));
                    continue;
                }
                FetchPartition fetch = new FetchPartition(new TopicPartition(known.name(), p.partition()),
                        p.fetchOffset(), p.partitionMaxBytes(), p.currentLeaderEpoch());
                wanted.add(new Wanted(topic.topic(), topic.topicId(), p.partition(), fetch, null));
                toRead.add(fetch);
            }
        }
        FetchParams params = new FetchParams(data.maxWaitMs(), data.minBytes(), data.maxBytes(), readCommitted);
        return replicas.fetch(params, toRead).thenApply(results -> respond(wanted, results, readCommitted));
    }

    private static ApiMessage respond(List<Wanted> wanted, List<FetchResult> results, boolean readCommitted) {
        FetchResponseData response = new FetchResponseData().setErrorCode(Errors.NONE.code()).setSessionId(0);
        FetchableTopicResponse current = null;
        int next = 0;
        for (Wanted w : wanted) {
            if (current == null || !java.util.Objects.equals(current.topic(), w.topic())
                    || !java.util.Objects.equals(current.topicId(), w.topicId())) {
                current = new FetchableTopicResponse().setTopic(w.topic()).setTopicId(w.topicId());
                response.responses().add(current);
            }
            PartitionData partition = new PartitionData().setPartitionIndex(w.partition())
                    .setPreferredReadReplica(-1);
            if (w.error() != null) {
                partition.setErrorCode(w.error().code()).setHighWatermark(-1).setLastStableOffset(-1)
                        .setLogStartOffset(-1).setRecords(MemoryRecords.EMPTY);
            } else {
                FetchResult r = results.get(next++);
                partition.setErrorCode(r.error() == null ? Errors.NONE.code() : ErrorMapper.toError(r.error()).code())
                        .setHighWatermark(r.highWatermark())
                        .setLastStableOffset(r.lastStableOffset())
                        .setLogStartOffset(r.logStartOffset())
                        .setRecords(MemoryRecords.readableRecords(r.records()));
                if (readCommitted) {
                    List<FetchResponseData.AbortedTransaction> aborted = new ArrayList<>();
                    for (AbortedTxn txn : r.abortedTransactions()) {
                        aborted.add(new FetchResponseData.AbortedTransaction().setProducerId(txn.producerId())
                                .setFirstOffset(txn.firstOffset()));
                    }
                    partition.setAbortedTransactions(aborted);
                }
            }
            current.partitions().add(partition);
        }
        return response;
    }
}
