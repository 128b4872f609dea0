package io.samsa.cluster;

import io.samsa.api.BrokerLifecycleHandlers;
import io.samsa.metadata.MetadataController;
import io.samsa.metadata.controller.BrokerLifecycleAgent;
import io.samsa.metadata.controller.BrokerLifecycleControl;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import org.apache.kafka.common.message.BrokerHeartbeatResponseData;
import org.apache.kafka.common.message.BrokerRegistrationResponseData;
import org.apache.kafka.common.requests.BrokerHeartbeatRequest;
import org.apache.kafka.common.requests.BrokerRegistrationRequest;

/**
 * How a cluster node's broker reaches the active controller: in process while this node is it, otherwise with
 * BrokerRegistration and BrokerHeartbeat requests sent to the controller's {@code samsa.peers} address.
 */
public final class ControllerChannels {

    private ControllerChannels() {}

    public static BrokerLifecycleAgent.ControllerChannel forwarding(MetadataController controller,
            ControllerForwarder forwarder, String clusterId, LongSupplier raftLogEnd) {
        BrokerLifecycleAgent.ControllerChannel local = controller.localChannel();
        return new BrokerLifecycleAgent.ControllerChannel() {
            @Override
            public CompletableFuture<Long> register(BrokerLifecycleControl.Registration registration) {
                if (controller.isActive()) {
                    return local.register(registration);
                }
                // The Raft log end travels in previousBrokerEpoch: the quorum's leader finds a voter that lost its log
                // by it (see RatisMetadataLog.restartIfLogLost); such a node knows no leader, so any peer relays it.
                return forwarder.toControllerOrAnyPeer(new BrokerRegistrationRequest.Builder(
                        BrokerLifecycleHandlers.request(registration, clusterId, Map.of())
                                .setPreviousBrokerEpoch(raftLogEnd.getAsLong())).build())
                        .thenApply(m -> BrokerLifecycleHandlers.epoch((BrokerRegistrationResponseData) m));
            }

            @Override
            public CompletableFuture<BrokerLifecycleControl.HeartbeatReply> heartbeat(
                    BrokerLifecycleControl.Heartbeat heartbeat) {
                if (controller.isActive()) {
                    return local.heartbeat(heartbeat);
                }
                return forwarder.toActiveController(new BrokerHeartbeatRequest.Builder(
                        BrokerLifecycleHandlers.request(heartbeat, controller.appliedOffset())).build())
                        .thenApply(m -> BrokerLifecycleHandlers.reply((BrokerHeartbeatResponseData) m));
            }
        };
    }
}
