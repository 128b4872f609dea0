package io.samsa.api;

import io.samsa.coordinator.group.GroupCoordinator;
import io.samsa.coordinator.transaction.TransactionCoordinator;
import io.samsa.coordinator.transaction.TransactionMarkerWriter;
import io.samsa.metadata.MetadataController;
import io.samsa.metadata.TopicDefaults;
import io.samsa.replication.ReplicaManager;
import io.samsa.security.SaslConfig;
import java.util.Map;
import org.apache.kafka.common.protocol.ApiKeys;

/** Registers every API this broker serves, with the versions it serves. Thread-safe (stateless). */
public final class Apis {

    private Apis() {}

    /**
     * Initialises kafka-clients' protocol tables (API keys, message types, errors), whose static initialisers are
     * the largest single cost of a cold start; a broker runs this on a second thread while it opens its storage.
     */
    public static void preload() {
        for (ApiKeys key : ApiKeys.values()) {
            if (key.latestVersion(true) >= 0) { // APIs removed from Kafka keep their key but have no message
                key.messageType.newRequest();
                key.messageType.newResponse();
            }
        }
        org.apache.kafka.common.protocol.Errors.forCode((short) 0);
        java.util.UUID.randomUUID();
    }

    /**
     * What the handlers need from the broker.
     *
     * @param cluster live brokers, leaders and the controller, as clients are told of them
     * @param verifyTransactions transaction.partition.verification.enable
     * @param fetchSessions the incremental fetch sessions (KIP-227)
     */
    public record Services(BrokerIdentity identity, ClusterView cluster, MetadataController metadata,
            ReplicaManager replicas,
            TopicDefaults topicDefaults, BrokerConfigs brokerConfigs, boolean autoCreateTopics,
            GroupCoordinator groups, InternalTopic offsetsTopic, ProducerIdBlocks producerIds,
            TransactionCoordinator transactions, InternalTopic transactionStateTopic, boolean verifyTransactions,
            FetchSessionCache fetchSessions, Security security) {}

    /**
     * Authentication and authorization settings.
     *
     * @param saslListeners each SASL listener's settings, by listener name
     * @param failedAuthenticationDelayMs connection.failed.authentication.delay.ms
     * @param authorizerEnabled authorizer.class.name is set: ACLs decide
     * @param superUsers super.users, as principals
     * @param allowEveryoneIfNoAcl allow.everyone.if.no.acl.found
     */
    public record Security(Map<String, SaslConfig> saslListeners, long failedAuthenticationDelayMs,
            boolean authorizerEnabled, java.util.Set<String> superUsers, boolean allowEveryoneIfNoAcl) {

        /** No SASL listener, no authorizer. */
        public static final Security NONE = new Security(Map.of(), 0, false, java.util.Set.of(), false);
    }

    /** The transaction coordinator's markers, written into this node's partitions. */
    public static TransactionMarkerWriter markerWriter(ReplicaManager replicas, GroupCoordinator groups) {
        return new TransactionMarkers(replicas, groups);
    }

    /** The dispatcher with all handlers; the version ranges are those kafka-clients 4.1 can parse and we serve. */
    public static ApiDispatcher dispatcher(Services s) {
        return dispatcher(s, null);
    }

    /** The dispatcher, also serving the requests between the nodes of a cluster and DescribeQuorum. */
    public static ApiDispatcher dispatcher(Services s, ClusterHandlers cluster) {
        Access access = s.security().authorizerEnabled() ? Access.withAcls(s.metadata(), s.security().superUsers(),
                s.security().allowEveryoneIfNoAcl()) : Access.ALLOW_ALL;
        AclHandlers acls = new AclHandlers(s.metadata(), access);
        Coordinators coordinators = new Coordinators(s.cluster(), s.replicas(), s.offsetsTopic(),
                s.groups()::partitionFor, s.transactionStateTopic(), s.transactions()::partitionFor);
        ApiDispatcher.Builder builder = new ApiDispatcher.Builder();
        if (cluster != null) {
            builder.register(ApiKeys.ALLOCATE_PRODUCER_IDS, 0, cluster::allocateProducerIds)
                    .register(ApiKeys.DESCRIBE_QUORUM, 0, 2, cluster::describeQuorum);
        }
        return builder
                .access(access)
                .coordinatorGate(new CoordinatorGate(coordinators))
                .register(ApiKeys.CREATE_ACLS, 0, acls::create)
                .register(ApiKeys.DESCRIBE_ACLS, 0, acls::describe)
                .register(ApiKeys.DELETE_ACLS, 0, acls::delete)
                .sasl(new SaslAuthenticator(s.security().saslListeners(),
                        s.security().failedAuthenticationDelayMs(), s.metadata()))
                .register(ApiKeys.ALTER_USER_SCRAM_CREDENTIALS, 0,
                        new AlterUserScramCredentialsHandler(s.metadata()))
                .register(ApiKeys.DESCRIBE_CLIENT_QUOTAS, 0, new DescribeClientQuotasHandler(access))
                .register(ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS, 0,
                        new DescribeUserScramCredentialsHandler(s.metadata()))
                .register(ApiKeys.METADATA, 0, new MetadataHandler(s.metadata(), s.cluster(), s.autoCreateTopics(),
                        java.util.List.of(s.offsetsTopic(), s.transactionStateTopic()), s.replicas(), access))
                .register(ApiKeys.PRODUCE, 3, new ProduceHandler(s.cluster(), s.replicas(), s.transactions(),
                        s.verifyTransactions(), access))
                .register(ApiKeys.FETCH, 4, new FetchHandler(s.cluster(), s.replicas(), s.fetchSessions(), access))
                .register(ApiKeys.LIST_OFFSETS, 1, new ListOffsetsHandler(s.replicas(), access))
                .register(ApiKeys.OFFSET_FOR_LEADER_EPOCH, 2, new OffsetForLeaderEpochHandler(s.replicas(), access))
                .register(ApiKeys.DELETE_RECORDS, 0, new DeleteRecordsHandler(s.replicas(), access))
                .register(ApiKeys.INIT_PRODUCER_ID, 0, new InitProducerIdHandler(s.producerIds(), s.transactions(), access))
                .register(ApiKeys.DESCRIBE_PRODUCERS, 0, new DescribeProducersHandler(s.replicas(), access))
                .register(ApiKeys.CREATE_TOPICS, 2, new CreateTopicsHandler(s.metadata(), s.topicDefaults(), access))
                .register(ApiKeys.DELETE_TOPICS, 1, new DeleteTopicsHandler(s.metadata(), access))
                .register(ApiKeys.CREATE_PARTITIONS, 0, new CreatePartitionsHandler(s.metadata(), access))
                .register(ApiKeys.DESCRIBE_CONFIGS, 1, new DescribeConfigsHandler(s.metadata(), s.topicDefaults(),
                        s.brokerConfigs(), s.identity(), access))
                .register(ApiKeys.INCREMENTAL_ALTER_CONFIGS, 0,
                        new IncrementalAlterConfigsHandler(s.metadata(), s.topicDefaults(), access))
                .register(ApiKeys.ALTER_CONFIGS, 0, new AlterConfigsHandler(s.metadata(), access))
                .register(ApiKeys.DESCRIBE_CLUSTER, 0, new DescribeClusterHandler(s.cluster(), access))
                .register(ApiKeys.FIND_COORDINATOR, 0, new FindCoordinatorHandler(s.cluster(), coordinators, access))
                .register(ApiKeys.JOIN_GROUP, 0, new JoinGroupHandler(s.groups()))
                .register(ApiKeys.SYNC_GROUP, 0, new SyncGroupHandler(s.groups()))
                .register(ApiKeys.HEARTBEAT, 0, new HeartbeatHandler(s.groups()))
                .register(ApiKeys.LEAVE_GROUP, 0, new LeaveGroupHandler(s.groups()))
                .register(ApiKeys.OFFSET_COMMIT, 0, new OffsetCommitHandler(s.groups(), s.metadata(), access))
                .register(ApiKeys.OFFSET_FETCH, 0, new OffsetFetchHandler(s.groups(), access))
                .register(ApiKeys.DESCRIBE_GROUPS, 0, new DescribeGroupsHandler(s.groups(), access))
                .register(ApiKeys.LIST_GROUPS, 0, new ListGroupsHandler(s.groups(), access))
                .register(ApiKeys.DELETE_GROUPS, 0, new DeleteGroupsHandler(s.groups(), access))
                .register(ApiKeys.OFFSET_DELETE, 0, new OffsetDeleteHandler(s.groups(), s.metadata(), access))
                .register(ApiKeys.CONSUMER_GROUP_HEARTBEAT, 0,
                        new ConsumerGroupHeartbeatHandler(s.groups(), s.metadata()))
                .register(ApiKeys.CONSUMER_GROUP_DESCRIBE, 0,
                        new ConsumerGroupDescribeHandler(s.groups(), s.metadata(), access))
                .register(ApiKeys.ADD_PARTITIONS_TO_TXN, 0, new AddPartitionsToTxnHandler(s.metadata(),
                        s.transactions(), access))
                .register(ApiKeys.ADD_OFFSETS_TO_TXN, 0, new AddOffsetsToTxnHandler(s.transactions(), s.groups(),
                        s.offsetsTopic()))
                .register(ApiKeys.END_TXN, 0, EndTxnHandler.MAX_VERSION, new EndTxnHandler(s.transactions()))
                .register(ApiKeys.TXN_OFFSET_COMMIT, 0, TxnOffsetCommitHandler.MAX_VERSION,
                        new TxnOffsetCommitHandler(s.groups(), s.transactions(), s.metadata(), s.offsetsTopic(),
                                access))
                .register(ApiKeys.DESCRIBE_TRANSACTIONS, 0, new DescribeTransactionsHandler(s.transactions(), access))
                .register(ApiKeys.LIST_TRANSACTIONS, 0, new ListTransactionsHandler(s.transactions(), access))
                .register(ApiKeys.BROKER_REGISTRATION, 0,
                        cluster.registerBroker(BrokerLifecycleHandlers.registration(s.metadata(), s.identity())))
                .register(ApiKeys.BROKER_HEARTBEAT, 0, BrokerLifecycleHandlers.heartbeat(s.metadata()))
                .register(ApiKeys.WRITE_TXN_MARKERS, 1,
                        new WriteTxnMarkersHandler(new TransactionMarkers(s.replicas(), s.groups())))
                .build();
    }
}
