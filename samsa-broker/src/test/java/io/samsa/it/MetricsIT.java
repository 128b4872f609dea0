package io.samsa.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * /metrics after a known workload, with real clients: exact counters of records and bytes in and out per topic and
 * of requests per API, partition and controller gauges, and consumer lag in records and in seconds, exact to a clock
 * the test steps, for records produced with chosen timestamps.
 */
class MetricsIT {

    private static final long T0 = 1_700_000_000_000L;

    @Test
    void countersAreExactAfterAKnownWorkload() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start()) {
            broker.createTopic("metered", 2, Map.of());
            KafkaProducer<String, String> producer = broker.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.LINGER_MS_CONFIG, 0));
            for (int i = 0; i < 10; i++) {
                // One request per record: each send is waited for before the next.
                producer.send(new ProducerRecord<>("metered", i % 2, "k" + i, "value-" + i)).get();
            }
            Scrape afterProduce = broker.scrape();
            assertThat(afterProduce.value("kafka_server_brokertopicmetrics_messagesin_total", "topic", "metered"))
                    .isEqualTo(10.0);
            assertThat(afterProduce.value("kafka_server_brokertopicmetrics_totalproducerequests_total", "topic",
                    "metered")).isEqualTo(10.0);
            assertThat(afterProduce.value("kafka_server_brokertopicmetrics_failedproducerequests_total", "topic",
                    "metered")).isEqualTo(0.0);
            assertThat(afterProduce.sum("kafka_network_requestmetrics_requests_total", "request", "Produce"))
                    .isEqualTo(10.0);
            assertThat(afterProduce.sum("kafka_network_requestmetrics_totaltimems_count", "request", "Produce"))
                    .isEqualTo(10.0);
            assertThat(afterProduce.sum("kafka_network_requestmetrics_requestqueuetimems_count", "request",
                    "Produce")).isEqualTo(10.0);
            assertThat(afterProduce.sum("kafka_network_requestmetrics_requestqueuetimems_sum", "request", "Produce"))
                    .isNotNegative();
            // Time-dependent, so only their range: fractions of the time since the previous scrape.
            assertThat(afterProduce.value("kafka_server_kafkarequesthandlerpool_requesthandleravgidlepercent"))
                    .isBetween(0.0, 1.0);
            assertThat(afterProduce.value("kafka_network_socketserver_networkprocessoravgidlepercent"))
                    .isBetween(0.0, 1.0);
            // The batches are stored as they arrived, so bytes in is exactly what the partitions hold.
            double logBytes = afterProduce.sum("kafka_log_log_size", "topic", "metered");
            assertThat(logBytes).isPositive();
            assertThat(afterProduce.value("kafka_server_brokertopicmetrics_bytesin_total", "topic", "metered"))
                    .isEqualTo(logBytes);
            for (String partition : List.of("0", "1")) {
                assertThat(afterProduce.value("kafka_log_log_logendoffset", "topic", "metered", "partition",
                        partition)).isEqualTo(5.0);
                assertThat(afterProduce.value("kafka_topic_partition_current_offset", "topic", "metered",
                        "partition", partition)).isEqualTo(5.0);
                assertThat(afterProduce.value("kafka_topic_partition_oldest_offset", "topic", "metered",
                        "partition", partition)).isEqualTo(0.0);
            }
            assertThat(afterProduce.value("kafka_topic_partitions", "topic", "metered")).isEqualTo(2.0);
            assertThat(afterProduce.value("kafka_server_replicamanager_partitioncount")).isEqualTo(2.0);
            assertThat(afterProduce.value("kafka_server_replicamanager_leadercount")).isEqualTo(2.0);
            assertThat(afterProduce.value("kafka_server_replicamanager_underreplicatedpartitions")).isEqualTo(0.0);
            assertThat(afterProduce.value("kafka_server_replicamanager_isrshrinks_total")).isEqualTo(0.0);
            assertThat(afterProduce.value("kafka_server_replicamanager_isrexpands_total")).isEqualTo(0.0);
            assertThat(afterProduce.value("kafka_controller_kafkacontroller_activecontrollercount")).isEqualTo(1.0);
            assertThat(afterProduce.value("kafka_controller_kafkacontroller_offlinepartitionscount")).isEqualTo(0.0);
            assertThat(afterProduce.value("kafka_controller_kafkacontroller_globaltopiccount")).isEqualTo(1.0);
            assertThat(afterProduce.value("kafka_server_brokertopicmetrics_bytesout_total", "topic", "metered"))
                    .isEqualTo(0.0);

            // A single assigned consumer reads every batch exactly once: bytes out is the log's size too.
            KafkaConsumer<String, String> consumer = broker.consumer(Map.of());
            List<TopicPartition> partitions = List.of(new TopicPartition("metered", 0),
                    new TopicPartition("metered", 1));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<ConsumerRecord<String, String>> read = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(100)).forEach(read::add);
                return read.size() >= 10;
            });
            assertThat(read).hasSize(10);
            Scrape afterConsume = broker.scrape();
            assertThat(afterConsume.value("kafka_server_brokertopicmetrics_bytesout_total", "topic", "metered"))
                    .isEqualTo(logBytes);
            assertThat(afterConsume.value("kafka_server_brokertopicmetrics_messagesin_total", "topic", "metered"))
                    .isEqualTo(10.0);
            assertThat(afterConsume.sum("kafka_network_requestmetrics_requests_total", "request", "Fetch"))
                    .isPositive();
            assertThat(afterConsume.value("jvm_memory_used_bytes", "area", "heap", "id", "G1 Eden Space"))
                    .isNotNull();

            // The documentation lists exactly what is exported (with a group's lag present).
            commit(broker, "reader", Map.of(new TopicPartition("metered", 0), 5L));
            // GC pauses are recorded from the first collection on; this broker runs in the test's JVM.
            System.gc();
            await().atMost(Duration.ofSeconds(30)).until(() -> broker.scrape().sum("jvm_gc_pause_seconds_count") > 0);
            Scrape withGroup = broker.scrape();
            assertDocumentedExactly(withGroup);
            // Still read after a collection (a weakly held gauge object would have been collected: NaN).
            assertThat(withGroup.value("kafka_server_kafkarequesthandlerpool_requesthandleravgidlepercent"))
                    .isBetween(0.0, 1.0);
            assertThat(withGroup.value("kafka_network_socketserver_networkprocessoravgidlepercent"))
                    .isBetween(0.0, 1.0);
            // The commit created __consumer_offsets: its 50 partitions are hosted here too.
            assertThat(withGroup.value("kafka_server_replicamanager_partitioncount")).isEqualTo(52.0);

            // A deleted topic's series disappear.
            try (Admin admin = broker.admin()) {
                admin.deleteTopics(List.of("metered")).all().get();
            }
            broker.broker().metadataPublished().get();
            Scrape afterDelete = broker.scrape();
            assertThat(afterDelete.samples().keySet()).noneMatch(s -> "metered".equals(s.labels().get("topic")));
            assertThat(afterDelete.value("kafka_server_replicamanager_partitioncount")).isEqualTo(50.0);
        }
    }

    @Test
    void consumerLagInRecordsAndSecondsIsExactForChosenTimestamps() throws Exception {
        AtomicLong now = new AtomicLong(T0 + 60_000);
        try (BrokerFixture broker = BrokerFixture.start(Map.of(), now::get)) {
            broker.createTopic("lagged", 1, Map.of());
            broker.createTopic("lagged-gz", 1, Map.of());
            // Ten uncompressed batches of one record, record i stamped T0 + i s.
            KafkaProducer<String, String> producer = broker.producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, 0));
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>("lagged", 0, T0 + i * 1000L, "k" + i, "v" + i)).get();
            }
            // One gzip batch of ten records: the timestamp of a record inside it needs the batch decompressed.
            KafkaProducer<String, String> batching = broker.producer(Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG,
                    "gzip", ProducerConfig.LINGER_MS_CONFIG, 5_000, ProducerConfig.BATCH_SIZE_CONFIG, 1 << 20));
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                sent.add(batching.send(new ProducerRecord<>("lagged-gz", 0, T0 + i * 1000L, "k" + i, "v" + i)));
            }
            batching.flush();
            for (Future<RecordMetadata> f : sent) {
                f.get();
            }
            commit(broker, "half", Map.of(new TopicPartition("lagged", 0), 4L,
                    new TopicPartition("lagged-gz", 0), 7L));
            commit(broker, "done", Map.of(new TopicPartition("lagged", 0), 10L));
            commit(broker, "none", Map.of(new TopicPartition("lagged", 0), 0L));

            Scrape scrape = broker.scrape();
            assertLag(scrape, "half", "lagged", 4, 6, 56.0); // now - (T0 + 4 s) = 56 s
            assertLag(scrape, "half", "lagged-gz", 7, 3, 53.0);
            assertLag(scrape, "done", "lagged", 10, 0, 0.0);
            assertLag(scrape, "none", "lagged", 0, 10, 60.0);
            assertThat(scrape.value("kafka_consumergroup_lag_sum", "consumergroup", "half", "topic", "lagged"))
                    .isEqualTo(6.0);
            assertThat(scrape.value("kafka_consumergroup_max_lag_seconds", "consumergroup", "half")).isEqualTo(56.0);
            assertThat(scrape.value("kafka_topic_partition_current_offset", "topic", "lagged-gz", "partition", "0"))
                    .isEqualTo(10.0);

            // Ten seconds later, with nothing consumed, every waiting group is ten seconds further behind.
            now.addAndGet(10_000);
            Scrape later = broker.scrape();
            assertLag(later, "half", "lagged", 4, 6, 66.0);
            assertLag(later, "half", "lagged-gz", 7, 3, 63.0);
            assertLag(later, "done", "lagged", 10, 0, 0.0);
        }
    }

    @Test
    void rebalancesAndTransactionsAreCounted() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(Map.of("group.initial.rebalance.delay.ms", "0"))) {
            broker.createTopic("events", 1, Map.of());
            assertThat(broker.scrape().value("kafka_server_group_coordinator_metrics_group_completed_rebalance_count"))
                    .isEqualTo(0.0);

            // A classic group with one member completes one rebalance; its leaving completes none.
            try (KafkaConsumer<String, String> classic = broker.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG,
                    "classic-group", ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic"))) {
                classic.subscribe(List.of("events"));
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    classic.poll(Duration.ofMillis(100));
                    return !classic.assignment().isEmpty();
                });
            }
            // A consumer-protocol group: the member's join bumps the group epoch, its leaving bumps it again.
            try (KafkaConsumer<String, String> consumer = broker.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG,
                    "consumer-group", ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer"))) {
                consumer.subscribe(List.of("events"));
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    consumer.poll(Duration.ofMillis(100));
                    return !consumer.assignment().isEmpty();
                });
                assertThat(broker.scrape().value(
                        "kafka_server_group_coordinator_metrics_consumer_group_rebalance_count")).isEqualTo(1.0);
            }
            Scrape afterGroups = broker.scrape();
            assertThat(afterGroups.value("kafka_server_group_coordinator_metrics_group_completed_rebalance_count"))
                    .isEqualTo(1.0);
            assertThat(afterGroups.value("kafka_server_group_coordinator_metrics_consumer_group_rebalance_count"))
                    .isEqualTo(2.0);

            // Transactions: two committed, one aborted, one left open.
            KafkaProducer<String, String> producer = broker.producer(Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                    "metered-txn"));
            producer.initTransactions();
            for (boolean commit : new boolean[] {true, false, true}) {
                producer.beginTransaction();
                producer.send(new ProducerRecord<>("events", "k", "v")).get();
                if (commit) {
                    producer.commitTransaction();
                } else {
                    producer.abortTransaction();
                }
            }
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("events", "k", "open")).get();
            // EndTxn is answered once the decision is written; completion follows the markers.
            await().atMost(Duration.ofSeconds(30)).until(() -> broker.scrape()
                    .value("samsa_transactions_committed_total") == 2.0);
            Scrape open = broker.scrape();
            assertThat(open.value("samsa_transactions_started_total")).isEqualTo(4.0);
            assertThat(open.value("samsa_transactions_committed_total")).isEqualTo(2.0);
            assertThat(open.value("samsa_transactions_aborted_total")).isEqualTo(1.0);
            assertThat(open.value("samsa_transactions_ongoing")).isEqualTo(1.0);
            producer.abortTransaction();
            await().atMost(Duration.ofSeconds(30)).until(() -> broker.scrape()
                    .value("samsa_transactions_aborted_total") == 2.0);
            Scrape done = broker.scrape();
            assertThat(done.value("samsa_transactions_started_total")).isEqualTo(4.0);
            assertThat(done.value("samsa_transactions_committed_total")).isEqualTo(2.0);
            assertThat(done.value("samsa_transactions_ongoing")).isEqualTo(0.0);
        }
    }

    /**
     * Every metric docs/metrics.md names is in the scrape, and every kafka_ and samsa_ metric of the scrape is in the
     * docs (histograms by their base name).
     */
    private static void assertDocumentedExactly(Scrape scrape) throws java.io.IOException {
        String docs = java.nio.file.Files.readString(java.nio.file.Path.of("../docs/metrics.md"));
        java.util.Set<String> documented = new java.util.TreeSet<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("`((?:kafka|samsa|jvm|process|system)_[a-z0-9_]+)`")
                .matcher(docs);
        while (m.find()) {
            documented.add(m.group(1));
        }
        java.util.Set<String> exported = new java.util.TreeSet<>();
        for (Scrape.Series series : scrape.samples().keySet()) {
            exported.add(series.name());
            exported.add(series.name().replaceAll("_(bucket|count|sum|max)$", ""));
        }
        assertThat(exported).as("documented metrics missing from /metrics").containsAll(documented);
        java.util.Set<String> undocumented = new java.util.TreeSet<>();
        for (Scrape.Series series : scrape.samples().keySet()) {
            String name = series.name();
            String base = name.replaceAll("_(bucket|count|sum|max)$", "");
            if ((name.startsWith("kafka_") || name.startsWith("samsa_")) && !documented.contains(name)
                    && !documented.contains(base)) {
                undocumented.add(name);
            }
        }
        assertThat(undocumented).as("metrics missing from docs/metrics.md").isEmpty();
    }

    private static void assertLag(Scrape scrape, String group, String topic, long committed, long lag,
            double seconds) {
        String[] labels = {"consumergroup", group, "topic", topic, "partition", "0"};
        assertThat(scrape.value("kafka_consumergroup_current_offset", labels)).as(group + " offset")
                .isEqualTo((double) committed);
        assertThat(scrape.value("kafka_consumergroup_lag", labels)).as(group + " lag").isEqualTo((double) lag);
        assertThat(scrape.value("kafka_consumergroup_lag_seconds", labels)).as(group + " lag seconds")
                .isEqualTo(seconds);
    }

    private static void commit(BrokerFixture broker, String group, Map<TopicPartition, Long> offsets) {
        KafkaConsumer<String, String> consumer = broker.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, group));
        Map<TopicPartition, OffsetAndMetadata> commits = new java.util.HashMap<>();
        offsets.forEach((tp, offset) -> commits.put(tp, new OffsetAndMetadata(offset)));
        consumer.commitSync(commits);
        consumer.close();
    }

    @Test
    void healthAndReadyOnARunningBroker() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(); HttpClient client = HttpClient.newHttpClient()) {
            for (String path : List.of("/health", "/ready")) {
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + broker.broker().httpAddress().getPort() + path)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as(path).isEqualTo(200);
            }
        }
    }
}
