package io.samsa.server;

import io.samsa.metadata.MetadataController;
import io.samsa.metadata.MetadataRecord;
import io.samsa.metadata.controller.BrokerLifecycleAgent;
import io.samsa.metadata.controller.BrokerLifecycleControl;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's broker lifecycle, with the controller in the same process (a cluster node reaches the active controller
 * through the channel it is given): the broker registers with
 * a new incarnation id per start, heartbeats, and is unfenced once caught up; the controller checks sessions every
 * heartbeat interval; on close, a controlled shutdown moves leaderships away first. Both sides run on one timer
 * thread, "samsa-lifecycle", which does nothing else (a fencing writes the metadata log on it).
 */
final class BrokerLifecycle implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerLifecycle.class);
    /** How long a start waits to be unfenced before it fails. */
    private static final long START_TIMEOUT_MS = 30_000;
    /** How long a shutdown waits for its leaderships to move before it stops anyway. */
    private static final long CONTROLLED_SHUTDOWN_TIMEOUT_MS = 5_000;

    private final ScheduledExecutorService timer;
    private final BrokerLifecycleAgent agent;
    private boolean stopped;

    private BrokerLifecycle(ScheduledExecutorService timer, BrokerLifecycleAgent agent) {
        this.timer = timer;
        this.agent = agent;
    }

    /**
     * Starts checking sessions, registers the broker and waits until it is unfenced.
     *
     * @param endpoints the advertised endpoint of every listener, the main one first
     */
    static BrokerLifecycle start(MetadataController controller, BrokerLifecycleAgent.ControllerChannel channel,
            int brokerId, List<MetadataRecord.BrokerEndpoint> endpoints, String rack, long heartbeatIntervalMs,
            boolean awaitUnfenced) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "samsa-lifecycle");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(() -> {
            try {
                controller.expireBrokerSessions();
            } catch (RuntimeException e) {
                LOG.error("Checking broker sessions failed; trying again in {} ms", heartbeatIntervalMs, e);
            }
        }, heartbeatIntervalMs, heartbeatIntervalMs, TimeUnit.MILLISECONDS);
        BrokerLifecycleAgent agent = new BrokerLifecycleAgent(new BrokerLifecycleControl.Registration(brokerId,
                UUID.randomUUID(), endpoints, rack), channel, controller::image,
                controller::published, timer, heartbeatIntervalMs);
        BrokerLifecycle lifecycle = new BrokerLifecycle(timer, agent);
        long started = System.nanoTime();
        if (!awaitUnfenced) {
            agent.start();
            return lifecycle;
        }
        try {
            agent.start().get(START_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            LOG.debug("Broker {} registered (epoch {}) and unfenced in {} ms", brokerId, agent.brokerEpoch(),
                    (System.nanoTime() - started) / 1_000_000);
        } catch (TimeoutException | ExecutionException e) {
            lifecycle.stop();
            throw new IllegalStateException("Broker " + brokerId + " was not unfenced by the controller within "
                    + START_TIMEOUT_MS + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            lifecycle.stop();
            throw new IllegalStateException("Interrupted while registering broker " + brokerId, e);
        }
        return lifecycle;
    }

    /** Controlled shutdown: returns once the broker leads nothing, or after a bounded wait. */
    @Override
    public synchronized void close() {
        if (stopped) {
            return;
        }
        try {
            agent.controlledShutdown().get(CONTROLLED_SHUTDOWN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            LOG.warn("Controlled shutdown did not complete within {} ms; stopping anyway",
                    CONTROLLED_SHUTDOWN_TIMEOUT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stop();
        }
    }

    /** Stops heartbeats and session checks, without a controlled shutdown. */
    synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        agent.close();
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
