package io.samsa.api;

import io.samsa.log.AbortedTxn;
import io.samsa.log.LogSlice;
import io.samsa.log.TopicPartition;
import io.samsa.metadata.MetadataImage;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.FileSliceRecords;
import io.samsa.protocol.Request;
import io.samsa.protocol.ResponseEncoder;
import io.samsa.protocol.ResponseFrame;
import io.samsa.replication.FetchParams;
import io.samsa.replication.FetchPartition;
import io.samsa.replication.FetchResult;
import io.samsa.replication.ReplicaManager;
import io.samsa.security.Acl;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.BaseRecords;
import org.apache.kafka.common.record.MemoryRecords;

/**
 * Fetch for consumers: committed batches with max.wait/min.bytes long-polling and per-partition and per-response byte
 * limits, sent from the segment files without copying. read_committed fetches stop at the last stable offset and carry
 * the aborted transactions the consumer must drop.
 *
 * <p>Fetch sessions (KIP-227) as Kafka serves them: a full fetch (session epoch 0) gets a new session if the
 * {@link FetchSessionCache} has room, and closes the session it names; epoch -1 fetches without one. An incremental
 * fetch names only the partitions added or changed and those to forget; it reads every partition of its session and
 * is answered only with those that have records, errors or new offsets. An unknown session id is answered
 * FETCH_SESSION_ID_NOT_FOUND, a wrong epoch (or a duplicate request) INVALID_FETCH_SESSION_EPOCH, a session used with
 * and without topic ids FETCH_SESSION_TOPIC_ID_ERROR.
 */
final class FetchHandler implements ApiHandler {

    private static final int FINAL_EPOCH = -1;
    private static final int INITIAL_EPOCH = 0;
    /** Fetch v16 is the first whose responses carry the current leader of a refused partition (KIP-951). */
    private static final int LEADER_HINTS_SINCE = 16;

    private final ClusterView cluster;
    private final ReplicaManager replicas;
    private final FetchSessionCache sessions;
    private final Access access;

    FetchHandler(ClusterView cluster, ReplicaManager replicas, FetchSessionCache sessions, Access access) {
        this.access = access;
        this.cluster = cluster;
        this.replicas = replicas;
        this.sessions = sessions;
    }

    /** A partition to answer, with the names it goes under, to answer in the request's own terms. */
    private record Wanted(String topic, Uuid topicId, int partition, FetchPartition fetch, Errors error,
            FetchSession.Key key) {}

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        FetchRequestData data = (FetchRequestData) request.body();
        boolean usesTopicIds = request.version() >= 13;
        int epoch = data.sessionEpoch();
        MetadataImage image = cluster.image();
        List<FetchSession.CachedPartition> named = named(data, usesTopicIds);
        FetchSession session = null;
        List<FetchSession.CachedPartition> toFetch = named;
        if (epoch == INITIAL_EPOCH || epoch == FINAL_EPOCH) {
            if (data.sessionId() != 0) {
                sessions.remove(data.sessionId());
            }
        } else {
            session = sessions.get(data.sessionId());
            if (session == null) {
                return sessionError(Errors.FETCH_SESSION_ID_NOT_FOUND);
            }
            if (session.usesTopicIds != usesTopicIds) {
                return sessionError(Errors.FETCH_SESSION_TOPIC_ID_ERROR);
            }
            toFetch = session.update(epoch, named, forgotten(data, usesTopicIds));
            if (toFetch == null) {
                return sessionError(Errors.INVALID_FETCH_SESSION_EPOCH);
            }
            if (toFetch.isEmpty()) {
                sessions.remove(session); // nothing left to fetch: the session ends, as in Kafka
                session = null;
            } else {
                sessions.touch(session, sessions.nowMs());
            }
        }
        List<Wanted> wanted = new ArrayList<>(toFetch.size());
        List<FetchPartition> toRead = new ArrayList<>(toFetch.size());
        for (FetchSession.CachedPartition p : toFetch) {
            Wanted w = wanted(image, p, usesTopicIds, request, connection);
            wanted.add(w);
            if (w.fetch() != null) {
                toRead.add(w.fetch());
            }
        }
        boolean readCommitted = data.isolationLevel() == 1;
        FetchParams params = new FetchParams(data.maxWaitMs(), data.minBytes(), data.maxBytes(), readCommitted);
        FetchSession incremental = session;
        List<FetchSession.CachedPartition> fetched = toFetch;
        boolean createSession = epoch == INITIAL_EPOCH;
        boolean privileged = replicaId(data, request.version()) >= 0;
        return replicas.fetch(params, toRead).thenApply(results -> {
            try {
                FetchResponseData response = respond(wanted, results, readCommitted);
                if (request.version() >= LEADER_HINTS_SINCE) {
                    addLeaderHints(response, wanted, connection.listenerName());
                }
                if (incremental != null) {
                    return incrementalResponse(incremental, epoch, response);
                }
                if (createSession) {
                    response.setSessionId(sessions.maybeCreate(privileged, usesTopicIds, cache(fetched, response)));
                }
                return response;
            } catch (RuntimeException e) {
                FetchResult.releaseAll(results);
                throw e;
            }
        });
    }

    private static CompletableFuture<ApiMessage> sessionError(Errors error) {
        return CompletableFuture.completedFuture(new FetchResponseData().setErrorCode(error.code()).setSessionId(0));
    }

    /** The id of the fetching replica (-1 for a consumer), from the field of the request's version. */
    private static int replicaId(FetchRequestData data, short version) {
        return version >= 15 ? data.replicaState().replicaId() : data.replicaId();
    }

    /** The partitions the request names, with what it asks for each. */
    private static List<FetchSession.CachedPartition> named(FetchRequestData data, boolean usesTopicIds) {
        List<FetchSession.CachedPartition> named = new ArrayList<>();
        for (FetchRequestData.FetchTopic topic : data.topics()) {
            for (FetchRequestData.FetchPartition p : topic.partitions()) {
                named.add(new FetchSession.CachedPartition(
                        FetchSession.Key.of(usesTopicIds, topic.topicId(), topic.topic(), p.partition()),
                        topic.topic(), p.fetchOffset(), p.partitionMaxBytes(), p.currentLeaderEpoch()));
            }
        }
        return named;
    }

    private static List<FetchSession.Key> forgotten(FetchRequestData data, boolean usesTopicIds) {
        List<FetchSession.Key> forgotten = new ArrayList<>();
        for (FetchRequestData.ForgottenTopic topic : data.forgottenTopicsData()) {
            for (int partition : topic.partitions()) {
                forgotten.add(FetchSession.Key.of(usesTopicIds, topic.topicId(), topic.topic(), partition));
            }
        }
        return forgotten;
    }

    /** What to read for a partition, or the error to answer for it: unknown, or not readable by the caller. */
    private Wanted wanted(MetadataImage image, FetchSession.CachedPartition p, boolean usesTopicIds, Request request,
            ClientConnection connection) {
        short version = request.version();
        Uuid topicId = usesTopicIds ? p.key.topicId() : Uuid.ZERO_UUID;
        String topic = usesTopicIds ? null : p.topic;
        MetadataImage.TopicImage known = Topics.find(image, topic, topicId);
        int partition = p.key.partition();
        // As Kafka: a topic id nobody can resolve is UNKNOWN_TOPIC_ID, a name is authorized before it is looked up.
        String name = known != null ? known.name() : topic;
        if ((known != null || version < 13) && !access.allowed(request, connection, Acl.Operation.READ,
                Acl.ResourceType.TOPIC, name == null ? "" : name)) {
            return new Wanted(topic, topicId, partition, null, Errors.TOPIC_AUTHORIZATION_FAILED, p.key);
        }
        if (known == null || partition < 0) {
            Errors error = known == null && version >= 13 ? Errors.UNKNOWN_TOPIC_ID
                    : Errors.UNKNOWN_TOPIC_OR_PARTITION;
            return new Wanted(topic, topicId, partition, null, error, p.key);
        }
        FetchPartition fetch = new FetchPartition(new TopicPartition(known.name(), partition), p.fetchOffset,
                p.maxBytes, p.leaderEpoch);
        return new Wanted(usesTopicIds ? known.name() : topic, topicId, partition, fetch, null, p.key);
    }

    /** The session's partitions as a full fetch answered them (Kafka's CachedPartition(req, resp)). */
    private static List<FetchSession.CachedPartition> cache(List<FetchSession.CachedPartition> fetched,
            FetchResponseData response) {
        int i = 0;
        for (FetchableTopicResponse topic : response.responses()) {
            for (PartitionData partition : topic.partitions()) {
                FetchSession.CachedPartition p = fetched.get(i++);
                p.highWatermark = partition.highWatermark();
                p.logStartOffset = partition.logStartOffset();
            }
        }
        return fetched;
    }

    /**
     * Keeps the partitions an incremental response must carry (Kafka's IncrementalFetchContext), remembering what
     * they were told; a partition that returned records moves to the end of the session's order.
     */
    private static FetchResponseData incrementalResponse(FetchSession session, int requestEpoch,
            FetchResponseData full) {
        FetchResponseData response = new FetchResponseData().setErrorCode(Errors.NONE.code())
                .setSessionId(session.id).setNodeEndpoints(full.nodeEndpoints());
        boolean current = session.respond(requestEpoch, () -> {
            for (FetchableTopicResponse topic : full.responses()) {
                FetchableTopicResponse kept = null;
                for (PartitionData partition : topic.partitions()) {
                    FetchSession.Key key = FetchSession.Key.of(session.usesTopicIds, topic.topicId(), topic.topic(),
                            partition.partitionIndex());
                    FetchSession.CachedPartition cached = session.partition(key);
                    int bytes = partition.records() == null ? 0 : partition.records().sizeInBytes();
                    if (cached != null && !cached.mustRespond(bytes, partition.errorCode(),
                            partition.highWatermark(), partition.logStartOffset())) {
                        continue;
                    }
                    if (bytes > 0) {
                        session.moveToEnd(key);
                    }
                    if (kept == null) {
                        kept = new FetchableTopicResponse().setTopic(topic.topic()).setTopicId(topic.topicId());
                        response.responses().add(kept);
                    }
                    kept.partitions().add(partition);
                }
            }
        });
        if (!current) {
            ResponseEncoder.releaseRecords(full);
            return new FetchResponseData().setErrorCode(Errors.INVALID_FETCH_SESSION_EPOCH.code())
                    .setSessionId(session.id);
        }
        return response;
    }

    /**
     * KIP-951, from Fetch v16 on as in Kafka: each partition refused with NOT_LEADER_OR_FOLLOWER or
     * FENCED_LEADER_EPOCH names the current leader and its epoch, and the response carries the leader's endpoint, so
     * the consumer switches without waiting for a metadata refresh. The partitions of the response are those of
     * {@code wanted}, in order.
     */
    private void addLeaderHints(FetchResponseData response, List<Wanted> wanted, String listenerName) {
        MetadataImage image = cluster.image();
        int i = 0;
        for (FetchableTopicResponse topic : response.responses()) {
            for (PartitionData partition : topic.partitions()) {
                Wanted w = wanted.get(i++);
                if (partition.errorCode() != Errors.NOT_LEADER_OR_FOLLOWER.code()
                        && partition.errorCode() != Errors.FENCED_LEADER_EPOCH.code()) {
                    continue;
                }
                ClusterView.LeaderHint leader = cluster.leaderHint(image, w.fetch().topicPartition().topic(),
                        w.partition(), listenerName);
                partition.currentLeader().setLeaderId(leader.leaderId()).setLeaderEpoch(leader.leaderEpoch());
                if (leader.endpoint() != null && response.nodeEndpoints().find(leader.leaderId()) == null) {
                    response.nodeEndpoints().add(new FetchResponseData.NodeEndpoint().setNodeId(leader.leaderId())
                            .setHost(leader.endpoint().host()).setPort(leader.endpoint().port())
                            .setRack(ClusterView.rack(image, leader.leaderId())));
                }
            }
        }
    }

    /** The records of a partition as the response carries them: still in the segment file, sent from there. */
    private static BaseRecords records(LogSlice slice) {
        if (slice.size() == 0) {
            slice.release();
            return MemoryRecords.EMPTY;
        }
        return new FileSliceRecords(new ResponseFrame.FilePart(slice.channel(), slice.position(), slice.size(),
                slice::release));
    }

    private static FetchResponseData respond(List<Wanted> wanted, List<FetchResult> results, boolean readCommitted) {
        FetchResponseData response = new FetchResponseData().setErrorCode(Errors.NONE.code()).setSessionId(0);
        FetchableTopicResponse current = null;
        int next = 0;
        for (Wanted w : wanted) {
            if (current == null || !Objects.equals(current.topic(), w.topic())
                    || !Objects.equals(current.topicId(), w.topicId())) {
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
                        .setRecords(records(r.records()));
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
