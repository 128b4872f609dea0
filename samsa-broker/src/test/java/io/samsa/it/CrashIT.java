package io.samsa.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker as a separate JVM, killed with SIGKILL while an idempotent producer streams into it, then restarted on
 * the same data directory and port: every acknowledged record is where the producer was told it is, offsets have no
 * gaps, nothing is written twice, and topic metadata survives.
 */
class CrashIT {

    private static final String LISTENING = "Samsa is listening on ";
    private static final int PARTITIONS = 3;

    @TempDir
    Path dataDir;

    private int port;
    private Path logDir;
    private String testName;
    private final List<BrokerProcess> processes = new ArrayList<>();
    private final List<AutoCloseable> clients = new ArrayList<>();

    @BeforeEach
    void setUp(TestInfo info) throws IOException {
        port = freeLoopbackPort();
        testName = info.getTestMethod().orElseThrow().getName();
        logDir = Path.of(System.getProperty("basedir", ".")).resolve("target").resolve("crash-it");
        Files.createDirectories(logDir);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable client : clients) {
            try {
                client.close();
            } catch (Exception e) {
                // already closed by the test
            }
        }
        for (BrokerProcess broker : processes) {
            broker.stop();
        }
        // @TempDir deletes the data directory once the brokers are gone.
    }

    @Test
    void acknowledgedRecordsSurviveSigkillWithoutGapsOrDuplicates() throws Exception {
        BrokerProcess first = startBroker();
        String topic = "crash-stream";
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }

        record Ack(int partition, long offset, String value) {}
        Queue<Ack> acked = new ConcurrentLinkedQueue<>();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger sent = new AtomicInteger();
        AtomicLong completed = new AtomicLong();
        AtomicBoolean stopSending = new AtomicBoolean();
        AtomicReference<Throwable> senderError = new AtomicReference<>();
        // Bounds the records in flight so the stream stays close to what the broker can absorb.
        Semaphore inFlight = new Semaphore(2_000);

        KafkaProducer<String, String> producer = producer(Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 1,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000));
        Thread sender = new Thread(() -> {
            try {
                for (int i = 0; !stopSending.get(); i++) {
                    if (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                        i--;
                        continue;
                    }
                    String value = "r-" + i;
                    // Counted once send() returned: a send refused by the closed producer never gets a callback.
                    producer.send(new ProducerRecord<>(topic, i % PARTITIONS, null, value), (metadata, error) -> {
                        if (error == null) {
                            acked.add(new Ack(metadata.partition(), metadata.offset(), value));
                        } else {
                            failed.incrementAndGet();
                        }
                        completed.incrementAndGet();
                        inFlight.release();
                    });
                    sent.incrementAndGet();
                }
            } catch (IllegalStateException closed) {
                // the producer was closed under the sender after the crash: expected
            } catch (Throwable t) {
                if (!stopSending.get()) {
                    senderError.set(t);
                }
            }
        }, "crash-it-sender");
        sender.start();

        // Killed mid-stream: after 5000 acknowledgements, at a moment when sends are in flight.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(1))
                .until(() -> acked.size() >= 5_000 && sent.get() > completed.get());
        long sentAtKill = sent.get();
        long completedAtKill = completed.get();
        first.kill();
        stopSending.set(true);
        producer.close(Duration.ofSeconds(1));
        sender.join(10_000);
        assertThat(sender.isAlive()).isFalse();
        assertThat(senderError.get()).isNull();
        // Every send the sender made has been completed one way or the other by the close.
        assertThat(completed.get()).isEqualTo(sent.get());
        assertThat(acked.size() + failed.get()).isEqualTo(sent.get());
        assertThat(acked.size()).isGreaterThanOrEqualTo(5_000);

        startBroker();
        Map<Integer, List<ConsumerRecord<String, String>>> logs = readEverything(topic);

        System.out.printf("sent %d, acknowledged %d, failed %d, in flight at the kill %d, on disk %s%n", sent.get(),
                acked.size(), failed.get(), sentAtKill - completedAtKill,
                logs.values().stream().map(List::size).toList());
        Set<String> seen = new HashSet<>();
        for (int p = 0; p < PARTITIONS; p++) {
            List<ConsumerRecord<String, String>> records = logs.get(p);
            long previous = -1;
            for (int o = 0; o < records.size(); o++) {
                ConsumerRecord<String, String> r = records.get(o);
                assertThat(r.offset()).as("offset %d of partition %d", o, p).isEqualTo(o);
                assertThat(seen.add(r.value())).as("%s written twice", r.value()).isTrue();
                assertThat(r.value()).startsWith("r-");
                long n = Long.parseLong(r.value().substring(2));
                // Records of partition p are r-(3k+p), in send order: idempotence keeps order across retries.
                assertThat(n % PARTITIONS).isEqualTo(p);
                assertThat(n).as("order in partition %d", p).isGreaterThan(previous).isLessThan(sent.get());
                previous = n;
            }
        }
        for (Ack ack : acked) {
            List<ConsumerRecord<String, String>> records = logs.get(ack.partition());
            assertThat(ack.offset()).as("acknowledged offset of %s", ack.value()).isLessThan(records.size());
            assertThat(records.get((int) ack.offset()).value()).as("value at %d-%d", ack.partition(), ack.offset())
                    .isEqualTo(ack.value());
        }

        // The restarted broker continues each log right after its last record.
        KafkaProducer<String, String> after = producer(Map.of(ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true));
        for (int p = 0; p < PARTITIONS; p++) {
            RecordMetadata metadata = after.send(new ProducerRecord<>(topic, p, null, "after-" + p))
                    .get(30, TimeUnit.SECONDS);
            assertThat(metadata.partition()).isEqualTo(p);
            assertThat(metadata.offset()).isEqualTo(logs.get(p).size());
        }
        Map<Integer, List<ConsumerRecord<String, String>>> again = readEverything(topic);
        for (int p = 0; p < PARTITIONS; p++) {
            assertThat(again.get(p)).hasSize(logs.get(p).size() + 1);
            assertThat(again.get(p).getLast().value()).isEqualTo("after-" + p);
        }
    }

    @Test
    void topicPartitionsAndConfigsSurviveSigkill() throws Exception {
        BrokerProcess first = startBroker();
        String topic = "crash-configured";
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1)
                    .configs(Map.of("retention.ms", "123456789", "segment.bytes", "1048576"))))
                    .all().get(30, TimeUnit.SECONDS);
        }
        first.kill();

        startBroker();
        try (Admin admin = admin()) {
            TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(30, TimeUnit.SECONDS).get(topic);
            assertThat(description.partitions()).hasSize(PARTITIONS);
            for (int p = 0; p < PARTITIONS; p++) {
                assertThat(description.partitions().get(p).partition()).isEqualTo(p);
                assertThat(description.partitions().get(p).leader().id()).isEqualTo(1);
            }
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config config = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
            ConfigEntry retention = config.get("retention.ms");
            assertThat(retention.value()).isEqualTo("123456789");
            assertThat(retention.source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
            ConfigEntry segment = config.get("segment.bytes");
            assertThat(segment.value()).isEqualTo("1048576");
            assertThat(segment.source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"classic", "consumer"})
    void committedOffsetsSurviveSigkillAndANewMemberResumesExactlyThere(String protocol) throws Exception {
        BrokerProcess first = startBroker();
        String topic = "crash-offsets-" + protocol;
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        KafkaProducer<String, String> producer = producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"));
        for (int i = 0; i < 20; i++) {
            producer.send(new ProducerRecord<>(topic, i % 2, null, "v" + i)).get(30, TimeUnit.SECONDS);
        }
        TopicPartition p0 = new TopicPartition(topic, 0);
        TopicPartition p1 = new TopicPartition(topic, 1);
        KafkaConsumer<String, String> member = groupMember(protocol);
        member.subscribe(List.of(topic));
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            member.poll(Duration.ofMillis(100));
            return member.assignment().size() == 2;
        });
        member.commitSync(Map.of(p0, new OffsetAndMetadata(6, "six"), p1, new OffsetAndMetadata(3, "three")));
        first.kill();
        member.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofMillis(100)));

        // The restarted coordinator still lists the member that died with it: the new one gets the partitions once
        // that member's session (6 s) has run out, as with Kafka.
        startBroker();
        KafkaConsumer<String, String> next = groupMember(protocol);
        next.subscribe(List.of(topic));
        Map<Integer, List<Long>> offsets = new HashMap<>(Map.of(0, new ArrayList<>(), 1, new ArrayList<>()));
        await().atMost(Duration.ofSeconds(40)).until(() -> {
            next.poll(Duration.ofMillis(100)).forEach(r -> offsets.get(r.partition()).add(r.offset()));
            return offsets.get(0).size() + offsets.get(1).size() >= 11;
        });
        assertThat(offsets.get(0)).containsExactly(6L, 7L, 8L, 9L);
        assertThat(offsets.get(1)).containsExactly(3L, 4L, 5L, 6L, 7L, 8L, 9L);
        assertThat(next.committed(Set.of(p0, p1)).get(p0).metadata()).isEqualTo("six");
    }

    // ---- helpers ----

    private KafkaConsumer<String, String> groupMember(String protocol) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "survivors");
        props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol);
        if (protocol.equals("classic")) {
            props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6000);
            props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500);
        }
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props);
        clients.add(consumer);
        return consumer;
    }

    private BrokerProcess startBroker() throws Exception {
        Path log = logDir.resolve(testName + "-" + (processes.size() + 1) + ".log");
        BrokerProcess broker = BrokerProcess.start(port, dataDir, log);
        processes.add(broker);
        broker.awaitListening(Duration.ofSeconds(30));
        return broker;
    }

    private String bootstrap() {
        return "127.0.0.1:" + port;
    }

    private Admin admin() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return Admin.create(props);
    }

    private KafkaProducer<String, String> producer(Map<String, Object> overrides) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.putAll(overrides);
        KafkaProducer<String, String> producer = new KafkaProducer<>(props);
        clients.add(producer);
        return producer;
    }

    /** Every record of every partition, read from the beginning up to the end offsets. */
    private Map<Integer, List<ConsumerRecord<String, String>>> readEverything(String topic) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                partitions.add(new TopicPartition(topic, p));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(20));
            Map<Integer, List<ConsumerRecord<String, String>>> result = new HashMap<>();
            partitions.forEach(tp -> result.put(tp.partition(), new ArrayList<>()));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                assertThat(System.nanoTime()).as("read up to the end offsets %s in time", ends).isLessThan(deadline);
                consumer.poll(Duration.ofMillis(200)).forEach(r -> result.get(r.partition()).add(r));
            }
            for (TopicPartition tp : partitions) {
                assertThat(consumer.position(tp)).isEqualTo(ends.get(tp));
                assertThat(result.get(tp.partition())).hasSize(ends.get(tp).intValue());
            }
            return result;
        }
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        }
    }

    /** {@code io.samsa.server.Main start} in its own JVM, its output copied to a log file. */
    private static final class BrokerProcess {

        private final Process process;
        private final Path log;
        private final CompletableFuture<String> listening = new CompletableFuture<>();

        private BrokerProcess(Process process, Path log) {
            this.process = process;
            this.log = log;
        }

        static BrokerProcess start(int port, Path dataDir, Path log) throws IOException {
            String java = System.getProperty("samsa.java");
            if (java == null || java.isBlank()) {
                java = ProcessHandle.current().info().command().orElseThrow();
            }
            List<String> command = List.of(java, "-Xms32m", "-Xmx512m", "-XX:+UseSerialGC", "-Xss512k",
                    "--enable-native-access=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path"), "io.samsa.server.Main",
                    "start", "--port", String.valueOf(port), "--data-dir", dataDir.toString(),
                    // Short consumer-protocol sessions: a member that died with the broker is dropped in seconds.
                    "--override", "group.consumer.session.timeout.ms=6000",
                    "--override", "group.consumer.heartbeat.interval.ms=500");
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            BrokerProcess broker = new BrokerProcess(process, log);
            Thread pump = new Thread(broker::pumpOutput, "crash-it-broker-output-" + process.pid());
            pump.setDaemon(true);
            pump.start();
            return broker;
        }

        private void pumpOutput() {
            try (BufferedReader in = new BufferedReader(
                            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                    Writer out = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
                String line;
                while ((line = in.readLine()) != null) {
                    out.write(line);
                    out.write('\n');
                    out.flush();
                    if (line.startsWith(LISTENING)) {
                        listening.complete(line);
                    }
                }
            } catch (IOException e) {
                listening.completeExceptionally(new UncheckedIOException(e));
            } finally {
                listening.completeExceptionally(new IllegalStateException(
                        "the broker's output ended before it listened (exit " + exitCode() + ")"));
            }
        }

        private String exitCode() {
            return process.isAlive() ? "none yet" : String.valueOf(process.exitValue());
        }

        void awaitListening(Duration timeout) throws Exception {
            try {
                String line = listening.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                assertThat(line).contains("127.0.0.1:");
            } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
                throw new AssertionError("broker did not start; see " + log.toAbsolutePath() + ":\n"
                        + (Files.exists(log) ? Files.readString(log) : ""), e);
            }
        }

        /** SIGKILL, then check the process is really gone. */
        void kill() throws InterruptedException {
            long pid = process.pid();
            process.destroyForcibly();
            assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("broker %d dies", pid).isTrue();
            assertThat(process.isAlive()).isFalse();
            // 128 + 9: the JVM did not get to run any shutdown hook.
            assertThat(process.exitValue()).isEqualTo(137);
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        }

        void stop() throws InterruptedException {
            if (!process.isAlive()) {
                return;
            }
            process.destroy();
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(15, TimeUnit.SECONDS);
            }
        }
    }
}
