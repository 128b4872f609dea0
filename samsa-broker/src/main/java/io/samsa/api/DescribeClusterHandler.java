package io.samsa.api;

import io.samsa.metadata.MetadataController;
import io.samsa.metadata.MetadataImage;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/** DescribeCluster: cluster id, controller and brokers. Without ACLs no authorized operations are reported. */
final class DescribeClusterHandler implements ApiHandler {


    private final MetadataController metadata;
    private final BrokerIdentity identity;

    DescribeClusterHandler(MetadataController metadata, BrokerIdentity identity) {
        this.metadata = metadata;
        this.identity = identity;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        DescribeClusterRequestData data = (DescribeClusterRequestData) request.body();
        DescribeClusterResponseData response = new DescribeClusterResponseData()
                .setErrorCode(Errors.NONE.code())
                .setEndpointType(data.endpointType())
                .setClusterId(identity.clusterId())
                .setControllerId(metadata.activeControllerId())
                .setClusterAuthorizedOperations(AUTHORIZED_OPERATIONS_OMITTED);
        if (data.endpointType() != 1) {
            return CompletableFuture.completedFuture(response.setErrorCode(Errors.UNSUPPORTED_ENDPOINT_TYPE.code())
                    .setErrorMessage("Only brokers can be described: there are no separate controller endpoints"));
        }
        for (MetadataImage.BrokerImage broker : metadata.image().brokers().values()) {
            BrokerIdentity.Endpoint at = broker.brokerId() == identity.brokerId()
                    ? identity.endpoint(connection.listenerName())
                    : new BrokerIdentity.Endpoint(broker.host(), broker.port());
            response.brokers().add(new DescribeClusterResponseData.DescribeClusterBroker()
                    .setBrokerId(broker.brokerId()).setHost(at.host()).setPort(at.port())
                    .setRack(broker.rack()));
        }
        return CompletableFuture.completedFuture(response);
    }
}
