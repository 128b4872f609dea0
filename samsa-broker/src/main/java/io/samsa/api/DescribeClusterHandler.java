package io.samsa.api;

import io.samsa.metadata.MetadataImage;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import io.samsa.security.Acl;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * DescribeCluster: cluster id, the active controller and the live brokers (v2 with {@code includeFencedBrokers}: every
 * registered broker, each marked fenced or not, as Kafka does). As in Kafka any authenticated principal may describe
 * the cluster; the authorized operations (KIP-430), when asked for, are none without DESCRIBE on the cluster.
 */
final class DescribeClusterHandler implements ApiHandler {

    private final ClusterView cluster;
    private final Access access;

    DescribeClusterHandler(ClusterView cluster, Access access) {
        this.cluster = cluster;
        this.access = access;
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
        if (data.includeClusterAuthorizedOperations()) {
            // As in Kafka: no operations at all unless the principal may DESCRIBE the cluster.
            response.setClusterAuthorizedOperations(access.allowedOnCluster(request, connection,
                    Acl.Operation.DESCRIBE) ? access.authorizedOperations(connection, Acl.ResourceType.CLUSTER,
                            Acl.CLUSTER_NAME) : 0);
        }
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
