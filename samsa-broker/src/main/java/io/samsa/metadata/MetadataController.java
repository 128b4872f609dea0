package io.samsa.metadata;

import io.samsa.metadata.controller.BrokerLifecycleAgent;
import io.samsa.metadata.controller.BrokerLifecycleControl;
import io.samsa.metadata.controller.ReplicaPlacer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validates metadata changes, writes them to the {@link MetadataLog} as records and publishes the resulting
 * {@link MetadataImage}. The single writer of metadata: validation and the append are serialized by this object's
 * lock, so two CreateTopics for the same name cannot both succeed.
 *
 * <p>Publishing is the slow part of a change (a new topic's partition logs are created on disk) and runs off the
 * lock, on one thread, "samsa-metadata-publisher": listeners see every image in log order, and {@link #image()} is the
 * last image they have seen, so what a handler reads is always hosted. Each change returns a future that completes
 * once its image is published; a request waits on it without holding a thread, so one large change never blocks
 * requests that do not depend on it.
 *
 * <p>One change is bounded as in Kafka's controller: at most {@value #MAX_RECORDS_PER_CHANGE} records, and the new
 * partitions must fit this node's {@link PartitionCapacity}.
 */
public final class MetadataController implements AutoCloseable {

    /** Kafka's limit on the records one user operation may write (QuorumController.MAX_RECORDS_PER_USER_OP). */
    public static final int MAX_RECORDS_PER_CHANGE = 10_000;
    /** Kafka's message when a change would exceed {@link #MAX_RECORDS_PER_CHANGE}. */
    public static final String TOO_LARGE_CHANGE = "Unable to perform excessively large batch operation.";

    private static final Logger LOG = LoggerFactory.getLogger(MetadataController.class);

    /**
     * A committed (or validated) change: what it made, at once, and when it is published.
     *
     * @param value what the change made, as committed
     * @param published completes once the change is published (at once for a validate-only change)
     */
    public record Committed<T>(T value, CompletableFuture<MetadataImage> published) {}

    /** Cluster-wide defaults a change falls back to. */
    public record Settings(int brokerId, int defaultPartitions, short defaultReplicationFactor) {}

    /** Makes changes on the active controller when it is another node (the cluster's forwarding). */
    public interface RemoteController {

        /** Has the active controller create one of the broker's internal topics; completes once it exists there. */
        CompletableFuture<Void> createInternalTopic(String name);
    }

    /** Told when this node becomes the active controller and when it stops being it (the broker lifecycle). */
    public interface ControllerListener {

        /** This node is the active controller for {@code epoch}; {@code image} is every committed change. */
        void activated(long epoch, MetadataImage image);

        /** This node is no longer the active controller; appends it made may or may not commit. */
        void resigned();
    }

    private final MetadataLog log;
    private final Settings settings;
    private final PartitionCapacity capacity;
    private final BrokerLifecycleControl lifecycle;
    private final ReplicaPlacer placer;
    private final List<Consumer<MetadataImage>> listeners = new CopyOnWriteArrayList<>();
    private final List<ControllerListener> controllerListeners = new CopyOnWriteArrayList<>();
    private final ExecutorService publisher = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "samsa-metadata-publisher");
        t.setDaemon(true);
        return t;
    });
    /**
     * What changes are validated against while this node is the active controller: every committed change plus the
     * ones appended but not committed yet. Guarded by this; null while not active.
     */
    private MetadataImage view;
    /** The leader epoch of the active controller, -1 while not active; guarded by this. */
    private long epoch = -1;
    /** Appends made by this controller that have not completed yet; guarded by this. */
    private int inFlight;
    /** Set when an append failed: the view may hold records that never commit, rebuilt once nothing is in flight. */
    private boolean viewStale;
    /** The image of every committed change this node has applied, and its offset. */
    private volatile MetadataImage applied = MetadataImage.EMPTY;
    private volatile long appliedOffset = -1;
    /** The image the listeners have seen last: what the broker serves. */
    private volatile MetadataImage published = MetadataImage.EMPTY;
    /** The offset of {@link #published}; written on the publisher thread only. */
    private volatile long publishedOffset = -1;
    /** Changes waiting to be published, by offset; guarded by itself. */
    private final java.util.TreeMap<Long, List<CompletableFuture<MetadataImage>>> waiting = new java.util.TreeMap<>();
    private final CompletableFuture<Void> firstActivation = new CompletableFuture<>();
    /** Waiting for an image that satisfies a condition; guarded by {@link #waiting}. */
    private final List<java.util.Map.Entry<java.util.function.Predicate<MetadataImage>,
            CompletableFuture<MetadataImage>>> conditions = new ArrayList<>();
    private volatile RemoteController remote;

    public MetadataController(MetadataLog log, Settings settings) {
        this(log, settings, PartitionCapacity.UNLIMITED);
    }

    /** Starts the log: its local state is applied (and, for a log without a quorum, this node leads) on return. */
    public MetadataController(MetadataLog log, Settings settings, PartitionCapacity capacity) {
        this(log, settings, capacity, new BrokerLifecycleControl(BrokerLifecycleControl.Settings.DEFAULT,
                MetadataController::monotonicMs), RandomGenerator.getDefault());
    }

    /**
     * @param lifecycle broker registrations, heartbeats and sessions; activated at once (one node: this controller is
     *     the only one there is)
     * @param placement where the replicas of a new partition start being chosen
     */
    public MetadataController(MetadataLog log, Settings settings, PartitionCapacity capacity,
            BrokerLifecycleControl lifecycle, RandomGenerator placement) {
        this.log = log;
        this.settings = settings;
        this.capacity = capacity;
        this.lifecycle = lifecycle;
        this.placer = new ReplicaPlacer(placement);
        log.start(new MetadataLog.Listener() {
            @Override
            public void applied(MetadataImage image, long offset) {
                onApplied(image, offset);
            }

            @Override
            public void leaderReady(long leaderEpoch) {
                activate(leaderEpoch);
            }

            @Override
            public void resigned() {
                resign();
            }
        });
        // What the log loaded at start is what image() shows from now on.
        published().join();
    }

    private void onApplied(MetadataImage image, long offset) {
        applied = image;
        appliedOffset = offset;
        publisher.execute(() -> publish(image, offset));
    }

    private void activate(long leaderEpoch) {
        MetadataImage image;
        synchronized (this) {
            // Every entry before this leadership is applied (the log says so), and nothing of ours is in flight.
            view = applied;
            epoch = leaderEpoch;
            inFlight = 0;
            viewStale = false;
            image = view;
            lifecycle.activate(image, log.peerContact());
        }
        LOG.info("Node {} is the active controller (epoch {}, metadata offset {})", settings.brokerId(), leaderEpoch,
                appliedOffset);
        firstActivation.complete(null);
        for (ControllerListener l : controllerListeners) {
            try {
                l.activated(leaderEpoch, image);
            } catch (RuntimeException e) {
                LOG.error("A controller listener failed on activation", e);
            }
        }
    }

    private void resign() {
        synchronized (this) {
            if (epoch < 0) {
                return;
            }
            epoch = -1;
            view = null;
        }
        LOG.info("Node {} is no longer the active controller", settings.brokerId());
        controllerListeners.forEach(l -> {
            try {
                l.resigned();
            } catch (RuntimeException e) {
                LOG.error("A controller listener failed on resignation", e);
            }
        });
    }

    /** Whether this node is the active controller now. */
    public synchronized boolean isActive() {
        return epoch >= 0;
    }

    /**
     * The active controller's node id as this node knows it: itself when active, else the quorum's leader (which
     * becomes the active controller once it has applied the log), or -1 when no leader is known.
     */
    public int activeControllerId() {
        return isActive() ? settings.brokerId() : log.leaderId();
    }

    /** The epoch of this node's controllership, or -1 when it is not the active controller. */
    public synchronized long epoch() {
        return epoch;
    }

    /** Listens for this node becoming and ceasing to be the active controller. */
    public void addControllerListener(ControllerListener listener) {
        controllerListeners.add(listener);
    }

    /** The offset of the last applied metadata change (-1 before any). */
    public long appliedOffset() {
        return appliedOffset;
    }

    /** An image and the offset of the last change it includes. */
    public record Published(MetadataImage image, long offset) {}

    /** The image the listeners have seen last, with its offset (read together). */
    public Published publishedState() {
        synchronized (waiting) {
            return new Published(published, publishedOffset);
        }
    }

    /** The offset of the image the listeners have seen last. */
    public long publishedOffset() {
        return publishedOffset;
    }

    /** The image changes are validated against; refuses when this node is not the active controller. */
    private MetadataImage view() {
        if (epoch < 0) {
            throw new MetadataException(MetadataException.Kind.NOT_CONTROLLER,
                    "This node (" + settings.brokerId() + ") is not the active controller.");
        }
        if (viewStale && inFlight == 0) {
            view = applied;
            viewStale = false;
        }
        return view;
    }

    /**
     * Appends records as the active controller, validated by the caller against {@link #image()} or its own state
     * (the seam for the broker lifecycle's records). The future completes once they are published on this node.
     */
    public synchronized CompletableFuture<MetadataImage> appendAsController(List<MetadataRecord> records) {
        view();
        checkChangeSize(records.size());
        return commit(records);
    }

    private static long monotonicMs() {
        return System.nanoTime() / 1_000_000;
    }

    /** num.partitions: the partition count of a topic created without one. */
    public int defaultPartitions() {
        return settings.defaultPartitions();
    }

    /** The last published image: every topic in it is hosted. */
    public MetadataImage image() {
        return published;
    }

    /** Completes once every change this node has applied so far is published. */
    public CompletableFuture<Void> published() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        publisher.execute(() -> done.complete(null));
        return done;
    }

    /** Completes once the change at {@code offset} (or a later one) is published on this node. */
    public CompletableFuture<MetadataImage> publishedAt(long offset) {
        synchronized (waiting) {
            if (publishedOffset >= offset) {
                return CompletableFuture.completedFuture(published);
            }
            CompletableFuture<MetadataImage> done = new CompletableFuture<>();
            waiting.computeIfAbsent(offset, o -> new ArrayList<>()).add(done);
            return done;
        }
    }

    /**
     * Listeners are called on the publisher thread with each new image, in log order, starting with the image
     * published last (so a listener added late misses nothing).
     */
    public void addListener(Consumer<MetadataImage> listener) {
        publisher.execute(() -> {
            listeners.add(listener);
            listener.accept(published);
        });
    }

    /** Where changes go when another node is the active controller. */
    public void remote(RemoteController remote) {
        this.remote = remote;
    }

    /** Completes with the first published image that satisfies {@code condition} (now, if the current one does). */
    public CompletableFuture<MetadataImage> publishedWhen(java.util.function.Predicate<MetadataImage> condition) {
        synchronized (waiting) {
            if (condition.test(published)) {
                return CompletableFuture.completedFuture(published);
            }
            CompletableFuture<MetadataImage> done = new CompletableFuture<>();
            conditions.add(java.util.Map.entry(condition, done));
            return done;
        }
    }

    /**
     * Creates one of the broker's internal topics, here when this node is the active controller, else on the
     * controller (which creates it with its own settings, the same as these); completes once this node has
     * published it.
     */
    public CompletableFuture<Void> ensureTopic(String name, int partitions, short replicationFactor,
            Map<String, String> configs) {
        RemoteController other = remote;
        if (isActive() || other == null) {
            return createTopic(name, partitions, replicationFactor, Map.of(), configs, false).published()
                    .thenApply(image -> null);
        }
        return other.createInternalTopic(name)
                .thenCompose(created -> publishedWhen(image -> image.topic(name) != null)).thenApply(image -> null);
    }

    /** Completes when this node first becomes the active controller. */
    public CompletableFuture<Void> firstActivation() {
        return firstActivation;
    }

    /** Registers (or re-registers with a new address) this node's broker. */
    public synchronized CompletableFuture<Void> registerBroker(int brokerId, String host, int port) {
        MetadataImage.BrokerImage existing = view().brokers().get(brokerId);
        if (existing != null && existing.host().equals(host) && existing.port() == port) {
            return CompletableFuture.completedFuture(null);
        }
        return commit(List.of(new MetadataRecord.BrokerRegistration(brokerId, host, port, null))).thenApply(i -> null);
    }

    /** Registers a broker process (see {@link BrokerLifecycleControl#register}); completes with its broker epoch. */
    public synchronized CompletableFuture<Long> registerBroker(BrokerLifecycleControl.Registration registration) {
        return decide(lifecycle.register(view(), registration));
    }

    /** A broker's heartbeat (see {@link BrokerLifecycleControl#heartbeat}); completes once its changes are committed. */
    public synchronized CompletableFuture<BrokerLifecycleControl.HeartbeatReply> brokerHeartbeat(
            BrokerLifecycleControl.Heartbeat heartbeat) {
        return decide(lifecycle.heartbeat(view(), heartbeat));
    }

    /** Fences the brokers whose session ended (call once per heartbeat interval); completes once committed. */
    public synchronized CompletableFuture<Void> expireBrokerSessions() {
        if (epoch < 0) {
            return CompletableFuture.completedFuture(null); // only the active controller keeps sessions
        }
        List<MetadataRecord> records = lifecycle.expireSessions(view());
        return records.isEmpty() ? CompletableFuture.completedFuture(null) : commit(records).thenApply(i -> null);
    }

    /**
     * The channel through which the broker in this process reaches this controller. It shares the controller's image,
     * so it is caught up as soon as its registration is: registering also unfences it (see {@link
     * BrokerLifecycleControl#registerInProcess}).
     */
    public BrokerLifecycleAgent.ControllerChannel localChannel() {
        return new BrokerLifecycleAgent.ControllerChannel() {
            @Override
            public CompletableFuture<Long> register(BrokerLifecycleControl.Registration registration) {
                try {
                    synchronized (MetadataController.this) {
                        return decide(lifecycle.registerInProcess(view(), registration));
                    }
                } catch (RuntimeException e) {
                    return CompletableFuture.failedFuture(e);
                }
            }

            @Override
            public CompletableFuture<BrokerLifecycleControl.HeartbeatReply> heartbeat(
                    BrokerLifecycleControl.Heartbeat heartbeat) {
                try {
                    return brokerHeartbeat(heartbeat);
                } catch (RuntimeException e) {
                    return CompletableFuture.failedFuture(e);
                }
            }
        };
    }

    private <T> CompletableFuture<T> decide(BrokerLifecycleControl.Decision<T> decision) {
        if (decision.records().isEmpty()) {
            return CompletableFuture.completedFuture(decision.reply());
        }
        return commit(decision.records()).thenApply(image -> decision.reply());
    }

    /**
     * Creates a topic.
     *
     * @param partitions partition count, or -1 for num.partitions
     * @param replicationFactor replication factor, or -1 for default.replication.factor
     * @param assignments explicit replica lists per partition, or empty
     * @param configs topic config overrides
     * @param validateOnly check everything but change nothing
     * @return the topic as it is (or would be) created
     * @throws MetadataException when the topic cannot be created
     */
    public synchronized Committed<MetadataImage.TopicImage> createTopic(String name, int partitions,
            short replicationFactor, Map<Integer, List<Integer>> assignments, Map<String, String> configs,
            boolean validateOnly) {
        TopicNames.validate(name);
        if (name.equals(TopicNames.METADATA_TOPIC)) {
            throw new MetadataException(MetadataException.Kind.INVALID_REQUEST,
                    "Creation of internal topic " + TopicNames.METADATA_TOPIC + " is prohibited.");
        }
        if (view().topic(name) != null) {
            throw new MetadataException(MetadataException.Kind.TOPIC_ALREADY_EXISTS,
                    "Topic '" + name + "' already exists.");
        }
        String collision = TopicNames.collision(name, view().topics().keySet());
        if (collision != null) {
            throw new MetadataException(MetadataException.Kind.INVALID_TOPIC_EXCEPTION,
                    "Topic '" + name + "' collides with existing topic: " + collision);
        }
        validateConfigs(configs);
        // Counted before anything is built: a count of two billion must cost nothing.
        checkChangeSize(1L + (assignments.isEmpty() ? resolvedCount(partitions) : assignments.size())
                + configs.size());
        List<List<Integer>> replicaLists = assign(partitions, replicationFactor, assignments);
        checkCapacity(replicaLists);
        UUID topicId = UUID.randomUUID();
        List<MetadataRecord> records = new ArrayList<>();
        records.add(new MetadataRecord.Topic(name, topicId));
        for (int p = 0; p < replicaLists.size(); p++) {
            records.add(newPartition(topicId, p, replicaLists.get(p), !assignments.isEmpty()));
        }
        configs.forEach((key, value) -> records.add(
                new MetadataRecord.Config(ConfigResource.Type.TOPIC, name, key, value.trim())));
        if (validateOnly) {
            return new Committed<>(MetadataImage.EMPTY.apply(records).topic(name),
                    CompletableFuture.completedFuture(published));
        }
        CompletableFuture<MetadataImage> done = commit(records);
        return new Committed<>(view.topic(name), done);
    }

    private int resolvedCount(int partitions) {
        return partitions == -1 ? settings.defaultPartitions() : Math.max(partitions, 0);
    }

    private static void checkChangeSize(long records) {
        if (records > MAX_RECORDS_PER_CHANGE) {
            throw new MetadataException(MetadataException.Kind.POLICY_VIOLATION, TOO_LARGE_CHANGE);
        }
    }

    /** New partitions this node would host must fit what it can still open. */
    private void checkCapacity(List<List<Integer>> replicaLists) {
        int local = 0;
        for (List<Integer> replicas : replicaLists) {
            if (replicas.contains(settings.brokerId())) {
                local++;
            }
        }
        if (local == 0) {
            return;
        }
        String noDirectory = capacity.storageRefusal();
        if (noDirectory != null) {
            throw new MetadataException(MetadataException.Kind.INVALID_REPLICATION_FACTOR, "Unable to replicate the"
                    + " partition " + (replicaLists.isEmpty() ? 0 : replicaLists.getFirst().size()) + " time(s): "
                    + noDirectory);
        }
        String refusal = capacity.refusal(local);
        if (refusal != null) {
            throw new MetadataException(MetadataException.Kind.POLICY_VIOLATION, refusal);
        }
    }

    private List<List<Integer>> assign(int partitions, short replicationFactor,
            Map<Integer, List<Integer>> assignments) {
        List<List<Integer>> result = new ArrayList<>();
        if (!assignments.isEmpty()) {
            if (partitions != -1 || replicationFactor != -1) {
                throw new MetadataException(MetadataException.Kind.INVALID_REQUEST,
                        "Both numPartitions or replicationFactor and replicasAssignments were set. "
                                + "Both cannot be used at the same time.");
            }
            for (int p = 0; p < assignments.size(); p++) {
                List<Integer> replicas = assignments.get(p);
                if (replicas == null) {
                    throw new MetadataException(MetadataException.Kind.INVALID_REPLICA_ASSIGNMENT,
                            "Partitions must be numbered 0.." + (assignments.size() - 1) + " without gaps");
                }
                result.add(checkReplicas(replicas));
            }
            return result;
        }
        int count = partitions == -1 ? settings.defaultPartitions() : partitions;
        int rf = replicationFactor == -1 ? settings.defaultReplicationFactor() : replicationFactor;
        if (count <= 0) {
            throw new MetadataException(MetadataException.Kind.INVALID_PARTITIONS,
                    "Number of partitions was set to an invalid non-positive value.");
        }
        if (rf <= 0) {
            throw new MetadataException(MetadataException.Kind.INVALID_REPLICATION_FACTOR,
                    "Replication factor must be larger than 0, or -1 to use the default value.");
        }
        return place(0, count, rf);
    }

    /** Replica lists for new partitions, spread over the active brokers (see {@link ReplicaPlacer}). */
    private List<List<Integer>> place(int firstPartition, int count, int rf) {
        List<Integer> active = new ArrayList<>();
        List<Integer> inactive = new ArrayList<>();
        view().brokers().values().forEach(b -> (b.active() ? active : inactive).add(b.brokerId()));
        return placer.place(firstPartition, count, rf, active, inactive);
    }

    /**
     * A new partition: its ISR is its active replicas, the first of them leads. None active is refused as Kafka does
     * (the placer never leaves a partition without an active replica).
     */
    private MetadataRecord.Partition newPartition(UUID topicId, int partition, List<Integer> replicas,
            boolean manual) {
        List<Integer> isr = replicas.stream().filter(id -> {
            MetadataImage.BrokerImage broker = view().brokers().get(id);
            return broker != null && broker.active();
        }).toList();
        if (isr.isEmpty()) {
            throw manual
                    ? new MetadataException(MetadataException.Kind.INVALID_REPLICA_ASSIGNMENT, "All brokers specified"
                            + " in the manual partition assignment for partition " + partition + " are fenced or in"
                            + " controlled shutdown.")
                    : new MetadataException(MetadataException.Kind.INVALID_REPLICATION_FACTOR, "Unable to replicate"
                            + " the partition " + replicas.size() + " time(s): All brokers are currently fenced or in"
                            + " controlled shutdown.");
        }
        return new MetadataRecord.Partition(topicId, partition, replicas, isr, isr.getFirst(), 0);
    }

    private List<Integer> checkReplicas(List<Integer> replicas) {
        if (replicas.isEmpty()) {
            throw new MetadataException(MetadataException.Kind.INVALID_REPLICA_ASSIGNMENT,
                    "The manual partition assignment includes an empty replica list.");
        }
        if (replicas.stream().distinct().count() != replicas.size()) {
            throw new MetadataException(MetadataException.Kind.INVALID_REPLICA_ASSIGNMENT,
                    "The manual partition assignment includes a duplicate replica: " + replicas);
        }
        for (int broker : replicas) {
            if (!view().brokers().containsKey(broker)) {
                throw new MetadataException(MetadataException.Kind.INVALID_REPLICA_ASSIGNMENT,
                        "The manual partition assignment includes broker " + broker + ", but no such broker is"
                                + " registered.");
            }
        }
        return List.copyOf(replicas);
    }

    /**
     * Hands out a block of producer ids that no other allocation, before or after a restart, will ever repeat.
     *
     * @return the first id of the block
     */
    public synchronized long allocateProducerIds(int blockSize) {
        long start = view().nextProducerIdBlock();
        commit(List.of(new MetadataRecord.ProducerIds(start + blockSize)));
        return start;
    }

    /**
     * Hands out a block of producer ids, as {@link #allocateProducerIds}, completing once the block is committed (only
     * then is it safe to use: an uncommitted block could be handed out again by the next controller).
     */
    public synchronized CompletableFuture<Long> allocateProducerIdBlock(int blockSize) {
        long start = view().nextProducerIdBlock();
        return commit(List.of(new MetadataRecord.ProducerIds(start + blockSize))).thenApply(image -> start);
    }

    /**
     * Sets and deletes SCRAM credentials ({@link MetadataRecord.UserScramCredential} and
     * {@link MetadataRecord.RemoveUserScramCredential} records, validated by the caller) as one change.
     */
    public synchronized CompletableFuture<Void> changeScramCredentials(List<MetadataRecord> changes) {
        for (MetadataRecord record : changes) {
            if (!(record instanceof MetadataRecord.UserScramCredential
                    || record instanceof MetadataRecord.RemoveUserScramCredential)) {
                throw new IllegalArgumentException("not a SCRAM credential change: " + record);
            }
        }
        checkChangeSize(changes.size());
        return changes.isEmpty() ? CompletableFuture.completedFuture(null) : commit(changes).thenApply(i -> null);
    }

    /** Creates and deletes ACLs ({@link MetadataRecord.AccessControlEntry} and its removal, validated by the caller). */
    public synchronized CompletableFuture<Void> changeAcls(List<MetadataRecord> changes) {
        for (MetadataRecord record : changes) {
            if (!(record instanceof MetadataRecord.AccessControlEntry
                    || record instanceof MetadataRecord.RemoveAccessControlEntry)) {
                throw new IllegalArgumentException("not an ACL change: " + record);
            }
        }
        checkChangeSize(changes.size());
        return changes.isEmpty() ? CompletableFuture.completedFuture(null) : commit(changes).thenApply(i -> null);
    }

    /** Deletes a topic with all its partitions and configs; the future completes once its logs are gone. */
    public synchronized CompletableFuture<Void> deleteTopic(UUID topicId) {
        if (view().topic(topicId) == null) {
            throw new MetadataException(MetadataException.Kind.UNKNOWN_TOPIC_ID, "Topic id " + topicId
                    + " does not exist.");
        }
        return commit(List.of(new MetadataRecord.RemoveTopic(topicId))).thenApply(i -> null);
    }

    /** Grows a topic to {@code totalCount} partitions; the future completes once they are published. */
    public synchronized CompletableFuture<Void> createPartitions(String topicName, int totalCount,
            List<List<Integer>> assignments, boolean validateOnly) {
        MetadataImage.TopicImage topic = view().topic(topicName);
        if (topic == null) {
            throw new MetadataException(MetadataException.Kind.UNKNOWN_TOPIC_OR_PARTITION,
                    "This server does not host this topic-partition.");
        }
        int current = topic.partitions().size();
        if (totalCount < current) {
            throw new MetadataException(MetadataException.Kind.INVALID_PARTITIONS,
                    "The topic " + topicName + " currently has " + current + " partition(s); " + totalCount
                            + " would not be an increase.");
        }
        if (totalCount == current) {
            throw new MetadataException(MetadataException.Kind.INVALID_PARTITIONS,
                    "Topic already has " + current + " partition(s).");
        }
        int added = totalCount - current;
        checkChangeSize(added);
        if (assignments != null && assignments.size() != added) {
            throw new MetadataException(MetadataException.Kind.INVALID_REPLICA_ASSIGNMENT,
                    "Attempted to add " + added + " additional partition(s), but only " + assignments.size()
                            + " assignment(s) were specified.");
        }
        int rf = topic.partitions().get(0).replicas().size();
        List<MetadataRecord> records = new ArrayList<>();
        List<List<Integer>> placed = assignments != null ? null : place(current, added, rf);
        List<List<Integer>> replicaLists = new ArrayList<>(added);
        for (int i = 0; i < added; i++) {
            List<Integer> replicas;
            if (assignments != null) {
                replicas = checkReplicas(assignments.get(i));
                if (replicas.size() != rf) {
                    throw new MetadataException(MetadataException.Kind.INVALID_REPLICA_ASSIGNMENT,
                            "The manual partition assignment includes a partition with " + replicas.size()
                                    + " replica(s), but this is not consistent with previous partitions, which have "
                                    + rf + " replica(s).");
                }
            } else {
                replicas = placed.get(i);
            }
            replicaLists.add(replicas);
            records.add(newPartition(topic.topicId(), current + i, replicas, assignments != null));
        }
        checkCapacity(replicaLists);
        return validateOnly ? CompletableFuture.completedFuture(null) : commit(records).thenApply(i -> null);
    }

    /**
     * Changes configs of a resource.
     *
     * @param changes name → new value, or name → null to remove the override
     */
    public synchronized CompletableFuture<Void> alterConfigs(ConfigResource resource, Map<String, String> changes,
            boolean validateOnly) {
        if (resource.type() == ConfigResource.Type.TOPIC && view().topic(resource.name()) == null) {
            throw new MetadataException(MetadataException.Kind.UNKNOWN_TOPIC_OR_PARTITION,
                    "Topic " + resource.name() + " does not exist.");
        }
        if (resource.type() == ConfigResource.Type.TOPIC) {
            Map<String, String> sets = new java.util.HashMap<>();
            changes.forEach((k, v) -> {
                if (v != null) {
                    sets.put(k, v);
                } else if (TopicConfigs.key(k) == null) {
                    throw new MetadataException(MetadataException.Kind.INVALID_CONFIG, "Unknown topic config name: "
                            + k);
                }
            });
            validateConfigs(sets);
        } else {
            throw new MetadataException(MetadataException.Kind.INVALID_REQUEST,
                    "Dynamic broker configs are not supported yet; set them in the broker's properties file.");
        }
        List<MetadataRecord> records = new ArrayList<>();
        changes.forEach((key, value) -> records.add(new MetadataRecord.Config(resource.type(), resource.name(), key,
                value == null ? null : value.trim())));
        checkChangeSize(records.size());
        if (validateOnly || records.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return commit(records).thenApply(i -> null);
    }

    /** Replaces every override of a resource with {@code configs} (the legacy AlterConfigs semantics). */
    public synchronized CompletableFuture<Void> replaceConfigs(ConfigResource resource, Map<String, String> configs,
            boolean validateOnly) {
        Map<String, String> changes = new java.util.HashMap<>();
        view().configs(resource).keySet().forEach(k -> changes.put(k, null));
        changes.putAll(configs);
        return alterConfigs(resource, changes, validateOnly);
    }

    private static void validateConfigs(Map<String, String> configs) {
        for (Map.Entry<String, String> entry : configs.entrySet()) {
            if (entry.getValue() == null) {
                throw new MetadataException(MetadataException.Kind.INVALID_CONFIG,
                        "Null value not supported for topic configs: " + entry.getKey());
            }
            String error = TopicConfigs.validate(entry.getKey(), entry.getValue());
            if (error != null) {
                throw new MetadataException(MetadataException.Kind.INVALID_CONFIG, error);
            }
        }
    }

    /**
     * Appends records and applies them to the controller's view under the lock, so the next change is validated
     * against them; the future completes once this node has published them (they are committed then).
     */
    private CompletableFuture<MetadataImage> commit(List<MetadataRecord> records) {
        MetadataImage before = view();
        view = before.apply(records);
        inFlight++;
        long myEpoch = epoch;
        return log.append(records).handle((offset, error) -> {
            synchronized (this) {
                if (epoch == myEpoch) {
                    inFlight--;
                    if (error != null) {
                        viewStale = true;
                    }
                }
            }
            if (error != null) {
                Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                throw new java.util.concurrent.CompletionException(cause instanceof MetadataException
                        ? cause : notCommitted());
            }
            return offset;
        }).thenCompose(this::publishedAt);
    }

    private MetadataException notCommitted() {
        return new MetadataException(MetadataException.Kind.NOT_CONTROLLER, "The metadata change was not committed:"
                + " node " + settings.brokerId() + " lost the controller role or the quorum; retry.");
    }

    private void publish(MetadataImage next, long offset) {
        for (Consumer<MetadataImage> listener : listeners) {
            try {
                listener.accept(next);
            } catch (RuntimeException e) {
                // The change is committed whatever a listener does; the others and later images must still be seen.
                LOG.error("A metadata listener failed on a new image", e);
            }
        }
        List<CompletableFuture<MetadataImage>> done = new ArrayList<>();
        synchronized (waiting) {
            published = next;
            publishedOffset = offset;
            var upTo = waiting.headMap(offset, true);
            upTo.values().forEach(done::addAll);
            upTo.clear();
            for (var it = conditions.iterator(); it.hasNext(); ) {
                var condition = it.next();
                if (condition.getKey().test(next)) {
                    done.add(condition.getValue());
                    it.remove();
                }
            }
        }
        done.forEach(f -> f.complete(next));
    }

    /** Stops publishing; images committed but not yet published are dropped (the log has them). */
    @Override
    public void close() {
        log.close();
        publisher.shutdown();
        try {
            if (!publisher.awaitTermination(30, TimeUnit.SECONDS)) {
                publisher.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "MetadataController(broker " + settings.brokerId() + ", "
                + Objects.requireNonNull(published).topics().size() + " topics)";
    }
}
