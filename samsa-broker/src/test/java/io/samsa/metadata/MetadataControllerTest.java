package io.samsa.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetadataControllerTest {

    @TempDir
    Path dir;

    private LocalMetadataLog log;
    private MetadataController controller;

    @BeforeEach
    void setUp() {
        log = LocalMetadataLog.open(dir);
        controller = new MetadataController(log, new MetadataController.Settings(1, 2, (short) 1));
        controller.registerBroker(1, "127.0.0.1", 9092).join();
    }

    @AfterEach
    void tearDown() {
        controller.close();
    }

    @Test
    void listenersSeeEachCommittedImageAndARestartRebuildsTheSameImage() {
        List<MetadataImage> seen = new ArrayList<>();
        controller.addListener(seen::add);
        controller.createTopic("a", -1, (short) -1, Map.of(), Map.of("retention.ms", " 5 "), false);
        controller.createPartitions("a", 3, null, false).join();
        // The image current when the listener was added, then one per change.
        assertThat(seen).hasSize(3);
        assertThat(seen.get(0).topic("a")).isNull();
        assertThat(seen.get(2).topic("a").partitions()).hasSize(3);
        assertThat(seen.get(2).configs(new ConfigResource(ConfigResource.Type.TOPIC, "a")))
                .isEqualTo(Map.of("retention.ms", "5"));
        log.close();
        MetadataController reopened = new MetadataController(LocalMetadataLog.open(dir),
                new MetadataController.Settings(1, 2, (short) 1));
        assertThat(reopened.image().topic("a")).isEqualTo(controller.image().topic("a"));
        assertThat(reopened.image().brokers()).isEqualTo(controller.image().brokers());
        reopened.close();
    }

    @Test
    void producerIdBlocksNeverRepeatAcrossRestarts() {
        assertThat(controller.allocateProducerIds(1000)).isEqualTo(0);
        assertThat(controller.allocateProducerIds(1000)).isEqualTo(1000);
        log.close();
        MetadataController reopened = new MetadataController(LocalMetadataLog.open(dir),
                new MetadataController.Settings(1, 2, (short) 1));
        assertThat(reopened.allocateProducerIds(1000)).isEqualTo(2000);
        reopened.close();
    }

    @Test
    void validateOnlyWritesNothing() {
        controller.createTopic("dry", 5, (short) 1, Map.of(), Map.of(), true);
        assertThat(controller.image().topic("dry")).isNull();
        assertThat(log.readAll()).hasSize(1);
    }

    @Test
    void refusalsNameTheProblem() {
        assertThatThrownBy(() -> controller.createTopic("", 1, (short) 1, Map.of(), Map.of(), false))
                .isInstanceOf(MetadataException.class)
                .hasMessage("Topic name is illegal, it can't be empty");
        assertThatThrownBy(() -> controller.createTopic("t", 1, (short) 2, Map.of(), Map.of(), false))
                .extracting(e -> ((MetadataException) e).kind())
                .isEqualTo(MetadataException.Kind.INVALID_REPLICATION_FACTOR);
        assertThatThrownBy(() -> controller.createTopic("t", 1, (short) 1, Map.of(0, List.of(7)), Map.of(), false))
                .extracting(e -> ((MetadataException) e).kind())
                .isEqualTo(MetadataException.Kind.INVALID_REQUEST);
        assertThatThrownBy(() -> controller.createTopic("t", -1, (short) -1, Map.of(0, List.of(7)), Map.of(), false))
                .extracting(e -> ((MetadataException) e).kind())
                .isEqualTo(MetadataException.Kind.INVALID_REPLICA_ASSIGNMENT);
        assertThatThrownBy(() -> controller.createTopic("t", 1, (short) 1, Map.of(), Map.of("segment.bytes", "13"),
                false))
                .hasMessage("Invalid value 13 for configuration segment.bytes: Value must be at least 14");
        assertThat(controller.image().topics()).isEmpty();
    }

    @Test
    void theMetadataTopicCanNeverBeCreated() {
        assertThatThrownBy(() -> controller.createTopic("__cluster_metadata", 1, (short) 1, Map.of(), Map.of(), true))
                .isInstanceOfSatisfying(MetadataException.class,
                        e -> assertThat(e.kind()).isEqualTo(MetadataException.Kind.INVALID_REQUEST))
                .hasMessage("Creation of internal topic __cluster_metadata is prohibited.");
    }

    @Test
    void oneChangeIsBoundedAsInKafkaBeforeAnythingIsBuilt() {
        // 1 topic record + 9,999 partition records is the largest topic one change may create.
        assertThat(controller.createTopic("largest", 9_999, (short) 1, Map.of(), Map.of(), true).value().partitions())
                .hasSize(9_999);
        for (int count : new int[] {10_000, Integer.MAX_VALUE}) {
            assertThatThrownBy(() -> controller.createTopic("huge", count, (short) 1, Map.of(), Map.of(), false))
                    .isInstanceOfSatisfying(MetadataException.class,
                            e -> assertThat(e.kind()).isEqualTo(MetadataException.Kind.POLICY_VIOLATION))
                    .hasMessage("Unable to perform excessively large batch operation.");
        }
        controller.createTopic("small", 1, (short) 1, Map.of(), Map.of(), false).published().join();
        assertThatThrownBy(() -> controller.createPartitions("small", Integer.MAX_VALUE, null, false))
                .isInstanceOfSatisfying(MetadataException.class,
                        e -> assertThat(e.kind()).isEqualTo(MetadataException.Kind.POLICY_VIOLATION));
        assertThat(controller.image().topic("huge")).isNull();
        assertThat(controller.image().topic("small").partitions()).hasSize(1);
    }

    @Test
    void partitionsBeyondThisNodesCapacityAreRefusedWithItsReason() {
        MetadataController limited = new MetadataController(LocalMetadataLog.open(dir.resolve("limited")),
                new MetadataController.Settings(1, 2, (short) 1), count -> count > 5 ? "only 5 fit" : null);
        limited.registerBroker(1, "127.0.0.1", 9092).join();
        limited.createTopic("fits", 5, (short) 1, Map.of(), Map.of(), false).published().join();
        assertThatThrownBy(() -> limited.createTopic("too-many", 6, (short) 1, Map.of(), Map.of(), false))
                .isInstanceOfSatisfying(MetadataException.class,
                        e -> assertThat(e.kind()).isEqualTo(MetadataException.Kind.POLICY_VIOLATION))
                .hasMessage("only 5 fit");
        assertThatThrownBy(() -> limited.createPartitions("fits", 11, null, false)).hasMessage("only 5 fit");
        assertThat(limited.image().topics().keySet()).containsExactly("fits");
        limited.close();
    }

    @Test
    void theImageOfAChangeIsServedOnlyOnceItsListenersHaveSeenIt() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        controller.addListener(image -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        CompletableFuture<MetadataImage> created =
                controller.createTopic("slow", 1, (short) 1, Map.of(), Map.of(), false).published();
        // Committed: a second creation is refused at once, while the first is still being published.
        assertThatThrownBy(() -> controller.createTopic("slow", 1, (short) 1, Map.of(), Map.of(), false))
                .isInstanceOfSatisfying(MetadataException.class,
                        e -> assertThat(e.kind()).isEqualTo(MetadataException.Kind.TOPIC_ALREADY_EXISTS));
        assertThat(created).isNotDone();
        assertThat(controller.image().topic("slow")).isNull();
        release.countDown();
        assertThat(created.get(10, TimeUnit.SECONDS).topic("slow")).isNotNull();
        assertThat(controller.image().topic("slow")).isNotNull();
    }

    @Test
    void applyingManyPartitionsIsLinear() {
        UUID id = UUID.randomUUID();
        List<MetadataRecord> records = new ArrayList<>();
        records.add(new MetadataRecord.Topic("wide", id));
        for (int p = 0; p < 200_000; p++) {
            records.add(new MetadataRecord.Partition(id, p, List.of(1), List.of(1), 1, 0));
        }
        // Quadratic copying would take minutes here; the assertion is on the result, the bound is the test timeout.
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(60),
                () -> assertThat(MetadataImage.EMPTY.apply(records).topic("wide").partitions()).hasSize(200_000));
    }
}
