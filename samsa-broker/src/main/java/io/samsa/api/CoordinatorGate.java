package io.samsa.api;

import io.samsa.protocol.Request;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.ConsumerGroupDescribeRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeTransactionsRequestData;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * Refuses a coordinator request that reached a node which does not coordinate its group or transactional id (it does
 * not lead the key's partition of the internal topic) with NOT_COORDINATOR, shaped as the API's own error response,
 * so that the client finds the coordinator again. A request naming several keys (DescribeGroups, DeleteGroups,
 * OffsetFetch v8+, ConsumerGroupDescribe, DescribeTransactions, AddPartitionsToTxn v4+) is refused whole when one of
 * them is coordinated elsewhere: clients send such requests per coordinator, so a mixed one only comes from stale
 * metadata, and each key is retried. Empty or missing keys pass, for the handler's own error. Thread-safe.
 */
final class CoordinatorGate {

    private final Coordinators coordinators;

    CoordinatorGate(Coordinators coordinators) {
        this.coordinators = coordinators;
    }

    /** NOT_COORDINATOR in the request's response shape, or null when this node coordinates every key it names. */
    ApiMessage refuse(Request request) {
        Coordinators.Kind kind = kind(request.body());
        if (kind == null) {
            return null;
        }
        for (String key : keys(request.body(), request.version())) {
            if (key != null && !key.isEmpty() && !coordinators.isLocal(kind, key)) {
                return request.request().getErrorResponse(0, Errors.NOT_COORDINATOR.exception()).data();
            }
        }
        return null;
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
