package io.samsa.api;

import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import io.samsa.security.Acl;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.ConsumerGroupDescribeRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.DescribeTransactionsRequestData;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * Authorization decided before a handler runs, for the single-resource APIs, whose denial Kafka answers by failing
 * the whole request: JoinGroup, SyncGroup, Heartbeat, LeaveGroup, ConsumerGroupHeartbeat, EndTxn, AddOffsetsToTxn,
 * WriteTxnMarkers and the SCRAM APIs, each with the operation Kafka requires and
 * the error a Kafka client expects. The APIs that touch several resources authorize each in their handlers, so that
 * only the denied entries fail, as in Kafka ({@link #IN_HANDLERS}). An API neither listed here nor authorized by its
 * handler needs ALTER on the cluster: nothing is served unchecked. Thread-safe (stateless).
 */
final class RequestAuthorization {

    /** A resource a request touches, the operation it needs, and the error when denied. */
    record Check(Acl.Operation operation, Acl.ResourceType type, String name, Errors error) {}

    /** APIs whose handlers authorize each resource themselves (or that need no authorization). */
    static final Set<ApiKeys> IN_HANDLERS = EnumSet.of(ApiKeys.API_VERSIONS, ApiKeys.SASL_HANDSHAKE,
            ApiKeys.SASL_AUTHENTICATE, ApiKeys.PRODUCE, ApiKeys.FETCH, ApiKeys.METADATA, ApiKeys.LIST_OFFSETS,
            ApiKeys.OFFSET_FOR_LEADER_EPOCH, ApiKeys.INIT_PRODUCER_ID, ApiKeys.FIND_COORDINATOR, ApiKeys.OFFSET_COMMIT,
            ApiKeys.OFFSET_FETCH, ApiKeys.CREATE_TOPICS, ApiKeys.DELETE_TOPICS, ApiKeys.CREATE_ACLS,
            ApiKeys.DESCRIBE_ACLS, ApiKeys.DELETE_ACLS, ApiKeys.DESCRIBE_GROUPS, ApiKeys.CONSUMER_GROUP_DESCRIBE,
            ApiKeys.DELETE_GROUPS, ApiKeys.OFFSET_DELETE, ApiKeys.LIST_GROUPS, ApiKeys.ADD_PARTITIONS_TO_TXN,
            ApiKeys.TXN_OFFSET_COMMIT, ApiKeys.DESCRIBE_TRANSACTIONS, ApiKeys.DELETE_RECORDS, ApiKeys.CREATE_PARTITIONS,
            ApiKeys.DESCRIBE_PRODUCERS, ApiKeys.DESCRIBE_CONFIGS, ApiKeys.ALTER_CONFIGS,
            ApiKeys.INCREMENTAL_ALTER_CONFIGS, ApiKeys.DESCRIBE_CLUSTER, ApiKeys.LIST_TRANSACTIONS,
            ApiKeys.DESCRIBE_CLIENT_QUOTAS);

    private static final Map<ApiKeys, Function<ApiMessage, List<Check>>> CHECKS = new EnumMap<>(ApiKeys.class);

    static {
        CHECKS.put(ApiKeys.JOIN_GROUP, m -> List.of(groupRead(((JoinGroupRequestData) m).groupId())));
        CHECKS.put(ApiKeys.SYNC_GROUP, m -> List.of(groupRead(((SyncGroupRequestData) m).groupId())));
        CHECKS.put(ApiKeys.HEARTBEAT, m -> List.of(groupRead(((HeartbeatRequestData) m).groupId())));
        CHECKS.put(ApiKeys.LEAVE_GROUP, m -> List.of(groupRead(((LeaveGroupRequestData) m).groupId())));
        CHECKS.put(ApiKeys.CONSUMER_GROUP_HEARTBEAT,
                m -> List.of(groupRead(((ConsumerGroupHeartbeatRequestData) m).groupId())));
        CHECKS.put(ApiKeys.END_TXN, m -> List.of(txnWrite(((EndTxnRequestData) m).transactionalId())));
        CHECKS.put(ApiKeys.ADD_OFFSETS_TO_TXN, m -> {
            AddOffsetsToTxnRequestData d = (AddOffsetsToTxnRequestData) m;
            return List.of(txnWrite(d.transactionalId()), groupRead(d.groupId()));
        });
        CHECKS.put(ApiKeys.WRITE_TXN_MARKERS, m -> List.of(cluster(Acl.Operation.CLUSTER_ACTION)));
        CHECKS.put(ApiKeys.BROKER_REGISTRATION, m -> List.of(cluster(Acl.Operation.CLUSTER_ACTION)));
        CHECKS.put(ApiKeys.BROKER_HEARTBEAT, m -> List.of(cluster(Acl.Operation.CLUSTER_ACTION)));
        CHECKS.put(ApiKeys.ALTER_USER_SCRAM_CREDENTIALS, m -> List.of(cluster(Acl.Operation.ALTER)));
        CHECKS.put(ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS, m -> List.of(cluster(Acl.Operation.DESCRIBE)));
    }

    private RequestAuthorization() {}

    /**
     * The error response when the request is denied, or null when it may be served (or its handler decides).
     */
    static ApiMessage deny(Request request, ClientConnection connection, Access access) {
        if (!access.enabled() || IN_HANDLERS.contains(request.apiKey())) {
            return null;
        }
        Function<ApiMessage, List<Check>> checks = CHECKS.get(request.apiKey());
        List<Check> needed = checks != null ? checks.apply(request.body())
                : List.of(cluster(Acl.Operation.ALTER));
        for (Check check : needed) {
            if (!access.allowed(request, connection, check.operation(), check.type(),
                    check.name() == null ? "" : check.name())) {
                return request.request().getErrorResponse(0, check.error().exception()).data();
            }
        }
        return null;
    }

    private static Check groupRead(String group) {
        return new Check(Acl.Operation.READ, Acl.ResourceType.GROUP, group, Errors.GROUP_AUTHORIZATION_FAILED);
    }

    private static Check txnWrite(String transactionalId) {
        return new Check(Acl.Operation.WRITE, Acl.ResourceType.TRANSACTIONAL_ID, transactionalId,
                Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    }

    private static Check topic(Acl.Operation operation, String name) {
        return new Check(operation, Acl.ResourceType.TOPIC, name, Errors.TOPIC_AUTHORIZATION_FAILED);
    }

    private static Check cluster(Acl.Operation operation) {
        return new Check(operation, Acl.ResourceType.CLUSTER, Acl.CLUSTER_NAME, Errors.CLUSTER_AUTHORIZATION_FAILED);
    }

    /** A config resource: a topic (2), or the broker (4, 8: the cluster resource in Kafka). */
    private static Check config(Acl.Operation operation, byte resourceType, String name) {
        return resourceType == 2 ? topic(operation, name) : cluster(operation);
    }
}
