package io.samsa.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.samsa.log.StorageFaults;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * A broker whose data directory fills up, on a real tmpfs where the machine lets the test mount one and on a disk
 * simulated under the log layer otherwise: the producer gets KAFKA_STORAGE_ERROR at once, naming the directory; the
 * broker logs one ERROR line; reads, metadata and offsets lookups go on; a group commit and a transactional commit
 * are retried by their clients until space is back; appends resume by themselves; every acknowledged record is
 * readable at its offset. A directory turning read-only while the broker runs is refused the same way and comes back.
 */
class DiskFullIT {

    private static final String VALUE = "v".repeat(1000);
    private static final long THRESHOLD = 1024 * 1024;

    @Test
    void aFullDiskIsRefusedLoudlyAndOnceAndAppendsResumeWhenSpaceIsFreed() throws Exception {
        try (SmallDisk disk = SmallDisk.create(false)) {
            fillAndRecover(disk, THRESHOLD);
        }
    }

    @Test
    void theSameOnADiskSimulatedUnderTheLogLayer() throws Exception {
        try (SmallDisk disk = SmallDisk.create(true)) {
            fillAndRecover(disk, THRESHOLD);
        }
    }

    /** Without a threshold the disk itself runs out ("No space left on device") half-way through a batch. */
    @Test
    void theSameWhenTheDiskItselfRunsOut() throws Exception {
        try (SmallDisk disk = SmallDisk.create(false)) {
            fillAndRecover(disk, 0);
        }
    }

    private void fillAndRecover(SmallDisk disk, long threshold) throws Exception {
        try (BrokerFixture samsa = BrokerFixture.start(Map.of("log.dirs", disk.dataDir().toString(),
                "samsa.log.dir.min.free.bytes", String.valueOf(threshold), "samsa.log.dir.min.free.ratio", "1"))) {
            samsa.createTopic("filling", 1, Map.of());
            samsa.createTopic("txn-out", 1, Map.of());
            TopicPartition filling = new TopicPartition("filling", 0);

            // Coordinators in place before the disk fills: a group with a commit, a producer in a transaction.
            KafkaConsumer<String, String> group = samsa.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "full-disk"));
            group.commitSync(Map.of(filling, new OffsetAndMetadata(0)));
            KafkaProducer<String, String> txn = samsa.producer(Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                    "full-disk-txn", ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000));
            txn.initTransactions();
            txn.beginTransaction();
            txn.send(new ProducerRecord<>("txn-out", "k", "in the transaction")).get();

            KafkaProducer<String, String> producer = samsa.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.RETRIES_CONFIG, 0, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false));
            disk.leaveFree(threshold + 2 * 1024 * 1024);
            List<Long> acknowledged = new ArrayList<>();
            Throwable refused;
            try (BrokerErrorLog errors = BrokerErrorLog.watch()) {
                refused = null;
                for (int i = 0; i < 20_000 && refused == null; i++) {
                    try {
                        acknowledged.add(producer.send(new ProducerRecord<>("filling", "k" + i, VALUE + i)).get()
                                .offset());
                    } catch (ExecutionException e) {
                        refused = e.getCause();
                    }
                }
                assertThat(refused).isInstanceOf(KafkaStorageException.class);
                assertThat(refused.getMessage()).contains(disk.dataDir().toAbsolutePath().toString())
                        .contains("is full");
                assertThat(acknowledged).hasSizeGreaterThan(1000);
                if (threshold > 0) {
                    // Refused below the threshold, before the disk itself ran out.
                    assertThat(disk.usableBytes()).isGreaterThan(0);
                    assertThat(refused.getMessage()).doesNotContain("No space left on device");
                } else {
                    assertThat(refused.getMessage()).contains("No space left on device");
                }
                // Every further append is refused at once, with the same error, and not logged again.
                for (int i = 0; i < 20; i++) {
                    assertThatThrownBy(() -> producer.send(new ProducerRecord<>("filling", "k", "x")).get())
                            .hasCauseInstanceOf(KafkaStorageException.class);
                }

                // What needs no write goes on: metadata, offsets lookups, reads.
                try (Admin admin = samsa.admin()) {
                    assertThat(admin.describeTopics(List.of("filling")).allTopicNames().get()).containsKey("filling");
                }
                if (threshold > 0) {
                    // An empty partition needs no bytes (no producer snapshot): a topic auto-created by Metadata
                    // exists, and only its appends are refused. (With the disk itself full, the metadata log may
                    // refuse the creation too: KAFKA_STORAGE_ERROR, retried by the client.)
                    assertThatThrownBy(() -> producer.send(new ProducerRecord<>("auto-created", "x")).get())
                            .hasCauseInstanceOf(KafkaStorageException.class);
                }
                assertThat(endOffset(samsa, filling)).isEqualTo(acknowledged.size());

                // A group commit is refused (NOT_COORDINATOR) and retried by the consumer until its timeout.
                assertThatThrownBy(() -> group.commitSync(Map.of(filling, new OffsetAndMetadata(5)),
                        Duration.ofSeconds(2))).isInstanceOf(TimeoutException.class);
                // A transactional commit is retried by the producer; it completes once space is back.
                CompletableFuture<Void> commit = CompletableFuture.runAsync(txn::commitTransaction);
                await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> !commit.isDone());

                assertThat(errors.errors()).hasSize(1).first().asString()
                        .contains(disk.dataDir().toAbsolutePath().toString()).contains("is full").contains("free of");
                assertThat(errors.errors().getFirst())
                        .contains(threshold > 0 ? "threshold" : "No space left on device");

                disk.free();
                // Appends resume by themselves (the producer's retries cover the recheck interval).
                KafkaProducer<String, String> after = samsa.producer(Map.of());
                long offset = after.send(new ProducerRecord<>("filling", "after", "after")).get().offset();
                assertThat(offset).isEqualTo(acknowledged.size());
                commit.get();
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    group.commitSync(Map.of(filling, new OffsetAndMetadata(5)), Duration.ofSeconds(5));
                    assertThat(group.committed(java.util.Set.of(filling)).get(filling).offset()).isEqualTo(5);
                });
                assertThat(errors.errors()).hasSize(1);
            }

            // Every acknowledged record is there, at its offset; the transaction's record is committed.
            List<ConsumerRecord<String, String>> read = samsa.readAll("filling", 0, acknowledged.size() + 1);
            assertThat(read).hasSize(acknowledged.size() + 1);
            for (int i = 0; i < acknowledged.size(); i++) {
                assertThat(read.get(i).offset()).isEqualTo(acknowledged.get(i)).isEqualTo(i);
                assertThat(read.get(i).value()).isEqualTo(VALUE + i);
            }
            try (KafkaConsumer<String, String> committed = samsa.consumer(Map.of(
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"))) {
                TopicPartition out = new TopicPartition("txn-out", 0);
                committed.assign(List.of(out));
                committed.seekToBeginning(List.of(out));
                List<String> values = new ArrayList<>();
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    committed.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
                    return !values.isEmpty();
                });
                assertThat(values).containsExactly("in the transaction");
            }
        }
    }

    @Test
    void aDirectoryTurnedReadOnlyWhileRunningIsRefusedAndComesBack() throws Exception {
        try (SmallDisk disk = SmallDisk.create(true);
                BrokerFixture samsa = BrokerFixture.start(Map.of("log.dirs", disk.dataDir().toString()))) {
            samsa.createTopic("ro", 1, Map.of());
            KafkaProducer<String, String> producer = samsa.producer(Map.of(ProducerConfig.RETRIES_CONFIG, 0,
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false));
            assertThat(producer.send(new ProducerRecord<>("ro", "a")).get().offset()).isZero();
            try (BrokerErrorLog errors = BrokerErrorLog.watch()) {
                disk.faults().setMode(StorageFaults.Mode.READ_ONLY);
                for (int i = 0; i < 5; i++) {
                    assertThatThrownBy(() -> producer.send(new ProducerRecord<>("ro", "b")).get())
                            .hasCauseInstanceOf(KafkaStorageException.class)
                            .hasMessageContaining("Read-only file system");
                }
                assertThat(errors.errors()).hasSize(1).first().asString().contains("failed")
                        .contains("Read-only file system").contains("offline");
                // No directory can hold a new partition: Kafka's answer when no broker is usable.
                try (Admin admin = samsa.admin()) {
                    assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("no-room", 1, (short) 1))).all()
                            .get()).hasCauseInstanceOf(
                                    org.apache.kafka.common.errors.InvalidReplicationFactorException.class)
                            .hasMessageContaining("no log directory of this broker can hold a new partition");
                }
                // Metadata lists this broker as an offline replica of the partition, as Kafka does.
                assertThat(offlineReplicas(samsa, "ro", 0)).containsExactly(1);
                disk.faults().setMode(StorageFaults.Mode.NONE);
                KafkaProducer<String, String> after = samsa.producer(Map.of());
                assertThat(after.send(new ProducerRecord<>("ro", "c")).get().offset()).isEqualTo(1);
                assertThat(offlineReplicas(samsa, "ro", 0)).isEmpty();
                assertThat(errors.errors()).hasSize(1);
            }
            assertThat(samsa.readAll("ro", 0, 2)).extracting(ConsumerRecord::value).containsExactly("a", "c");
        }
    }

    @Test
    void withTwoDirectoriesAFailedOneGoesOfflineWhileTheOtherGoesOn() throws Exception {
        java.nio.file.Path root = java.nio.file.Files.createTempDirectory("samsa-jbod-");
        java.nio.file.Path first = root.resolve("d1");
        java.nio.file.Path second = root.resolve("d2");
        try (StorageFaults faults = StorageFaults.install(second, Long.MAX_VALUE / 4);
                BrokerFixture samsa = BrokerFixture.start(Map.of("log.dirs", first + "," + second))) {
            samsa.createTopic("jbod", 2, Map.of());
            // One partition per directory: each new one goes to the directory with the fewest.
            assertThat(java.nio.file.Files.isDirectory(first.resolve("jbod-0"))).isTrue();
            assertThat(java.nio.file.Files.isDirectory(second.resolve("jbod-1"))).isTrue();
            KafkaProducer<String, String> producer = samsa.producer(Map.of(ProducerConfig.RETRIES_CONFIG, 0,
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false));
            try (BrokerErrorLog errors = BrokerErrorLog.watch()) {
                faults.setMode(StorageFaults.Mode.IO_ERROR);
                assertThatThrownBy(() -> producer.send(new ProducerRecord<>("jbod", 1, "k", "x")).get())
                        .hasCauseInstanceOf(KafkaStorageException.class).hasMessageContaining(second.toString())
                        .hasMessageContaining("Input/output error");
                assertThat(producer.send(new ProducerRecord<>("jbod", 0, "k", "on the good disk")).get().offset())
                        .isZero();
                assertThat(offlineReplicas(samsa, "jbod", 1)).containsExactly(1);
                assertThat(offlineReplicas(samsa, "jbod", 0)).isEmpty();
                // New partitions go to the directory still online.
                samsa.createTopic("after-failure", 1, Map.of());
                assertThat(java.nio.file.Files.isDirectory(first.resolve("after-failure-0"))).isTrue();
                assertThat(errors.errors()).hasSize(1).first().asString().contains(second.toString());

                faults.setMode(StorageFaults.Mode.NONE);
                KafkaProducer<String, String> after = samsa.producer(Map.of());
                assertThat(after.send(new ProducerRecord<>("jbod", 1, "k", "back")).get().offset()).isZero();
            }
            assertThat(samsa.readAll("jbod", 0, 1)).extracting(ConsumerRecord::value)
                    .containsExactly("on the good disk");
            assertThat(samsa.readAll("jbod", 1, 1)).extracting(ConsumerRecord::value).containsExactly("back");
        } finally {
            try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.walk(root)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The broker ids Metadata lists as offline replicas of the partition, asked by a fresh client. */
    private static List<Integer> offlineReplicas(BrokerFixture samsa, String topic, int partition) {
        try (KafkaConsumer<String, String> consumer = samsa.consumer(Map.of())) {
            return consumer.partitionsFor(topic).stream().filter(p -> p.partition() == partition).findFirst()
                    .map(p -> java.util.Arrays.stream(p.offlineReplicas()).map(org.apache.kafka.common.Node::id)
                            .toList())
                    .orElseThrow();
        }
    }

    /**
     * A real file system turning read-only under the running broker (ext4 with errors=remount-ro, failed by the
     * kernel's trigger): skipped where the machine cannot mount one. The directory stays offline (an ext4 that failed
     * needs an fsck); after a restart on the repaired disk every acknowledged record that had reached the disk is
     * there. The kernel writes the page cache back within seconds; the test does it at once with sync. Records still
     * only in the page cache when a disk fails are lost, as in Kafka (flush.messages, flush.ms or replicas cover that).
     */
    @Test
    void aRealFileSystemTurnedReadOnlyWhileRunningIsRefusedAndLosesNothing() throws Exception {
        SmallDisk ext4 = SmallDisk.ext4();
        org.junit.jupiter.api.Assumptions.assumeTrue(ext4 != null, "no ext4 loop mount on this machine");
        try (SmallDisk disk = ext4) {
            Map<String, String> settings = Map.of("log.dirs", disk.dataDir().toString());
            List<String> acknowledged = new ArrayList<>();
            try (BrokerFixture samsa = BrokerFixture.start(settings)) {
                samsa.createTopic("ext4", 1, Map.of());
                KafkaProducer<String, String> producer = samsa.producer(Map.of(ProducerConfig.RETRIES_CONFIG, 0,
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false));
                for (int i = 0; i < 100; i++) {
                    producer.send(new ProducerRecord<>("ext4", "k", "v" + i)).get();
                    acknowledged.add("v" + i);
                }
                disk.sync();
                try (BrokerErrorLog errors = BrokerErrorLog.watch()) {
                    org.junit.jupiter.api.Assumptions.assumeTrue(disk.failReadOnly(), "no ext4 error trigger");
                    for (int i = 0; i < 5; i++) {
                        assertThatThrownBy(() -> producer.send(new ProducerRecord<>("ext4", "k", "refused")).get())
                                .hasCauseInstanceOf(KafkaStorageException.class)
                                .hasMessageContaining(disk.dataDir().toAbsolutePath().toString())
                                .hasMessageContaining("Read-only file system");
                    }
                    assertThat(offlineReplicas(samsa, "ext4", 0)).containsExactly(1);
                    assertThat(errors.errors()).hasSize(1).first().asString().contains("failed")
                            .contains("Read-only file system");
                }
            }
            disk.repairAndRemount();
            try (BrokerFixture samsa = BrokerFixture.start(settings)) {
                assertThat(samsa.readAll("ext4", 0, acknowledged.size())).extracting(ConsumerRecord::value)
                        .isEqualTo(acknowledged);
            }
        }
    }

    private static long endOffset(BrokerFixture samsa, TopicPartition tp) {
        try (KafkaConsumer<String, String> consumer = samsa.consumer(Map.of())) {
            return consumer.endOffsets(List.of(tp)).get(tp);
        }
    }
}
