package io.samsa.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.samsa.coordinator.group.GroupCoordinator;
import io.samsa.coordinator.group.GroupState;
import io.samsa.coordinator.transaction.TransactionCoordinator;
import io.samsa.log.LogDir;
import io.samsa.log.TopicPartition;
import io.samsa.metadata.MetadataController;
import io.samsa.metadata.MetadataImage;
import io.samsa.replication.Partition;
import io.samsa.replication.ReplicaManager;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;

/**
 * The broker's gauges, read when Prometheus scrapes: partitions and leadership, the controller, log sizes and offsets,
 * consumer groups and their lag, log-directory space, waiting requests, and the JVM. Request counters live with the
 * request path ({@code io.samsa.api.RequestMetrics}) and register in the same registry.
 *
 * <p>Names are those the Prometheus JMX exporter gives Kafka's own metrics in its common configurations, and for
 * groups those of kafka_exporter and kafka-lag-exporter, so that existing dashboards and alerts work; the full list
 * with meanings is {@code docs/metrics.md}.
 *
 * <p>Per-partition and per-group series are {@link MultiGauge}s whose rows are rebuilt at each scrape, so a deleted
 * topic or group disappears from the next scrape. {@link #scrape} is called by one thread at a time (the metrics
 * thread); the rows it reads are snapshots (the metadata image is immutable, committed offsets are copied).
 */
public final class BrokerMetrics implements HttpEndpoint.Source, AutoCloseable {

    /** What the gauges read. */
    public record Sources(int nodeId, MetadataController metadata, ReplicaManager replicas, GroupCoordinator groups,
            TransactionCoordinator transactions, List<LogDir> logDirs, LongSupplier clock) {}

    private final PrometheusMeterRegistry registry;
    private final Sources sources;
    private final List<Runnable> beforeScrape = new ArrayList<>();
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private volatile String notReadyReason = "starting";

    private final MultiGauge logSize;
    private final MultiGauge logEndOffset;
    private final MultiGauge logStartOffset;
    private final MultiGauge segments;
    private final MultiGauge partitionCurrentOffset;
    private final MultiGauge partitionOldestOffset;
    private final MultiGauge topicPartitions;
    private final MultiGauge groupCurrentOffset;
    private final MultiGauge groupLag;
    private final MultiGauge groupLagSeconds;
    private final MultiGauge groupLagSum;
    private final MultiGauge groupMaxLagSeconds;
    private final MultiGauge groupCount;
    private final MultiGauge classicGroupCount;
    private final MultiGauge consumerGroupCount;

    /** Registers every gauge; call {@link #ready()} once the broker serves clients. */
    public BrokerMetrics(PrometheusMeterRegistry registry, Sources sources) {
        this.registry = registry;
        this.sources = sources;
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);

        gauge("kafka.server.replicamanager.underreplicatedpartitions",
                "Partitions led here whose ISR is smaller than their replica set", m -> m.partitionCounts()[0]);
        gauge("kafka.server.replicamanager.partitioncount", "Partitions hosted on this broker",
                m -> m.sources.replicas().partitions().size());
        gauge("kafka.server.replicamanager.leadercount", "Partitions this broker leads", m -> m.partitionCounts()[1]);
        gauge("kafka.server.replicamanager.underminisrpartitioncount",
                "Partitions led here whose ISR is below min.insync.replicas", m -> 0);
        // ISR changes need a second replica; the counters exist (at 0) so dashboards and alerts find them.
        Counter.builder("kafka.server.replicamanager.isrshrinks").description("Times an ISR shrank")
                .register(registry);
        Counter.builder("kafka.server.replicamanager.isrexpands").description("Times an ISR grew").register(registry);
        gauge("kafka.controller.kafkacontroller.activecontrollercount",
                "1 when this node is the active controller", m -> m.sources.metadata().isActive() ? 1 : 0);
        gauge("samsa.metadata.applied.offset", "Offset of the last metadata change this node has applied",
                m -> m.sources.metadata().appliedOffset());
        gauge("kafka.controller.kafkacontroller.offlinepartitionscount",
                "Partitions without a leader that serves them", m -> m.partitionCounts()[2]);
        gauge("kafka.controller.kafkacontroller.globaltopiccount", "Topics in the cluster",
                m -> m.sources.metadata().image().topics().size());
        gauge("kafka.controller.kafkacontroller.globalpartitioncount", "Partitions in the cluster",
                m -> m.sources.metadata().image().topics().values().stream()
                        .mapToInt(t -> t.partitions().size()).sum());
        gauge("kafka.server.delayedoperationpurgatory.purgatorysize", Tags.of("delayedoperation", "Fetch"),
                "Fetches waiting for data (once per partition waited on)",
                m -> m.sources.replicas().waitingFetchCount());
        gauge("kafka.server.delayedoperationpurgatory.purgatorysize", Tags.of("delayedoperation", "Produce"),
                "acks=all produce requests waiting for followers (none on a single node)", m -> 0);
        for (LogDir logDir : sources.logDirs()) {
            Tags dir = Tags.of("dir", logDir.path().toString());
            gauge("samsa.log.dir.free.bytes", dir, "Bytes free for Samsa in the log directory's file system",
                    m -> fileStore(logDir, FileStore::getUsableSpace));
            gauge("samsa.log.dir.total.bytes", dir, "Size of the log directory's file system",
                    m -> fileStore(logDir, FileStore::getTotalSpace));
            gauge("samsa.log.dir.used.bytes", dir, "Bytes of partition logs in the log directory",
                    m -> m.sources.replicas().partitions().stream().filter(p -> p.log().logDir() == logDir)
                            .mapToLong(p -> p.log().sizeInBytes()).sum());
            gauge("samsa.log.dir.full", dir, "1 while appends to the directory are refused for lack of space",
                    m -> logDir.status() == LogDir.Status.FULL ? 1 : 0);
        }
        gauge("kafka.log.logmanager.offlinelogdirectorycount", "Log directories taken offline after a failure",
                m -> m.sources.logDirs().stream().filter(d -> d.status() == LogDir.Status.OFFLINE).count());

        // Kafka 4.1's group coordinator metrics (group-coordinator-metrics), counts since the start as Kafka's
        // *-count attributes; gauges so that the names stay exactly the JMX exporter's (a counter would add _total).
        gauge("kafka.server.group.coordinator.metrics.group.completed.rebalance.count",
                "Classic-protocol group rebalances completed (the leader's SyncGroup made the group Stable)",
                m -> m.sources.groups().completedClassicRebalances());
        gauge("kafka.server.group.coordinator.metrics.consumer.group.rebalance.count",
                "Consumer-protocol (KIP-848) group rebalances: group epoch bumps",
                m -> m.sources.groups().consumerGroupRebalances());
        // Kafka has no transaction counts; these are Samsa's.
        FunctionCounter.builder("samsa.transactions.started", this,
                m -> m.sources.transactions().startedTransactions())
                .description("Transactions started (first partition or offsets added)").register(registry);
        FunctionCounter.builder("samsa.transactions.committed", this,
                m -> m.sources.transactions().committedTransactions())
                .description("Transactions committed (markers written, completion recorded)").register(registry);
        FunctionCounter.builder("samsa.transactions.aborted", this,
                m -> m.sources.transactions().abortedTransactions())
                .description("Transactions aborted, by their producer or on timeout").register(registry);
        gauge("samsa.transactions.ongoing", "Transactions begun and not yet complete",
                m -> m.sources.transactions().ongoingTransactions());

        logSize = multi("kafka.log.log.size", "Bytes of a partition's log on disk");
        logEndOffset = multi("kafka.log.log.logendoffset", "A partition's log end offset");
        logStartOffset = multi("kafka.log.log.logstartoffset", "A partition's log start offset");
        segments = multi("kafka.log.log.numlogsegments", "Segments of a partition's log");
        partitionCurrentOffset = multi("kafka.topic.partition.current.offset",
                "A partition's high watermark (the offset of the next record consumers will see)");
        partitionOldestOffset = multi("kafka.topic.partition.oldest.offset", "A partition's log start offset");
        topicPartitions = multi("kafka.topic.partitions", "Partitions of a topic");
        groupCurrentOffset = multi("kafka.consumergroup.current.offset", "A group's committed offset");
        groupLag = multi("kafka.consumergroup.lag",
                "Records between a group's committed offset and the high watermark");
        groupLagSeconds = multi("kafka.consumergroup.lag.seconds",
                "Age in seconds of the oldest record a group has not committed (0 when caught up)");
        groupLagSum = multi("kafka.consumergroup.lag.sum", "A group's lag in records summed over a topic's partitions");
        groupMaxLagSeconds = multi("kafka.consumergroup.max.lag.seconds",
                "A group's largest lag in seconds over all its partitions");
        groupCount = multi("kafka.server.group.coordinator.metrics.group.count", "Groups by protocol");
        classicGroupCount = multi("kafka.server.group.coordinator.metrics.classic.group.count",
                "Classic-protocol groups by state");
        consumerGroupCount = multi("kafka.server.group.coordinator.metrics.consumer.group.count",
                "Consumer-protocol (KIP-848) groups by state");
    }

    private void gauge(String name, String help, ToDoubleFunction<BrokerMetrics> value) {
        gauge(name, Tags.empty(), help, value);
    }

    private void gauge(String name, Tags tags, String help, ToDoubleFunction<BrokerMetrics> value) {
        Gauge.builder(name, this, value).description(help).tags(tags).register(registry);
    }

    private MultiGauge multi(String name, String help) {
        return MultiGauge.builder(name).description(help).register(registry);
    }

    /** The registry the request metrics count into too. */
    /**
     * Registers the idle fractions of the request threads and the network threads, read at each scrape over the time
     * since the previous one. The registry holds them strongly (a gauge's object is otherwise weakly held and, with no
     * other reference, collected: the gauge then reads NaN).
     */
    public void threads(IdleRatio requestHandlers, IdleRatio networkProcessors) {
        Gauge.builder("kafka.server.kafkarequesthandlerpool.requesthandleravgidlepercent", requestHandlers,
                IdleRatio::read).description("Fraction (0 to 1) of time the request threads were idle since the "
                        + "previous scrape").strongReference(true).register(registry);
        Gauge.builder("kafka.network.socketserver.networkprocessoravgidlepercent", networkProcessors,
                IdleRatio::read).description("Fraction (0 to 1) of time the network threads were idle since the "
                        + "previous scrape, from their CPU time").strongReference(true).register(registry);
    }

    /** The CPU time the threads have used, in nanoseconds (threads that ended or cannot be measured count 0). */
    public static long cpuNanos(List<Long> threadIds) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (long id : threadIds) {
            total += Math.max(0, threads.getThreadCpuTime(id));
        }
        return total;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Runs before each scrape (the request metrics drop the counters of deleted topics). */
    public void beforeScrape(Runnable task) {
        beforeScrape.add(task);
    }

    /** The broker serves clients from now on. */
    public void ready() {
        notReadyReason = null;
    }

    /** The broker is going away: /ready answers 503 with this reason. */
    public void notReady(String reason) {
        notReadyReason = reason;
    }

    @Override
    public String metadataSummary() {
        MetadataController.Published published = sources.metadata().publishedState();
        return "node " + sources.nodeId() + "\noffset " + published.offset() + "\ndigest " + published.image().digest()
                + "\nactive_controller " + sources.metadata().activeControllerId() + "\n";
    }

    @Override
    public String notReadyReason() {
        return notReadyReason;
    }

    @Override
    public String scrape() {
        beforeScrape.forEach(Runnable::run);
        refreshPartitions();
        refreshGroups();
        return registry.scrape();
    }

    /** [under-replicated, led here, offline] from the metadata image and the partitions hosted here. */
    private int[] partitionCounts() {
        int[] counts = new int[3];
        for (MetadataImage.TopicImage topic : sources.metadata().image().topics().values()) {
            for (MetadataImage.PartitionImage p : topic.partitions().values()) {
                if (p.leader() == sources.nodeId()) {
                    counts[1]++;
                    if (p.isr().size() < p.replicas().size()) {
                        counts[0]++;
                    }
                    if (sources.replicas().partition(new TopicPartition(topic.name(), p.partition())) == null) {
                        counts[2]++; // led here but not hosted: its log could not be opened
                    }
                } else if (p.leader() < 0) {
                    counts[2]++;
                }
            }
        }
        return counts;
    }

    private static double fileStore(LogDir logDir, FileStoreValue value) {
        try {
            FileStore store = Files.getFileStore(logDir.path());
            return value.of(store);
        } catch (IOException e) {
            return Double.NaN;
        }
    }

    @FunctionalInterface
    private interface FileStoreValue {
        long of(FileStore store) throws IOException;
    }

    private void refreshPartitions() {
        List<MultiGauge.Row<?>> size = new ArrayList<>();
        List<MultiGauge.Row<?>> end = new ArrayList<>();
        List<MultiGauge.Row<?>> start = new ArrayList<>();
        List<MultiGauge.Row<?>> segmentCount = new ArrayList<>();
        List<MultiGauge.Row<?>> current = new ArrayList<>();
        List<MultiGauge.Row<?>> oldest = new ArrayList<>();
        Map<String, Integer> partitionsPerTopic = new TreeMap<>();
        for (Partition p : sources.replicas().partitions()) {
            TopicPartition tp = p.topicPartition();
            Tags tags = Tags.of("topic", tp.topic(), "partition", String.valueOf(tp.partition()));
            size.add(MultiGauge.Row.of(tags, p.log().sizeInBytes()));
            end.add(MultiGauge.Row.of(tags, p.log().logEndOffset()));
            start.add(MultiGauge.Row.of(tags, p.log().logStartOffset()));
            segmentCount.add(MultiGauge.Row.of(tags, p.log().segmentCount()));
            current.add(MultiGauge.Row.of(tags, p.highWatermark()));
            oldest.add(MultiGauge.Row.of(tags, p.log().logStartOffset()));
            partitionsPerTopic.merge(tp.topic(), 1, Integer::sum);
        }
        logSize.register(size, true);
        logEndOffset.register(end, true);
        logStartOffset.register(start, true);
        segments.register(segmentCount, true);
        partitionCurrentOffset.register(current, true);
        partitionOldestOffset.register(oldest, true);
        List<MultiGauge.Row<?>> topics = new ArrayList<>();
        partitionsPerTopic.forEach((topic, n) -> topics.add(MultiGauge.Row.of(Tags.of("topic", topic), n)));
        topicPartitions.register(topics, true);
    }

    private void refreshGroups() {
        List<ConsumerLag.Row> lag = ConsumerLag.compute(sources.groups().allCommittedOffsets(),
                sources.replicas()::partition, sources.clock().getAsLong());
        List<MultiGauge.Row<?>> current = new ArrayList<>();
        List<MultiGauge.Row<?>> records = new ArrayList<>();
        List<MultiGauge.Row<?>> seconds = new ArrayList<>();
        Map<Tags, Long> sums = new HashMap<>();
        Map<String, Double> maxSeconds = new TreeMap<>();
        for (ConsumerLag.Row row : lag) {
            Tags tags = Tags.of("consumergroup", row.group(), "topic", row.topic(), "partition",
                    String.valueOf(row.partition()));
            current.add(MultiGauge.Row.of(tags, row.committed()));
            records.add(MultiGauge.Row.of(tags, row.lag()));
            seconds.add(MultiGauge.Row.of(tags, row.lagSeconds()));
            sums.merge(Tags.of("consumergroup", row.group(), "topic", row.topic()), row.lag(), Long::sum);
            maxSeconds.merge(row.group(), row.lagSeconds(), Math::max);
        }
        groupCurrentOffset.register(current, true);
        groupLag.register(records, true);
        groupLagSeconds.register(seconds, true);
        List<MultiGauge.Row<?>> sumRows = new ArrayList<>();
        sums.forEach((tags, sum) -> sumRows.add(MultiGauge.Row.of(tags, sum)));
        groupLagSum.register(sumRows, true);
        List<MultiGauge.Row<?>> maxRows = new ArrayList<>();
        maxSeconds.forEach((group, max) -> maxRows.add(MultiGauge.Row.of(Tags.of("consumergroup", group), max)));
        groupMaxLagSeconds.register(maxRows, true);

        Map<String, Integer> byProtocol = new TreeMap<>(Map.of("classic", 0, "consumer", 0));
        // Every state has a series, 0 included, as Kafka reports them: a dashboard shows a state before it occurs.
        Map<String, Integer> classicByState = new TreeMap<>();
        for (GroupState state : GroupState.values()) {
            if (state != GroupState.DEAD) {
                classicByState.put(state.kafkaName(), 0);
            }
        }
        Map<String, Integer> consumerByState = new TreeMap<>(Map.of("Empty", 0, "Assigning", 0, "Reconciling", 0,
                "Stable", 0));
        for (GroupCoordinator.GroupListing group : sources.groups().listGroups()) {
            byProtocol.merge(group.type(), 1, Integer::sum);
            (group.type().equals("consumer") ? consumerByState : classicByState).merge(group.state(), 1,
                    Integer::sum);
        }
        groupCount.register(rows("protocol", byProtocol), true);
        classicGroupCount.register(rows("state", classicByState), true);
        consumerGroupCount.register(rows("state", consumerByState), true);
    }

    private static List<MultiGauge.Row<?>> rows(String tag, Map<String, Integer> values) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        values.forEach((k, v) -> rows.add(MultiGauge.Row.of(Tags.of(tag, k), v)));
        return rows;
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
