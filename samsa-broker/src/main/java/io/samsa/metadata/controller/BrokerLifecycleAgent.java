package io.samsa.metadata.controller;

import io.samsa.metadata.MetadataException;
import io.samsa.metadata.MetadataImage;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's side of its lifecycle (Kafka's {@code BrokerLifecycleManager}): registers this process with the
 * controller, heartbeats every {@code broker.heartbeat.interval.ms}, reports when it has caught up with the metadata
 * (its image holds its own registration), and on shutdown asks the controller to move its leaderships away and waits
 * for the go-ahead.
 *
 * <p>Everything runs on the given timer (one thread): replies are handed back to it, so the state needs no lock and
 * at most one request is in flight. A failed request is retried one interval later; a heartbeat refused because the
 * broker epoch is stale (the controller fenced and replaced this registration, or never committed it) registers
 * again, with the same incarnation id.
 */
public final class BrokerLifecycleAgent implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerLifecycleAgent.class);

    /** How the broker reaches the active controller: in process on one node, forwarded in a cluster. */
    public interface ControllerChannel {

        /** @return the broker epoch of the registration, once committed */
        CompletableFuture<Long> register(BrokerLifecycleControl.Registration registration);

        CompletableFuture<BrokerLifecycleControl.HeartbeatReply> heartbeat(BrokerLifecycleControl.Heartbeat heartbeat);
    }

    private final BrokerLifecycleControl.Registration registration;
    private final ControllerChannel controller;
    private final Supplier<MetadataImage> image;
    private final Supplier<CompletableFuture<?>> applied;
    private final ScheduledExecutorService timer;
    private final long intervalMs;
    private final CompletableFuture<Void> unfenced = new CompletableFuture<>();
    private final CompletableFuture<Void> shutDown = new CompletableFuture<>();

    // Confined to the timer thread.
    private long brokerEpoch = -1;
    private boolean inFlight;
    private boolean sendAgainAtOnce;
    private boolean wantShutDown;
    private boolean stopped;
    private int registrationFailures;
    private ScheduledFuture<?> next;

    /**
     * @param image the broker's current (applied) metadata image
     * @param applied completes once every change committed so far is applied to this broker's image
     */
    public BrokerLifecycleAgent(BrokerLifecycleControl.Registration registration, ControllerChannel controller,
            Supplier<MetadataImage> image, Supplier<CompletableFuture<?>> applied, ScheduledExecutorService timer,
            long heartbeatIntervalMs) {
        this.registration = registration;
        this.controller = controller;
        this.image = image;
        this.applied = applied;
        this.timer = timer;
        this.intervalMs = heartbeatIntervalMs;
    }

    /** Registers and heartbeats; the future completes once the broker is unfenced and its image shows it. */
    public CompletableFuture<Void> start() {
        timer.execute(this::send);
        return unfenced;
    }

    /**
     * Asks the controller to move this broker's leaderships away; the future completes once it leads nothing and may
     * stop (the caller bounds the wait). Heartbeats stop then.
     */
    public CompletableFuture<Void> controlledShutdown() {
        timer.execute(() -> {
            wantShutDown = true;
            if (brokerEpoch < 0) {
                finish(); // never registered: nothing to move
            } else {
                sendNow();
            }
        });
        return shutDown;
    }

    /** The broker epoch of the current registration, or -1 (read on the timer thread, or for diagnostics). */
    public long brokerEpoch() {
        return brokerEpoch;
    }

    /** Stops heartbeating without a controlled shutdown (the controller fences the broker when its session ends). */
    @Override
    public void close() {
        try {
            timer.execute(() -> {
                stopped = true;
                cancelNext();
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // The timer is already stopped: so is everything that ran on it.
        }
    }

    private void sendNow() {
        cancelNext();
        if (inFlight) {
            sendAgainAtOnce = true;
        } else {
            send();
        }
    }

    private void send() {
        next = null;
        if (stopped) {
            return;
        }
        inFlight = true;
        if (brokerEpoch < 0) {
            controller.register(registration).whenCompleteAsync(this::registered, timer);
        } else {
            boolean caughtUp = caughtUp();
            controller.heartbeat(new BrokerLifecycleControl.Heartbeat(registration.brokerId(), brokerEpoch, caughtUp,
                    wantShutDown)).whenCompleteAsync(this::answered, timer);
        }
    }

    private void registered(Long epoch, Throwable error) {
        inFlight = false;
        if (error != null) {
            // Expected while a cluster has no controller yet: said once, then quietly retried every interval.
            if (registrationFailures++ == 0) {
                LOG.info("Registration of broker {} failed, retrying every {} ms: {}", registration.brokerId(),
                        intervalMs, cause(error).toString());
            } else {
                LOG.debug("Registration of broker {} failed again: {}", registration.brokerId(), cause(error).toString());
            }
            schedule(intervalMs);
            return;
        }
        registrationFailures = 0;
        brokerEpoch = epoch;
        // The first heartbeat goes as soon as the registration is applied here: it can then report being caught up.
        if (caughtUp()) {
            sendNow();
        } else {
            applied.get().whenCompleteAsync((ignored, e) -> sendNowUnlessStopped(), timer);
        }
    }

    private void answered(BrokerLifecycleControl.HeartbeatReply reply, Throwable error) {
        inFlight = false;
        if (error != null) {
            Throwable cause = cause(error);
            if (cause instanceof MetadataException m && (m.kind() == MetadataException.Kind.STALE_BROKER_EPOCH
                    || m.kind() == MetadataException.Kind.BROKER_ID_NOT_REGISTERED)) {
                LOG.warn("Broker {}'s registration (epoch {}) is no longer current: {}; registering again",
                        registration.brokerId(), brokerEpoch, cause.getMessage());
                brokerEpoch = -1;
                schedule(0);
            } else {
                LOG.debug("Heartbeat of broker {} failed, retrying: {}", registration.brokerId(), cause.toString());
                schedule(intervalMs);
            }
            return;
        }
        if (reply.shouldShutDown() && wantShutDown) {
            finish();
            return;
        }
        if (!reply.fenced() && !unfenced.isDone()) {
            if (unfencedHere()) {
                unfenced.complete(null);
            } else {
                applied.get().whenComplete((ignored, e) -> unfenced.complete(null));
            }
        }
        if (sendAgainAtOnce) {
            sendAgainAtOnce = false;
            send();
        } else {
            schedule(intervalMs);
        }
    }

    private void sendNowUnlessStopped() {
        if (!stopped) {
            sendNow();
        }
    }

    private boolean caughtUp() {
        MetadataImage.BrokerImage self = image.get().brokers().get(registration.brokerId());
        return self != null && self.brokerEpoch() == brokerEpoch
                && registration.incarnationId().equals(self.incarnationId());
    }

    /** Whether this broker's image already shows this registration unfenced. */
    private boolean unfencedHere() {
        MetadataImage.BrokerImage self = image.get().brokers().get(registration.brokerId());
        return caughtUp() && !self.fenced();
    }

    private void finish() {
        stopped = true;
        cancelNext();
        shutDown.complete(null);
    }

    private void schedule(long delayMs) {
        cancelNext();
        if (!stopped) {
            next = timer.schedule(this::send, delayMs, TimeUnit.MILLISECONDS);
        }
    }

    private void cancelNext() {
        if (next != null) {
            next.cancel(false);
            next = null;
        }
    }

    private static Throwable cause(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }
}
