package io.samsa.server;

import io.samsa.api.ApiDispatcher;
import io.samsa.api.Apis;
import io.samsa.api.BrokerConfigs;
import io.samsa.api.BrokerIdentity;
import io.samsa.api.ClusterHandlers;
import io.samsa.api.ClusterView;
import io.samsa.cluster.ControllerChannels;
import io.samsa.cluster.ControllerForwarder;
import io.samsa.cluster.PeerClient;
import io.samsa.api.FetchSessionCache;
import io.samsa.api.InternalTopic;
import io.samsa.api.KafkaBatchCompression;
import io.samsa.api.ProducerIdBlocks;
import io.samsa.api.RequestMetrics;
import io.samsa.coordinator.group.GroupCoordinator;
import io.samsa.coordinator.transaction.TransactionCoordinator;
import io.samsa.log.LogDir;
import io.samsa.log.LogDirNames;
import io.samsa.log.LogManager;
import io.samsa.log.TopicPartition;
import io.samsa.metadata.ConfigResource;
import io.samsa.metadata.quorum.RatisMetadataLog;
import io.samsa.metadata.MetadataController;
import io.samsa.metadata.MetadataImage;
import io.samsa.metadata.MetadataRecord;
import io.samsa.metadata.controller.BrokerLifecycleControl;
import io.samsa.metadata.TopicDefaults;
import io.samsa.metrics.BrokerMetrics;
import io.samsa.metrics.IdleRatio;
import io.samsa.metrics.HttpEndpoint;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.samsa.network.KafkaServer;
import io.samsa.replication.ReplicaManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node broker: wires storage, metadata, replication, the API handlers and the network together.
 *
 * <p>Lifecycle: {@link #start} builds and starts everything or fails with nothing left running; {@link #close} stops
 * in reverse order (network first, so no request is served by a half-stopped broker) and leaves the logs cleanly shut
 * down. Thread-safe.
 */
public final class Broker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Broker.class);
    static final String METADATA_DIR = LogDirNames.METADATA_TOPIC + "-0";

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private Map<String, InetSocketAddress> boundAddresses = Map.of();
    /** Where /metrics, /health and /ready are served, or null when the HTTP listener is off. */
    private InetSocketAddress httpAddress;
    /** What the HTTP listener serves once the broker is wired (until then /ready answers 503 "starting"). */
    private final AtomicReference<BrokerMetrics> metrics = new AtomicReference<>();
    private BrokerIdentity identity;
    private MetadataController metadata;
    private RatisMetadataLog quorum;
    private boolean closed;

    private Broker() {}

    /** Starts a broker with this configuration. */
    public static Broker start(BrokerConfig config) {
        return start(config, System::currentTimeMillis);
    }

    /**
     * Starts a broker whose metrics read the time from {@code metricsClockMs} (tests step it to check consumer lag in
     * seconds exactly); everything else uses the system clock.
     */
    public static Broker start(BrokerConfig config, LongSupplier metricsClockMs) {
        Broker broker = new Broker();
        try {
            broker.startComponents(config, metricsClockMs);
            return broker;
        } catch (RuntimeException e) {
            broker.close();
            // A failure on the bind thread arrives wrapped; the caller wants the failure itself.
            throw e instanceof java.util.concurrent.CompletionException && e.getCause() instanceof RuntimeException re
                    ? re : e;
        }
    }

    private void startComponents(BrokerConfig config, LongSupplier metricsClockMs) {
        // Bind first, on its own thread: Netty's start overlaps with opening storage and metadata, and a client that
        // connects early simply waits for the dispatcher.
        RequestThreadPool requestThreads = new RequestThreadPool(config.getInt("num.io.threads"),
                daemonThreads("samsa-request"), System::nanoTime);
        closeables.add(() -> shutdown(requestThreads));
        DeferredFrameHandler frames = new DeferredFrameHandler();
        closeables.add(frames::fail);
        KafkaServer server = new KafkaServer(new KafkaServer.Settings(ListenerEndpoints.of(config),
                config.getInt("num.network.threads"), config.getInt("socket.request.max.bytes"),
                config.getLong("connections.max.idle.ms"), config.getInt("sasl.server.max.receive.size")), frames,
                requestThreads);
        closeables.add(server);
        CompletableFuture<Map<String, InetSocketAddress>> binding = CompletableFuture.supplyAsync(server::start,
                runnable -> Thread.ofPlatform().daemon().name("samsa-bind").start(runnable));
        CompletableFuture<InetSocketAddress> httpBinding = startHttp(config,
                config.listeners().getFirst().host());

        Path dataDir = config.dataDir().toAbsolutePath();
        createDataDir(dataDir);
        ClusterConfig cluster = ClusterConfig.of(config);
        MetaProperties meta = MetaProperties.loadOrCreate(dataDir, config.nodeId(), cluster.clusterId());

        Path metadataDir = dataDir.resolve(METADATA_DIR);
        RatisMetadataLog metadataLog = new RatisMetadataLog(new RatisMetadataLog.Settings(config.nodeId(),
                cluster.voters(), metadataDir, ClusterConfig.groupId(meta.clusterId()),
                config.getLong("samsa.metadata.snapshot.entries"), config.getInt("samsa.metadata.segment.bytes"),
                Duration.ofMillis(config.getInt("samsa.metadata.election.timeout.ms")),
                Duration.ofMillis(config.getInt("samsa.metadata.append.timeout.ms")),
                () -> MetadataMigration.legacyImage(metadataDir)));
        quorum = metadataLog;
        AtomicReference<LogManager> logsOpened = new AtomicReference<>();
        MetadataController controller = metadata = new MetadataController(metadataLog, new MetadataController.Settings(
                config.nodeId(), config.getInt("num.partitions"), (short) config.getInt("default.replication.factor")),
                new HostingCapacity(OpenFileBudget.ofThisProcess(), logsOpened::get), new BrokerLifecycleControl(
                        new BrokerLifecycleControl.Settings(config.getInt("broker.session.timeout.ms"),
                                config.getInt("broker.heartbeat.interval.ms"), Boolean.parseBoolean(
                                        config.topicDefaultSettings().get("unclean.leader.election.enable"))),
                        () -> System.nanoTime() / 1_000_000), RandomGenerator.getDefault());
        // For a start that fails before the logs open; registered again below so that it closes before them.
        closeables.add(controller);
        awaitMetadata(controller, metadataLog, cluster);
        MetadataMigration.retireLegacyLog(metadataDir);

        TopicDefaults topicDefaults = TopicDefaults.fromBrokerSettings(config.topicDefaultSettings());
        MetadataImage image = controller.image();
        List<Path> dataDirs = config.dataDirs().stream().map(Path::toAbsolutePath).toList();
        LogManager logs = LogManager.open(dataDirs, new LogDir.Threshold(config.getLong("samsa.log.dir.min.free.bytes"),
                config.getDouble("samsa.log.dir.min.free.ratio")), System::currentTimeMillis,
                tp -> topicDefaults.logConfig(image.configs(new ConfigResource(ConfigResource.Type.TOPIC, tp.topic()))),
                new KafkaBatchCompression());
        closeables.add(logs);
        logsOpened.set(logs);
        // Stopped before the logs are closed: the publisher creates and deletes logs.
        closeables.add(controller);

        ScheduledExecutorService scheduler = new ScheduledThreadPoolExecutor(1, daemonThreads("samsa-scheduler"));
        ((ScheduledThreadPoolExecutor) scheduler).setRemoveOnCancelPolicy(true);
        closeables.add(() -> shutdown(scheduler));
        ReplicaManager replicas = new ReplicaManager(config.nodeId(), logs, scheduler, tp -> {
            MetadataImage.TopicImage topic = controller.image().topic(tp.topic());
            return topic != null && topic.partitions().containsKey(tp.partition());
        });
        MetadataPublisher publisher = new MetadataPublisher(config.nodeId(), replicas, topicDefaults);
        controller.addListener(publisher);
        controller.published().join();
        if (!cluster.isCluster()) {
            // One node's image is complete here; a cluster node's may still be catching up, so nothing is moved.
            setAsideStrayLogs(logs, replicas);
        }
        logs.startBackgroundTasks(config.getLong("log.retention.check.interval.ms"));
        logs.startCleaner(config.cleanerConfig());

        int offsetsPartitions = config.getInt("offsets.topic.num.partitions");
        InternalTopic offsetsTopic = InternalTopic.consumerOffsets(controller, replicas, offsetsPartitions,
                config.getInt("offsets.topic.segment.bytes"));
        GroupCoordinator groups = new GroupCoordinator(new GroupCoordinator.Settings(offsetsPartitions,
                config.getInt("group.min.session.timeout.ms"), config.getInt("group.max.session.timeout.ms"),
                config.getInt("group.initial.rebalance.delay.ms"), config.getInt("group.max.size"),
                config.getInt("offset.metadata.max.bytes"),
                TimeUnit.MINUTES.toMillis(config.getInt("offsets.retention.minutes")),
                new GroupCoordinator.ConsumerProtocol(
                        config.getInt("group.consumer.session.timeout.ms"),
                        config.getInt("group.consumer.heartbeat.interval.ms"), config.getInt("group.consumer.max.size"),
                        BrokerConfig.assignorList(config.get("group.consumer.assignors")))),
                offsetsTopic, scheduler, () -> partitionCounts(controller), System::currentTimeMillis);
        groups.load();
        groups.scheduleOffsetExpiry(config.getLong("offsets.retention.check.interval.ms"));

        PeerClient peerClient = new PeerClient(config.nodeId(), cluster.peers(),
                Duration.ofMillis(config.getInt("samsa.metadata.append.timeout.ms") + 5_000L));
        closeables.add(peerClient);
        ControllerForwarder forwarder = new ControllerForwarder(config.nodeId(), controller, metadataLog::leaderId,
                peerClient);
        if (cluster.isCluster()) {
            controller.remote(forwarder);
        }
        ProducerIdBlocks producerIds = new ProducerIdBlocks(size -> {
            try {
                return controller.isActive() ? controller.allocateProducerIdBlock(size)
                        : forwarder.allocateProducerIds();
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        });
        CompletableFuture<Long> firstProducerIds = producerIds.prefetch();
        int transactionPartitions = config.getInt("transaction.state.log.num.partitions");
        InternalTopic transactionStateTopic = InternalTopic.transactionState(controller, replicas,
                transactionPartitions);
        TransactionCoordinator transactions = new TransactionCoordinator(new TransactionCoordinator.Settings(
                transactionPartitions, config.getInt("transaction.max.timeout.ms"),
                config.getLong("transaction.abort.timed.out.transaction.cleanup.interval.ms"),
                config.getLong("transactional.id.expiration.ms"),
                config.getLong("transaction.remove.expired.transaction.cleanup.interval.ms")), transactionStateTopic,
                Apis.markerWriter(replicas, groups), producerIds::nextProducerId, scheduler,
                System::currentTimeMillis);
        transactions.load();
        transactions.start();

        boundAddresses = binding.join();
        httpAddress = httpBinding.join();
        Map<String, BrokerIdentity.Endpoint> endpoints = new LinkedHashMap<>();
        for (Listeners.Listener l : config.listeners()) {
            endpoints.put(l.name(), new BrokerIdentity.Endpoint(l.advertisedHost(),
                    l.advertisedPort() != 0 ? l.advertisedPort() : boundAddresses.get(l.name()).getPort()));
        }
        // The metadata log records one address per broker: the inter-broker listener's, else the first listener's.
        String registered = config.interBrokerListener();
        BrokerIdentity.Endpoint first = endpoints.getOrDefault(registered, endpoints.values().iterator().next());
        identity = new BrokerIdentity(config.nodeId(), meta.clusterId(), first.host(), first.port(), endpoints);
        String main = endpoints.containsKey(registered) ? registered : endpoints.keySet().iterator().next();
        List<MetadataRecord.BrokerEndpoint> advertised = new ArrayList<>();
        advertised.add(new MetadataRecord.BrokerEndpoint(main, first.host(), first.port()));
        endpoints.forEach((name, e) -> {
            if (!name.equals(main)) {
                advertised.add(new MetadataRecord.BrokerEndpoint(name, e.host(), e.port()));
            }
        });
        // One node waits until it is unfenced (it is its own controller: milliseconds); a cluster node registers in
        // the background through the forwarder, since the quorum may have no leader yet.
        BrokerLifecycle lifecycle = BrokerLifecycle.start(controller, cluster.isCluster()
                ? ControllerChannels.forwarding(controller, forwarder, meta.clusterId(), metadataLog::logEnd)
                : controller.localChannel(), config.nodeId(), advertised, null,
                config.getInt("broker.heartbeat.interval.ms"), !cluster.isCluster());
        // Closed before the controller and logs; the controlled shutdown itself is registered last, below.
        closeables.add(lifecycle::stop);
        if (!cluster.isCluster()) {
            firstProducerIds.join();
        }
        ApiDispatcher dispatcher = Apis.dispatcher(new Apis.Services(identity, new ClusterView(identity, controller,
                ClusterView.BrokerLiveness.UNFENCED, controller::activeControllerId), controller, replicas,
                topicDefaults,
                new BrokerConfigs(config.values(), config.explicit().keySet(),
                        SecurityKeys.sensitive(config.values().keySet())),
                config.getBoolean("auto.create.topics.enable"), groups, offsetsTopic, producerIds, transactions,
                transactionStateTopic, config.getBoolean("transaction.partition.verification.enable"),
                new FetchSessionCache(config.getInt("max.incremental.fetch.session.cache.slots"),
                        System::currentTimeMillis), ListenerEndpoints.security(config)),
                new ClusterHandlers(controller, metadataLog::quorum, metadataLog::restartIfLogLost,
                        System::currentTimeMillis));
        if (cluster.isCluster()) {
            dispatcher.forwardTo(forwarder);
        }
        if (httpAddress != null) {
            BrokerMetrics brokerMetrics = new BrokerMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                    new BrokerMetrics.Sources(config.nodeId(), controller, replicas, groups, transactions,
                            logs.logDirs(), metricsClockMs));
            brokerMetrics.threads(new IdleRatio(config.getInt("num.io.threads"), requestThreads::busyNanos,
                    System::nanoTime), new IdleRatio(server.networkThreads(),
                    () -> BrokerMetrics.cpuNanos(server.networkThreadIds()), System::nanoTime));
            closeables.add(brokerMetrics);
            RequestMetrics requestMetrics = new RequestMetrics(brokerMetrics.registry(), controller);
            brokerMetrics.beforeScrape(() -> requestMetrics.removeTopicsOtherThan(
                    controller.image().topics().keySet()));
            dispatcher.observe(requestMetrics);
            metrics.set(brokerMetrics);
        }
        frames.set(dispatcher);
        // Closed first (closeables run in reverse): no request may reach a coordinator whose scheduler or log is
        // already stopped. The entries registered at the top stay, for a start that fails before this line.
        closeables.add(() -> {
            server.close();
            shutdown(requestThreads);
        });
        // Before the listeners close: leaderships move to other brokers while this one still answers clients.
        closeables.add(lifecycle);
        if (metrics.get() != null) {
            // Closed before anything else: /ready turns 503 before anything stops.
            closeables.add(() -> metrics.get().notReady("stopping"));
            metrics.get().ready();
        }
        Warmup.inBackground(dispatcher);
        // Main prints the one start-up line on stdout; this is for logs collected elsewhere.
        LOG.debug("Samsa broker {} (cluster {}) listening on {} with data in {}", config.nodeId(),
                meta.clusterId(), boundAddresses, dataDir);
    }

    /**
     * Binds the HTTP listener on its own thread (it overlaps with opening storage, like the Kafka listener), unless
     * {@code samsa.http.port} is -1. The default port only warns when it is taken (another broker on this machine
     * has it); a port set by the operator must be bound or the start fails.
     *
     * @return the bound address, or null when the listener is off
     */
    private CompletableFuture<InetSocketAddress> startHttp(BrokerConfig config, String host) {
        int port = config.getInt("samsa.http.port");
        if (port < 0) {
            return CompletableFuture.completedFuture(null);
        }
        HttpEndpoint http = new HttpEndpoint(new HttpEndpoint.Settings(host, port, 10_000, 64), metrics::get);
        closeables.add(http);
        boolean explicit = config.explicit().containsKey("samsa.http.port");
        return CompletableFuture.supplyAsync(() -> {
            try {
                return http.start();
            } catch (IllegalStateException e) {
                if (explicit) {
                    throw e;
                }
                LOG.warn("Metrics and health checks are off: {}. Set samsa.http.port (--http-port) to another port.",
                        e.getMessage());
                return null;
            }
        }, runnable -> Thread.ofPlatform().daemon().name("samsa-http-bind").start(runnable));
    }

    /** Every topic's partition count, for the consumer group protocol's assignors. */
    private static Map<String, Integer> partitionCounts(MetadataController controller) {
        Map<String, Integer> counts = new java.util.HashMap<>();
        controller.image().topics().forEach((name, topic) -> counts.put(name, topic.partitions().size()));
        return counts;
    }

    /**
     * Logs left on disk for partitions the metadata no longer has (a crash during a topic deletion, or a metadata log
     * that lost records) are set aside, not deleted: a start never destroys data, and never fails because of it.
     */
    private static void setAsideStrayLogs(LogManager logs, ReplicaManager replicas) {
        for (TopicPartition tp : List.copyOf(logs.all().keySet())) {
            if (replicas.partition(tp) == null) {
                try {
                    logs.setAside(tp);
                } catch (RuntimeException e) {
                    LOG.error("Cannot set the stray log of {} aside; it stays where it is: {}", tp, e.toString());
                }
            }
        }
    }

    /**
     * Waits until this node's image holds what its own log knows committed: one node waits until it leads (its
     * whole log applied); a cluster node waits for its local replay, but not for the other nodes, so a node
     * started while its peers are down still starts and answers with retriable errors.
     */
    private static void awaitMetadata(MetadataController controller, RatisMetadataLog log, ClusterConfig cluster) {
        try {
            if (cluster.isCluster()) {
                controller.publishedAt(log.lastCommittedAtStart()).get(30, TimeUnit.SECONDS);
            } else {
                controller.firstActivation().get(30, TimeUnit.SECONDS);
                controller.published().get(30, TimeUnit.SECONDS);
            }
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the metadata log did not load within 30 s (" + cluster + ")");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("the metadata log failed to load: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while loading the metadata log");
        }
    }

    private static void createDataDir(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data directory " + dataDir + " (log.dirs): "
                    + e.getMessage(), e);
        }
        if (!Files.isWritable(dataDir)) {
            throw new ConfigException("The data directory " + dataDir + " (log.dirs) is not writable");
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private static void shutdown(ExecutorService executor) throws InterruptedException {
        executor.shutdownNow();
        executor.awaitTermination(5, TimeUnit.SECONDS);
    }

    /** The address the first listener is bound to. */
    public InetSocketAddress address() {
        return boundAddresses.values().iterator().next();
    }

    /** The address of /metrics, /health and /ready, or null when the HTTP listener is off. */
    public InetSocketAddress httpAddress() {
        return httpAddress;
    }

    /** The addresses every listener is bound to, by listener name, in the order of {@code listeners}. */
    public Map<String, InetSocketAddress> addresses() {
        return boundAddresses;
    }

    /** {@code host:port} of the first listener for a client's bootstrap.servers. */
    public String bootstrapServers() {
        return identity.host() + ":" + identity.port();
    }

    /** {@code host:port} of the listener {@code listenerName} (upper case) for a client's bootstrap.servers. */
    public String bootstrapServers(String listenerName) {
        BrokerIdentity.Endpoint endpoint = identity.endpoints().get(listenerName);
        if (endpoint == null) {
            throw new IllegalArgumentException("no listener " + listenerName + " in " + identity.endpoints().keySet());
        }
        return endpoint.host() + ":" + endpoint.port();
    }

    /** Completes once every metadata change committed so far is published (its partitions hosted or deleted). */
    public CompletableFuture<Void> metadataPublished() {
        return metadata.published();
    }

    /**
     * Appends metadata records as they are and completes once they are published: tests build cluster states with it
     * (another broker registered, a partition that another broker leads).
     */
    public CompletableFuture<MetadataImage> appendMetadata(List<io.samsa.metadata.MetadataRecord> records) {
        return metadata.appendAsController(records);
    }

    public String clusterId() {
        return identity.clusterId();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        // Reverse start order, which stops the network and request threads first, then the scheduler, then logs and
        // metadata.
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception e) {
                LOG.warn("Error while shutting down: {}", e.toString());
            }
        }
        LOG.info("Samsa broker stopped");
    }
}
