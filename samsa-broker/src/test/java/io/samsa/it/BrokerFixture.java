package io.samsa.it;

import io.samsa.server.Broker;
import io.samsa.server.BrokerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * An in-process broker on an ephemeral loopback port with its own temporary data directory, plus real kafka-clients
 * producers, consumers and admins pointed at it. Close it to stop the broker, close the clients and delete the data.
 */
final class BrokerFixture implements AutoCloseable {

    private final Path dataDir;
    private final Map<String, String> settings;
    private final List<AutoCloseable> clients = new ArrayList<>();
    private final LongSupplier metricsClock;
    private Broker broker;

    private BrokerFixture(Path dataDir, Map<String, String> settings, LongSupplier metricsClock) {
        this.dataDir = dataDir;
        this.settings = settings;
        this.metricsClock = metricsClock;
    }

    static BrokerFixture start() {
        return start(Map.of());
    }

    static BrokerFixture start(Map<String, String> overrides) {
        return start(overrides, System::currentTimeMillis);
    }

    /** A broker whose metrics (consumer lag in seconds) read the time from {@code metricsClock}. */
    static BrokerFixture start(Map<String, String> overrides, LongSupplier metricsClock) {
        try {
            Path dir = Files.createTempDirectory("samsa-it-");
            Map<String, String> settings = new HashMap<>();
            settings.put("listeners", "PLAINTEXT://127.0.0.1:0");
            settings.put("log.dirs", dir.toString());
            settings.put("num.io.threads", "4");
            settings.put("num.network.threads", "2");
            settings.put("samsa.http.port", "0");
            settings.putAll(overrides);
            BrokerFixture fixture = new BrokerFixture(dir, settings, metricsClock);
            fixture.broker = Broker.start(BrokerConfig.parse(settings), metricsClock);
            return fixture;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the broker cleanly and starts it again on the same data (and a new port). */
    void restart() {
        closeClients();
        broker.close();
        broker = Broker.start(BrokerConfig.parse(settings), metricsClock);
    }

    /**
     * Stops the broker cleanly and starts it again on the same data and the same port; clients stay open and
     * reconnect, as they would to a broker that was restarted under them.
     */
    void restartKeepingClients() {
        String port = bootstrap().substring(bootstrap().lastIndexOf(':') + 1);
        broker.close();
        Map<String, String> samePort = new HashMap<>(settings);
        samePort.put("listeners", "PLAINTEXT://127.0.0.1:" + port);
        broker = Broker.start(BrokerConfig.parse(samePort), metricsClock);
    }

    Broker broker() {
        return broker;
    }

    Path dataDir() {
        return dataDir;
    }

    /** One scrape of the broker's /metrics. */
    Scrape scrape() {
        return Scrape.of(broker.httpAddress());
    }

    String bootstrap() {
        return broker.bootstrapServers();
    }

    /** {@code host:port} of one listener (by its upper-case name). */
    String bootstrap(String listenerName) {
        return broker.bootstrapServers(listenerName);
    }

    Admin admin() {
        return admin(Map.of());
    }

    /** An admin client with these settings over the defaults (security settings, another bootstrap). */
    Admin admin(Map<String, Object> overrides) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        props.putAll(overrides);
        return track(Admin.create(props));
    }

    KafkaProducer<String, String> producer(Map<String, Object> overrides) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 20_000);
        props.putAll(overrides);
        return track(new KafkaProducer<>(props));
    }

    KafkaConsumer<String, String> consumer(Map<String, Object> overrides) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.putAll(overrides);
        return track(new KafkaConsumer<>(props));
    }

    void createTopic(String name, int partitions, Map<String, String> configs) {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs))).all().get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("cannot create topic " + name, e);
        }
    }

    /** Reads partition {@code partition} of {@code topic} from the start until {@code count} records arrived. */
    List<ConsumerRecord<String, String>> readAll(String topic, int partition, int count) {
        try (KafkaConsumer<String, String> consumer = consumer(Map.of())) {
            TopicPartition tp = new TopicPartition(topic, partition);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (records.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }

    private <T extends AutoCloseable> T track(T client) {
        clients.add(client);
        return client;
    }

    private void closeClients() {
        for (AutoCloseable client : clients) {
            try {
                client.close();
            } catch (Exception e) {
                // already closed by the test
            }
        }
        clients.clear();
    }

    @Override
    public void close() {
        closeClients();
        if (broker != null) {
            broker.close();
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: the temp dir is cleaned by the OS eventually
        }
    }
}
