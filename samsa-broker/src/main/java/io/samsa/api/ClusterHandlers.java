package io.samsa.api;

import io.samsa.metadata.MetadataController;
import io.samsa.metadata.MetadataException;
import io.samsa.metadata.TopicNames;
import io.samsa.metadata.quorum.RatisMetadataLog;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.common.message.AllocateProducerIdsResponseData;
import org.apache.kafka.common.message.BrokerRegistrationRequestData;
import org.apache.kafka.common.message.DescribeQuorumResponseData;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * Requests between the nodes of a cluster, answered by the active controller (other nodes forward them there):
 * BrokerRegistration (a node tells the controller where clients reach it), AllocateProducerIds (a block of producer
 * ids for a node's InitProducerId answers); and DescribeQuorum, the metadata quorum as its leader sees it.
 */
public final class ClusterHandlers {

    private final MetadataController metadata;
    private final Supplier<RatisMetadataLog.QuorumState> quorum;
    private final LongSupplier clock;
    /** Told each registering node's reported Raft log end, so a node that lost its log is started afresh. */
    private final java.util.function.ObjLongConsumer<Integer> logEnds;

    public ClusterHandlers(MetadataController metadata, Supplier<RatisMetadataLog.QuorumState> quorum,
            java.util.function.ObjLongConsumer<Integer> logEnds, LongSupplier clock) {
        this.logEnds = logEnds;
        this.metadata = metadata;
        this.quorum = quorum;
        this.clock = clock;
    }

    /**
     * BrokerRegistration on the controller: the registering node's Raft log end (sent in previousBrokerEpoch) tells
     * the quorum whether that voter lost its log, then the broker lifecycle registers it.
     */
    ApiHandler registerBroker(ApiHandler lifecycle) {
        return (request, connection) -> {
            BrokerRegistrationRequestData data = (BrokerRegistrationRequestData) request.body();
            logEnds.accept(data.brokerId(), data.previousBrokerEpoch());
            return lifecycle.handle(request, connection);
        };
    }

    CompletableFuture<ApiMessage> allocateProducerIds(Request request, ClientConnection connection) {
        try {
            return metadata.allocateProducerIdBlock(ProducerIdBlocks.BLOCK_SIZE).handle((start, error) -> error == null
                    ? new AllocateProducerIdsResponseData().setProducerIdStart(start)
                            .setProducerIdLen(ProducerIdBlocks.BLOCK_SIZE)
                    : new AllocateProducerIdsResponseData().setErrorCode(ErrorMapper.toError(cause(error)).code()));
        } catch (MetadataException e) {
            return CompletableFuture.completedFuture(new AllocateProducerIdsResponseData().setErrorCode(
                    ErrorMapper.toError(e).code()));
        }
    }

    CompletableFuture<ApiMessage> describeQuorum(Request request, ClientConnection connection) {
        RatisMetadataLog.QuorumState state = quorum.get();
        long now = clock.getAsLong();
        List<DescribeQuorumResponseData.ReplicaState> voters = new ArrayList<>();
        for (RatisMetadataLog.VoterState v : state.voters()) {
            long contact = v.lastContactMs() < 0 ? -1 : now - v.lastContactMs();
            voters.add(new DescribeQuorumResponseData.ReplicaState().setReplicaId(v.nodeId())
                    .setLogEndOffset(v.logEndOffset()).setLastFetchTimestamp(contact)
                    .setLastCaughtUpTimestamp(contact));
        }
        DescribeQuorumResponseData.PartitionData partition = new DescribeQuorumResponseData.PartitionData()
                .setPartitionIndex(0).setLeaderId(state.leaderId()).setLeaderEpoch((int) state.epoch())
                .setHighWatermark(state.highWatermark()).setCurrentVoters(voters).setObservers(new ArrayList<>());
        DescribeQuorumResponseData response = new DescribeQuorumResponseData();
        response.topics().add(new DescribeQuorumResponseData.TopicData().setTopicName(TopicNames.METADATA_TOPIC)
                .setPartitions(new ArrayList<>(List.of(partition))));
        if (request.version() >= 2) {
            // Where each voter serves clients, as the image registers it.
            metadata.image().brokers().values().forEach(b -> {
                DescribeQuorumResponseData.Node node = new DescribeQuorumResponseData.Node().setNodeId(b.brokerId());
                node.listeners().add(new DescribeQuorumResponseData.Listener().setName("PLAINTEXT").setHost(b.host())
                        .setPort(b.port()));
                response.nodes().add(node);
            });
        }
        return CompletableFuture.completedFuture(response);
    }

    private static Throwable cause(Throwable error) {
        return error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause() : error;
    }
}
