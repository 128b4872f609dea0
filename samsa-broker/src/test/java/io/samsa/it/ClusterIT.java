package io.samsa.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three nodes, each its own JVM started as the launcher starts a node of a cluster, driven with the real kafka-clients
 * Admin, producer and consumer: metadata changes through any node, controller failover after {@code kill -9},
 * nodes rejoining after restarts and after a wipe (by snapshot), every node ending with the same image, and every
 * link between two nodes going through its own proxy.
 */
class ClusterIT {

    private static final int NODES = 3;

    @TempDir
    Path root;

    private Path logDir;
    private final Map<Integer, ClusterNode> nodes = new LinkedHashMap<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private String testName;

    @BeforeEach
    void setUp(TestInfo info) throws IOException {
        testName = info.getTestMethod().orElseThrow().getName();
        logDir = Path.of(System.getProperty("basedir", ".")).resolve("target").resolve("cluster-it");
        Files.createDirectories(logDir);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception e) {
                // closed by the test
            }
        }
        for (ClusterNode node : nodes.values()) {
            node.stop();
        }
    }

    /** Ports for the nodes come from 20000-20999, below the ephemeral range the proxies and clients bind in. */
    private static final java.util.concurrent.atomic.AtomicInteger NEXT_PORT = new java.util.concurrent.atomic
            .AtomicInteger(20000 + (int) (ProcessHandle.current().pid() % 500));

    private static int freePort() throws IOException {
        for (int i = 0; i < 1000; i++) {
            int port = 20000 + (NEXT_PORT.getAndIncrement() - 20000) % 1000;
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                return port;
            } catch (IOException taken) {
                // next one
            }
        }
        throw new IOException("no free port in 20000-20999");
    }

    /**
     * Creates the nodes (not started). {@code raftAddress.apply(from, to)} is where node {@code from} reaches node
     * {@code to}'s Raft port, {@code kafkaAddress} its client port; a node's own voter entry is its real Raft port.
     */
    private void createNodes(Map<Integer, Integer> raftPorts, Map<Integer, Integer> clientPorts,
            java.util.function.BiFunction<Integer, Integer, Integer> raftPortSeen,
            java.util.function.BiFunction<Integer, Integer, Integer> kafkaPortSeen, String... extra)
            throws IOException {
        for (int id = 1; id <= NODES; id++) {
            int self = id;
            String voters = IntStream.rangeClosed(1, NODES).mapToObj(v -> v + "@127.0.0.1:"
                    + (v == self ? raftPorts.get(v) : raftPortSeen.apply(self, v))).collect(Collectors.joining(","));
            String peers = IntStream.rangeClosed(1, NODES).filter(p -> p != self).mapToObj(p -> p + "@127.0.0.1:"
                    + kafkaPortSeen.apply(self, p)).collect(Collectors.joining(","));
            List<String> args = new ArrayList<>(List.of("--voters", voters, "--peers", peers));
            for (String e : extra) {
                args.add("--override");
                args.add(e);
            }
            nodes.put(id, new ClusterNode(id, clientPorts.get(id), freePort(), root.resolve("node-" + id),
                    logDir.resolve(testName + "-node-" + id + ".log"), args));
        }
    }

    /** Three nodes reaching each other directly. */
    private void startCluster(String... extra) throws Exception {
        Map<Integer, Integer> raft = new LinkedHashMap<>();
        Map<Integer, Integer> client = new LinkedHashMap<>();
        for (int id = 1; id <= NODES; id++) {
            raft.put(id, freePort());
            client.put(id, freePort());
        }
        createNodes(raft, client, (from, to) -> raft.get(to), (from, to) -> client.get(to), extra);
        startAll();
    }

    private void startAll() throws Exception {
        for (ClusterNode node : nodes.values()) {
            node.start();
        }
        for (ClusterNode node : nodes.values()) {
            node.awaitListening();
        }
    }

    private Admin admin(ClusterNode via) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, via.bootstrap());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
        Admin admin = Admin.create(props);
        closeables.add(admin);
        return admin;
    }

    private void awaitRegistered(Admin admin) {
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() ->
                admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size() == NODES);
    }

    private List<ClusterNode> alive() {
        return nodes.values().stream().filter(ClusterNode::isAlive).toList();
    }

    /** Every running node reports the same offset and digest. */
    private void awaitSameImage() {
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            Set<String> seen = new HashSet<>();
            for (ClusterNode node : alive()) {
                ClusterNode.Image image = node.image();
                if (image == null) {
                    return false;
                }
                seen.add(image.offset() + "/" + image.digest());
            }
            return seen.size() == 1;
        });
    }

    private int quorumLeader(Admin admin) throws Exception {
        return admin.describeMetadataQuorum().quorumInfo().get(10, TimeUnit.SECONDS).leaderId();
    }

    @Test
    void metadataChangesThroughAnyNodeSurviveControllerFailoverAndRestarts() throws Exception {
        startCluster();
        Admin viaTwo = admin(nodes.get(2));
        awaitRegistered(viaTwo);

        // Created through node 2, whichever node is the controller; replicas and leaders spread over all brokers.
        viaTwo.createTopics(List.of(new NewTopic("spread", 3, (short) 3))).all().get(30, TimeUnit.SECONDS);
        Admin viaThree = admin(nodes.get(3));
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            TopicDescription spread = viaThree.describeTopics(List.of("spread")).allTopicNames()
                    .get(5, TimeUnit.SECONDS).get("spread");
            assertThat(spread.partitions()).hasSize(3);
            assertThat(spread.partitions()).allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
            assertThat(spread.partitions().stream().map(p -> p.leader().id()).collect(Collectors.toSet()))
                    .containsExactlyInAnyOrder(1, 2, 3);
        });

        // DescribeQuorum: the Ratis leader and every voter with its log end offset; DescribeCluster names it.
        QuorumInfo quorum = viaTwo.describeMetadataQuorum().quorumInfo().get(10, TimeUnit.SECONDS);
        int leader = quorum.leaderId();
        assertThat(leader).isBetween(1, 3);
        assertThat(quorum.voters().stream().map(QuorumInfo.ReplicaState::replicaId))
                .containsExactlyInAnyOrder(1, 2, 3);
        assertThat(quorum.voters().stream().filter(v -> v.replicaId() == leader).findFirst().orElseThrow()
                .logEndOffset()).isPositive();
        assertThat(viaThree.describeCluster().controller().get(5, TimeUnit.SECONDS).id()).isEqualTo(leader);

        // Producer ids come from the controller through whichever node the producer asks.
        viaTwo.createTopics(List.of(new NewTopic("one-each", 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
        produceAndConsume("one-each", nodes.get(1 + leader % NODES), 30);
        // A consumer group through a node that is not the controller: __consumer_offsets is created by the
        // controller on that node's behalf, and the group's coordinator is the leader of its partition.
        consumeInGroup("one-each", nodes.get(1 + leader % NODES), 31);
        awaitSameImage();

        // kill -9 of the controller: another node takes over and CreateTopics works again.
        nodes.get(leader).kill();
        ClusterNode survivor = nodes.get(1 + leader % NODES);
        Admin viaSurvivor = admin(survivor);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            int now = quorumLeader(viaSurvivor);
            return now != leader && now > 0;
        });
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> viaSurvivor.createTopics(
                List.of(new NewTopic("after-failover", 2, (short) 2))).all().get(10, TimeUnit.SECONDS));

        // The killed node rejoins on its data directory and catches up.
        nodes.get(leader).start().awaitListening();
        awaitSameImage();

        // Another kill and restart, of a node that is not the controller this time.
        int newLeader = quorumLeader(viaSurvivor);
        ClusterNode follower = nodes.values().stream().filter(n -> n.id != newLeader).findFirst().orElseThrow();
        follower.kill();
        // Its session ends (broker.session.timeout.ms, 1 s): fenced, gone from the cluster, its leaderships moved.
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            assertThat(viaSurvivor.describeCluster().nodes().get(5, TimeUnit.SECONDS)).extracting(Node::id)
                    .doesNotContain(follower.id).hasSize(NODES - 1);
            TopicDescription spread = viaSurvivor.describeTopics(List.of("spread")).allTopicNames()
                    .get(5, TimeUnit.SECONDS).get("spread");
            assertThat(spread.partitions()).allSatisfy(p -> {
                assertThat(p.leader()).isNotNull();
                assertThat(p.leader().id()).isNotEqualTo(follower.id);
                assertThat(p.isr()).extracting(Node::id).doesNotContain(follower.id);
            });
        });
        viaSurvivor.createTopics(List.of(new NewTopic("while-one-is-down", 1, (short) 1))).all()
                .get(30, TimeUnit.SECONDS);
        follower.start().awaitListening();
        awaitSameImage();
        awaitRegistered(viaSurvivor); // re-registered and unfenced: listed again
        Set<String> topics = viaThree.listTopics().names().get(10, TimeUnit.SECONDS);
        assertThat(topics).contains("spread", "one-each", "after-failover", "while-one-is-down");
    }

    private void produceAndConsume(String topic, ClusterNode via, int count) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, via.bootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(),
                new StringSerializer())) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, i % 3, "k" + i, "v" + i));
            }
            producer.flush();
            assertThat(producer.send(new ProducerRecord<>(topic, 0, "last", "last")).get(30, TimeUnit.SECONDS)
                    .offset()).isEqualTo(count / 3);
        }
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, via.bootstrap());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.assign(IntStream.range(0, 3).mapToObj(i -> new TopicPartition(topic, i)).toList());
            List<ConsumerRecord<String, String>> read = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(read::add);
                return read.size() >= count + 1;
            });
            assertThat(read).hasSize(count + 1);
        }
    }

    private void consumeInGroup(String topic, ClusterNode via, int count) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, via.bootstrap());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "cluster-it-group");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            List<ConsumerRecord<String, String>> read = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(read::add);
                return read.size() >= count;
            });
            assertThat(read).hasSize(count);
            consumer.commitSync(Duration.ofSeconds(20));
        }
    }

    @Test
    void aWipedNodeRejoinsBySnapshot() throws Exception {
        // Small segments and frequent snapshots, so the log before the snapshot is purged on the leader.
        startCluster("samsa.metadata.snapshot.entries=16", "samsa.metadata.segment.bytes=8192");
        Admin viaOne = admin(nodes.get(1));
        awaitRegistered(viaOne);
        // Enough entries for whole 8 KB segments to be purged behind the snapshots.
        for (int round = 0; round < 3; round++) {
            int first = round * 60;
            viaOne.createTopics(IntStream.range(first, first + 60).mapToObj(i -> new NewTopic("t" + i, 1, (short) 1))
                    .toList()).all().get(60, TimeUnit.SECONDS);
        }
        awaitSameImage();
        int leader = quorumLeader(viaOne);
        ClusterNode wiped = nodes.values().stream().filter(n -> n.id != leader).findFirst().orElseThrow();
        wiped.stop();
        try (Stream<Path> files = Files.walk(wiped.dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
        int logBefore = wiped.logText().length();
        wiped.start().awaitListening();
        // It registers again through a peer; the leader sees that it lost its log and hands leadership on, and the
        // new leader installs a snapshot on it (the log it missed is purged).
        await().atMost(Duration.ofSeconds(90)).until(() -> {
            Set<String> seen = new HashSet<>();
            for (ClusterNode node : alive()) {
                ClusterNode.Image image = node.image();
                if (image == null) {
                    return false;
                }
                seen.add(image.offset() + "/" + image.digest());
            }
            return seen.size() == 1;
        });
        // Once caught up it is unfenced, one more record: the images meet again after that.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(wiped.image().digest()).isEqualTo(nodes.get(leader).image().digest()));
        assertThat(wiped.logText().substring(logBefore)).contains("loaded the metadata snapshot");
        assertThat(admin(wiped).listTopics().names().get(10, TimeUnit.SECONDS)).hasSize(180);
    }

    @Test
    void everyLinkGoesThroughTheAddressTheNodeWasGiven() throws Exception {
        Map<Integer, Integer> raft = new LinkedHashMap<>();
        Map<Integer, Integer> client = new LinkedHashMap<>();
        for (int id = 1; id <= NODES; id++) {
            raft.put(id, freePort());
            client.put(id, freePort());
        }
        // One proxy per direction and protocol: from → to.
        Map<String, LinkProxy> raftLinks = new LinkedHashMap<>();
        Map<String, LinkProxy> kafkaLinks = new LinkedHashMap<>();
        for (int from = 1; from <= NODES; from++) {
            for (int to = 1; to <= NODES; to++) {
                if (from != to) {
                    LinkProxy r = new LinkProxy(new InetSocketAddress("127.0.0.1", raft.get(to)));
                    LinkProxy k = new LinkProxy(new InetSocketAddress("127.0.0.1", client.get(to)));
                    raftLinks.put(from + ">" + to, r);
                    kafkaLinks.put(from + ">" + to, k);
                    closeables.add(r);
                    closeables.add(k);
                }
            }
        }
        createNodes(raft, client, (from, to) -> raftLinks.get(from + ">" + to).port(),
                (from, to) -> kafkaLinks.get(from + ">" + to).port());
        startAll();
        Admin viaOne = admin(nodes.get(1));
        awaitRegistered(viaOne);
        int leader = quorumLeader(viaOne);
        int other = leader % NODES + 1;
        // The leader's Raft traffic to each follower and the other node's forwarded requests use their proxies.
        admin(nodes.get(other)).createTopics(List.of(new NewTopic("proxied", 1, (short) 3))).all()
                .get(30, TimeUnit.SECONDS);
        for (int to = 1; to <= NODES; to++) {
            if (to != leader) {
                assertThat(raftLinks.get(leader + ">" + to).connections()).as("raft %d>%d", leader, to).isPositive();
            }
        }
        assertThat(kafkaLinks.get(other + ">" + leader).connections()).isPositive();
        awaitSameImage();

        // Cut every link of the third node: nothing reaches it by another address (its peers' registered client
        // addresses or Ratis's configuration), so it falls behind while the other two go on.
        int isolated = IntStream.rangeClosed(1, NODES).filter(n -> n != leader && n != other).findFirst()
                .orElseThrow();
        long before = nodes.get(isolated).image().offset();
        Stream.concat(raftLinks.entrySet().stream(), kafkaLinks.entrySet().stream())
                .filter(e -> e.getKey().contains(String.valueOf(isolated)))
                .forEach(e -> e.getValue().cut());
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> admin(nodes.get(other))
                .createTopics(List.of(new NewTopic("while-cut-" + System.nanoTime(), 1, (short) 1))).all()
                .get(10, TimeUnit.SECONDS));
        await().atMost(Duration.ofSeconds(10)).until(() -> nodes.get(leader).image().offset() > before);
        assertThat(nodes.get(isolated).image().offset()).isEqualTo(before);

        // Links back: it catches up through the same proxies.
        Stream.concat(raftLinks.values().stream(), kafkaLinks.values().stream()).forEach(LinkProxy::restore);
        awaitSameImage();
    }
}
