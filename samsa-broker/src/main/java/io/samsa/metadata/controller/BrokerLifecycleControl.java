package io.samsa.metadata.controller;

import io.samsa.metadata.MetadataException;
import io.samsa.metadata.MetadataImage;
import io.samsa.metadata.MetadataImage.BrokerImage;
import io.samsa.metadata.MetadataRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's side of the broker lifecycle, after Kafka's KRaft controller: registration, heartbeats, fencing on
 * session expiry, unfencing once caught up, controlled shutdown, and the partition elections each of these calls for.
 * Each operation reads the current image and returns the records to commit with the reply to give once they are
 * committed; the caller (the active controller) commits them.
 *
 * <pre>
 *  register (new incarnation, new epoch)     heartbeat, caught up          heartbeat, wants to shut down
 *  ──────────────────────────────────▶ FENCED ─────────────────▶ ACTIVE ───────────────────────────▶ SHUTTING DOWN
 *                                        ▲  ▲                      │                                     │
 *                                        │  └── session expired ───┘                                     │
 *                                        └─────── leads nothing another broker could lead: fenced, may stop ─┘
 * </pre>
 *
 * <p>A broker epoch identifies one registration: a new incarnation (process start) gets {@link
 * MetadataImage#nextBrokerEpoch}, above every epoch handed out before; the same incarnation registering again keeps
 * its epoch. The fence, unfence and shutdown records carry the epoch, so a record about an earlier registration
 * changes nothing. "Caught up" means the broker has applied its own registration to its image, that is, its applied
 * offset is at least the registration's offset: only then does it know every partition it holds, and only then may
 * it lead.
 *
 * <p>Not thread-safe: the controller calls it under its lock. Sessions are in {@link BrokerSessions}.
 */
public final class BrokerLifecycleControl {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerLifecycleControl.class);

    /**
     * @param sessionTimeoutMs broker.session.timeout.ms: a broker not heard from for this long is fenced
     * @param heartbeatIntervalMs broker.heartbeat.interval.ms: how often brokers heartbeat, and sessions are checked
     * @param uncleanByDefault unclean.leader.election.enable for topics that do not set it
     */
    public record Settings(long sessionTimeoutMs, long heartbeatIntervalMs, boolean uncleanByDefault) {

        public static final Settings DEFAULT = new Settings(1000, 100, false);
    }

    /** A broker process asks to register. */
    public record Registration(int brokerId, UUID incarnationId, List<MetadataRecord.BrokerEndpoint> endpoints,
            String rack) {

        public Registration {
            endpoints = List.copyOf(endpoints);
        }
    }

    /**
     * A broker's heartbeat.
     *
     * @param caughtUp whether the broker's image holds its registration of this epoch
     * @param wantShutDown whether it is shutting down and wants its leaderships moved away
     */
    public record Heartbeat(int brokerId, long brokerEpoch, boolean caughtUp, boolean wantShutDown) {}

    /**
     * The answer to a heartbeat.
     *
     * @param fenced whether the broker is fenced once the records of this heartbeat are applied
     * @param shouldShutDown whether a broker that wants to shut down may now do so: it leads nothing that another
     *     broker could lead
     */
    public record HeartbeatReply(boolean fenced, boolean shouldShutDown) {}

    /** Records to commit, and the reply to give once they are committed. */
    public record Decision<T>(List<MetadataRecord> records, T reply) {}

    private final Settings settings;
    private final BrokerSessions sessions;

    public BrokerLifecycleControl(Settings settings, LongSupplier clockMs) {
        this.settings = settings;
        // Sessions are checked once per heartbeat interval; a new controller waits two intervals for every broker.
        this.sessions = new BrokerSessions(clockMs, settings.sessionTimeoutMs(), settings.heartbeatIntervalMs(),
                2 * settings.heartbeatIntervalMs());
    }

    public Settings settings() {
        return settings;
    }

    /**
     * Called when this controller becomes the active one, with the image of everything committed before: starts the
     * session of every unfenced broker as {@link BrokerSessions} explains. Registrations from before broker epochs
     * (epoch -1, written by a one-node broker for itself) get no session: that broker registers anew when it starts.
     */
    public void activate(MetadataImage image, PeerContact contact) {
        Map<Integer, Long> unfenced = new TreeMap<>();
        image.brokers().values().stream().filter(b -> !b.fenced() && b.brokerEpoch() >= 0)
                .forEach(b -> unfenced.put(b.brokerId(), b.brokerEpoch()));
        sessions.activate(unfenced, contact);
    }

    /**
     * Registers a broker process.
     *
     * @return the registration (and, for a new incarnation, the elections that take the previous one's place), with
     *     the broker epoch as the reply
     * @throws MetadataException DUPLICATE_BROKER_REGISTRATION when another incarnation of that broker id is alive:
     *     it heartbeated within its session
     */
    public Decision<Long> register(MetadataImage image, Registration request) {
        BrokerImage existing = image.brokers().get(request.brokerId());
        if (existing != null && request.incarnationId().equals(existing.incarnationId())) {
            sessions.touch(request.brokerId(), existing.brokerEpoch());
            if (existing.endpoints().equals(request.endpoints()) && Objects.equals(existing.rack(), request.rack())) {
                return new Decision<>(List.of(), existing.brokerEpoch());
            }
            return new Decision<>(List.of(new MetadataRecord.RegisterBroker(request.brokerId(),
                    request.incarnationId(), existing.brokerEpoch(), request.endpoints(), request.rack())),
                    existing.brokerEpoch());
        }
        // A broker in controlled shutdown that registers again is its next incarnation: the last one said it stops.
        if (existing != null && !existing.fenced() && !existing.inControlledShutdown()
                && sessions.heardWithinSession(existing.brokerId(), existing.brokerEpoch())) {
            throw new MetadataException(MetadataException.Kind.DUPLICATE_BROKER_REGISTRATION,
                    "Another broker is registered with that broker id.");
        }
        long epoch = image.nextBrokerEpoch();
        List<MetadataRecord> records = new ArrayList<>();
        records.add(new MetadataRecord.RegisterBroker(request.brokerId(), request.incarnationId(), epoch,
                request.endpoints(), request.rack()));
        // The previous incarnation, if it was not fenced, is gone: what it led needs a new leader.
        records.addAll(PartitionElections.removeBroker(image.apply(records), request.brokerId(),
                settings.uncleanByDefault()));
        sessions.touch(request.brokerId(), epoch);
        LOG.info("Broker {} registered (incarnation {}, epoch {}){}", request.brokerId(), request.incarnationId(),
                epoch, records.size() > 1 ? "; " + (records.size() - 1) + " partition(s) of its previous incarnation"
                        + " change" : "");
        return new Decision<>(records, epoch);
    }

    /**
     * Registers the broker that runs in this controller's own process and shares its image: that broker has applied
     * everything the controller has the moment the registration is applied, so it is caught up by construction, and
     * its registration and unfencing are one change (one write less at start-up).
     */
    public Decision<Long> registerInProcess(MetadataImage image, Registration request) {
        Decision<Long> registered = register(image, request);
        Changes changes = new Changes(image);
        changes.add(registered.records());
        BrokerImage broker = changes.image.brokers().get(request.brokerId());
        if (broker.fenced()) {
            changes.add(List.of(new MetadataRecord.UnfenceBroker(broker.brokerId(), broker.brokerEpoch())));
            changes.add(PartitionElections.electLeaderless(changes.image, broker.brokerId(),
                    settings.uncleanByDefault()));
        }
        return new Decision<>(changes.records, registered.reply());
    }

    /**
     * A broker's heartbeat: renews its session, unfences it once caught up, and moves its leaderships away when it
     * wants to shut down, fencing it once it leads nothing another broker could lead (see {@link
     * PartitionElections#handOver}).
     *
     * @throws MetadataException BROKER_ID_NOT_REGISTERED, or STALE_BROKER_EPOCH when the epoch is not the broker's
     *     current one (it must register again)
     */
    public Decision<HeartbeatReply> heartbeat(MetadataImage image, Heartbeat request) {
        int id = request.brokerId();
        BrokerImage broker = image.brokers().get(id);
        if (broker == null) {
            throw new MetadataException(MetadataException.Kind.BROKER_ID_NOT_REGISTERED,
                    "Broker " + id + " is not registered.");
        }
        if (broker.brokerEpoch() != request.brokerEpoch()) {
            throw new MetadataException(MetadataException.Kind.STALE_BROKER_EPOCH, "Expected broker epoch "
                    + broker.brokerEpoch() + ", but got broker epoch " + request.brokerEpoch());
        }
        sessions.touch(id, broker.brokerEpoch());
        Changes changes = new Changes(image);
        if (broker.fenced()) {
            if (request.wantShutDown()) {
                return new Decision<>(List.of(), new HeartbeatReply(true, true));
            }
            if (request.caughtUp()) {
                changes.add(List.of(new MetadataRecord.UnfenceBroker(id, broker.brokerEpoch())));
                changes.add(PartitionElections.electLeaderless(changes.image, id, settings.uncleanByDefault()));
                LOG.info("Broker {} (epoch {}) caught up and is unfenced", id, broker.brokerEpoch());
            }
            return new Decision<>(changes.records, new HeartbeatReply(changes.image.brokers().get(id).fenced(),
                    false));
        }
        if (!request.wantShutDown()) {
            return new Decision<>(List.of(), new HeartbeatReply(false, false));
        }
        if (!broker.inControlledShutdown()) {
            changes.add(List.of(new MetadataRecord.BrokerControlledShutdown(id, broker.brokerEpoch())));
            changes.add(PartitionElections.handOver(changes.image, id));
            LOG.info("Broker {} (epoch {}) is shutting down: {} partition change(s) move its leaderships", id,
                    broker.brokerEpoch(), changes.records.size() - 1);
        }
        boolean done = PartitionElections.movableLeaderships(changes.image, id) == 0;
        // A broker that still leads what nobody else can lead stays unfenced until it stops (its session ends, or
        // its next incarnation registers): fenced, its partitions would count as leaderless while it still serves
        // them, and clients (a consumer group on one node) would see them vanish from Metadata before it stops.
        if (done && PartitionElections.leaderships(changes.image, id) == 0) {
            changes.add(List.of(new MetadataRecord.FenceBroker(id, broker.brokerEpoch())));
            sessions.remove(id);
        }
        return new Decision<>(changes.records, new HeartbeatReply(changes.image.brokers().get(id).fenced(), done));
    }

    /**
     * Checks the sessions (call once per heartbeat interval): every unfenced broker whose session ended is fenced,
     * leaves every ISR, and its partitions get new leaders.
     */
    public List<MetadataRecord> expireSessions(MetadataImage image) {
        Map<Integer, Long> expired = sessions.tick();
        if (expired.isEmpty()) {
            return List.of();
        }
        Changes changes = new Changes(image);
        expired.forEach((id, epoch) -> {
            BrokerImage broker = changes.image.brokers().get(id);
            if (broker == null || broker.brokerEpoch() != epoch || broker.fenced()) {
                return;
            }
            int before = changes.records.size();
            changes.add(List.of(new MetadataRecord.FenceBroker(id, epoch)));
            changes.add(PartitionElections.removeBroker(changes.image, id, settings.uncleanByDefault()));
            LOG.warn("Broker {} (epoch {}) missed its session of {} ms and is fenced; {} partition change(s)", id,
                    epoch, settings.sessionTimeoutMs(), changes.records.size() - before - 1);
        });
        return changes.records;
    }

    /** Records being gathered, with the image they lead to (so that later elections see earlier changes). */
    private static final class Changes {

        final List<MetadataRecord> records = new ArrayList<>();
        MetadataImage image;

        Changes(MetadataImage image) {
            this.image = image;
        }

        void add(List<MetadataRecord> more) {
            records.addAll(more);
            image = image.apply(more);
        }
    }
}
