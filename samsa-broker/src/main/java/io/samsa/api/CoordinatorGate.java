package io.samsa.api;

import io.samsa.protocol.Request;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.ConsumerGroupDescribeRequestData;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.DescribeTransactionsRequestData;
import org.apache.kafka.common.message.DescribeTransactionsResponseData;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * Answers a coordinator request that reached a node which does not coordinate its group or transactional id (it does
 * not lead the key's partition of the internal topic) with NOT_COORDINATOR, so that the client finds the coordinator
 * again. A request for one key (or whose keys are all elsewhere) is refused whole, shaped as the API's own error
 * response. A request naming several keys of which only some are elsewhere (DescribeGroups, DeleteGroups, OffsetFetch
 * v8+, ConsumerGroupDescribe, DescribeTransactions) is served, and the keys coordinated elsewhere are answered
 * NOT_COORDINATOR each, as Kafka's coordinators answer per key; AddPartitionsToTxn v4+, sent between brokers, is
 * refused whole. Empty or missing keys pass, for the handler's own error. Thread-safe.
 */
final class CoordinatorGate {

    /**
     * What to do with a request.
     *
     * @param refusal the whole answer, or null to serve the request
     * @param elsewhere the keys to answer NOT_COORDINATOR in the handler's answer (empty for none)
     */
    record Decision(ApiMessage refusal, Set<String> elsewhere) {

        static final Decision SERVE = new Decision(null, Set.of());
    }

    private final Coordinators coordinators;

    CoordinatorGate(Coordinators coordinators) {
        this.coordinators = coordinators;
    }

    /** Whether the request is served here, refused whole, or served with some keys answered NOT_COORDINATOR. */
    Decision decide(Request request) {
        Coordinators.Kind kind = kind(request.body());
        if (kind == null) {
            return Decision.SERVE;
        }
        List<String> keys = keys(request.body(), request.version());
        Set<String> elsewhere = new HashSet<>();
        int counted = 0;
        for (String key : keys) {
            if (key != null && !key.isEmpty()) {
                counted++;
                if (!coordinators.isLocal(kind, key)) {
                    elsewhere.add(key);
                }
            }
        }
        if (elsewhere.isEmpty()) {
            return Decision.SERVE;
        }
        if (elsewhere.size() == counted || !answersPerKey(request.body(), request.version())) {
            return new Decision(request.request().getErrorResponse(0, Errors.NOT_COORDINATOR.exception()).data(),
                    Set.of());
        }
        return new Decision(null, elsewhere);
    }

    private static boolean answersPerKey(ApiMessage body, short version) {
        return body instanceof DescribeGroupsRequestData || body instanceof DeleteGroupsRequestData
                || (body instanceof OffsetFetchRequestData && version >= 8)
                || body instanceof ConsumerGroupDescribeRequestData
                || body instanceof DescribeTransactionsRequestData;
    }

    /** The handler's answer with each key of {@code elsewhere} answered NOT_COORDINATOR instead. */
    static ApiMessage markElsewhere(ApiMessage response, Set<String> elsewhere) {
        short code = Errors.NOT_COORDINATOR.code();
        switch (response) {
            case DescribeGroupsResponseData r -> r.groups().replaceAll(g -> !elsewhere.contains(g.groupId()) ? g
                    : new DescribeGroupsResponseData.DescribedGroup().setGroupId(g.groupId()).setErrorCode(code)
                            .setGroupState("").setProtocolType("").setProtocolData(""));
            case DeleteGroupsResponseData r -> r.results().forEach(g -> {
                if (elsewhere.contains(g.groupId())) {
                    g.setErrorCode(code);
                }
            });
            case OffsetFetchResponseData r -> r.groups().replaceAll(g -> !elsewhere.contains(g.groupId()) ? g
                    : new OffsetFetchResponseData.OffsetFetchResponseGroup().setGroupId(g.groupId())
                            .setErrorCode(code));
            case ConsumerGroupDescribeResponseData r -> r.groups().replaceAll(g -> !elsewhere.contains(g.groupId())
                    ? g : new ConsumerGroupDescribeResponseData.DescribedGroup().setGroupId(g.groupId())
                            .setErrorCode(code));
            case DescribeTransactionsResponseData r -> r.transactionStates().replaceAll(t ->
                    !elsewhere.contains(t.transactionalId()) ? t
                            : new DescribeTransactionsResponseData.TransactionState()
                                    .setTransactionalId(t.transactionalId()).setErrorCode(code));
            default -> { }
        }
        return response;
    }

    /** Which coordinator a request is for, or null when it is for none. */
    private static Coordinators.Kind kind(ApiMessage body) {
        return switch (body) {
            case JoinGroupRequestData d -> Coordinators.Kind.GROUP;
            case SyncGroupRequestData d -> Coordinators.Kind.GROUP;
            case HeartbeatRequestData d -> Coordinators.Kind.GROUP;
            case LeaveGroupRequestData d -> Coordinators.Kind.GROUP;
            case OffsetCommitRequestData d -> Coordinators.Kind.GROUP;
            case OffsetFetchRequestData d -> Coordinators.Kind.GROUP;
            case OffsetDeleteRequestData d -> Coordinators.Kind.GROUP;
            case DescribeGroupsRequestData d -> Coordinators.Kind.GROUP;
            case DeleteGroupsRequestData d -> Coordinators.Kind.GROUP;
            case TxnOffsetCommitRequestData d -> Coordinators.Kind.GROUP;
            case ConsumerGroupHeartbeatRequestData d -> Coordinators.Kind.GROUP;
            case ConsumerGroupDescribeRequestData d -> Coordinators.Kind.GROUP;
            case InitProducerIdRequestData d -> Coordinators.Kind.TRANSACTION;
            case AddPartitionsToTxnRequestData d -> Coordinators.Kind.TRANSACTION;
            case AddOffsetsToTxnRequestData d -> Coordinators.Kind.TRANSACTION;
            case EndTxnRequestData d -> Coordinators.Kind.TRANSACTION;
            case DescribeTransactionsRequestData d -> Coordinators.Kind.TRANSACTION;
            default -> null;
        };
    }

    /** The groups or transactional ids a request names (an idempotent InitProducerId names none). */
    private static List<String> keys(ApiMessage body, short version) {
        return switch (body) {
            case JoinGroupRequestData d -> one(d.groupId());
            case SyncGroupRequestData d -> one(d.groupId());
            case HeartbeatRequestData d -> one(d.groupId());
            case LeaveGroupRequestData d -> one(d.groupId());
            case OffsetCommitRequestData d -> one(d.groupId());
            case OffsetFetchRequestData d -> version >= 8
                    ? d.groups().stream().map(OffsetFetchRequestData.OffsetFetchRequestGroup::groupId).toList()
                    : one(d.groupId());
            case OffsetDeleteRequestData d -> one(d.groupId());
            case DescribeGroupsRequestData d -> d.groups();
            case DeleteGroupsRequestData d -> d.groupsNames();
            case TxnOffsetCommitRequestData d -> one(d.groupId());
            case ConsumerGroupHeartbeatRequestData d -> one(d.groupId());
            case ConsumerGroupDescribeRequestData d -> d.groupIds();
            case InitProducerIdRequestData d -> one(d.transactionalId());
            case AddPartitionsToTxnRequestData d -> version >= 4
                    ? d.transactions().stream().map(AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction
                            ::transactionalId).toList()
                    : one(d.v3AndBelowTransactionalId());
            case AddOffsetsToTxnRequestData d -> one(d.transactionalId());
            case EndTxnRequestData d -> one(d.transactionalId());
            case DescribeTransactionsRequestData d -> d.transactionalIds();
            default -> List.of();
        };
    }

    private static List<String> one(String key) {
        List<String> keys = new ArrayList<>(1);
        keys.add(key);
        return keys;
    }
}
