package io.samsa.api;

import io.samsa.metadata.MetadataImage;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * DescribeCluster: cluster id, the active controller and the live brokers (v2 with {@code includeFencedBrokers}: every
 * registered broker, each marked fenced or not, as Kafka does). Without ACLs no authorized operations are reported.
 */
final class DescribeClusterHandler implements ApiHandler {

    private final ClusterView cluster;

    DescribeClusterHandler(ClusterView cluster) {
        this.cluster = cluster;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        DescribeClusterRequestData data = (DescribeClusterRequestData) request.body();
        DescribeClusterResponseData response = new DescribeClusterResponseData()
                .setErrorCode(Errors.NONE.code())
                .setEndpointType(data.endpointType())
                .setClusterId(cluster.clusterId())
                .setControllerId(cluster.activeControllerId())
                .setClusterAuthorizedOperations(AUTHORIZED_OPERATIONS_OMITTED);
        if (data.endpointType() != 1) {
            return CompletableFuture.completedFuture(response.setErrorCode(Errors.UNSUPPORTED_ENDPOINT_TYPE.code())
                    .setErrorMessage("Only brokers can be described: there are no separate controller endpoints"));
        }
        MetadataImage image = cluster.image();
        boolean withFenced = request.version() >= 2 && data.includeFencedBrokers();
        for (MetadataImage.BrokerImage broker : image.brokers().values()) {
            boolean live = cluster.isLive(image, broker.brokerId());
            if (!live && !withFenced) {
                continue;
            }
            BrokerIdentity.Endpoint at = cluster.endpoint(broker, connection.listenerName());
            response.brokers().add(new DescribeClusterResponseData.DescribeClusterBroker()
                    .setBrokerId(broker.brokerId()).setHost(at.host()).setPort(at.port())
                    .setRack(broker.rack()).setIsFenced(withFenced && !live));
        }
        return CompletableFuture.completedFuture(response);
    }
}
