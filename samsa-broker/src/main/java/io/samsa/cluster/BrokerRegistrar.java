package io.samsa.cluster;

import io.samsa.metadata.MetadataController;
import io.samsa.metadata.MetadataImage;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers this node's client address with the active controller, wherever it is, until this node's own image shows
 * the registration: at start-up the quorum may have no leader yet, so it retries on the scheduler (never on a
 * request thread). Broker sessions (heartbeats, fencing) build on this elsewhere.
 */
public final class BrokerRegistrar {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerRegistrar.class);
    private static final long RETRY_MS = 200;

    private final int nodeId;
    private final String host;
    private final int port;
    private final String listener;
    private final MetadataController controller;
    private final ControllerForwarder forwarder;
    private final ScheduledExecutorService scheduler;
    private final java.util.function.LongSupplier raftLogEnd;

    private BrokerRegistrar(int nodeId, String host, int port, String listener, MetadataController controller,
            ControllerForwarder forwarder, ScheduledExecutorService scheduler,
            java.util.function.LongSupplier raftLogEnd) {
        this.raftLogEnd = raftLogEnd;
        this.nodeId = nodeId;
        this.host = host;
        this.port = port;
        this.listener = listener;
        this.controller = controller;
        this.forwarder = forwarder;
        this.scheduler = scheduler;
    }

    /** Starts registering in the background. */
    public static void start(int nodeId, String host, int port, String listener, MetadataController controller,
            ControllerForwarder forwarder, ScheduledExecutorService scheduler, java.util.function.LongSupplier raftLogEnd) {
        new BrokerRegistrar(nodeId, host, port, listener, controller, forwarder, scheduler, raftLogEnd).attempt();
    }

    private boolean registered(MetadataImage image) {
        MetadataImage.BrokerImage me = image.brokers().get(nodeId);
        return me != null && me.host().equals(host) && me.port() == port;
    }

    private void attempt() {
        if (registered(controller.image())) {
            LOG.info("Node {} is registered at {}:{}", nodeId, host, port);
            return;
        }
        CompletableFuture<?> sent;
        try {
            sent = controller.isActive() ? controller.registerBroker(nodeId, host, port)
                    : forwarder.registerBroker(listener, host, port, raftLogEnd.getAsLong());
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((ignored, error) -> {
            if (error != null) {
                LOG.debug("Node {} could not register yet: {}", nodeId, error.toString());
            }
            try {
                scheduler.schedule(this::attempt, error == null ? 0 : RETRY_MS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // shutting down
            }
        });
    }
}
