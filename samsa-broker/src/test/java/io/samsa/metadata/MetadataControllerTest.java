package io.samsa.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
        controller.registerBroker(1, "127.0.0.1", 9092);
    }

    @Test
    void listenersSeeEachCommittedImageAndARestartRebuildsTheSameImage() {
        List<MetadataImage> seen = new ArrayList<>();
        controller.addListener(seen::add);
        controller.createTopic("a", -1, (short) -1, Map.of(), Map.of("retention.ms", " 5 "), false);
        controller.createPartitions("a", 3, null, false);
        assertThat(seen).hasSize(2);
        assertThat(seen.get(1).topic("a").partitions()).hasSize(3);
        assertThat(seen.get(1).configs(new ConfigResource(ConfigResource.Type.TOPIC, "a")))
                .isEqualTo(Map.of("retention.ms", "5"));
        log.close();
        MetadataController reopened = new MetadataController(LocalMetadataLog.open(dir),
                new MetadataController.Settings(1, 2, (short) 1));
        assertThat(reopened.image().topic("a")).isEqualTo(controller.image().topic("a"));
        assertThat(reopened.image().brokers()).isEqualTo(controller.image().brokers());
    }

    @Test
    void producerIdBlocksNeverRepeatAcrossRestarts() {
        assertThat(controller.allocateProducerIds(1000)).isEqualTo(0);
        assertThat(controller.allocateProducerIds(1000)).isEqualTo(1000);
        log.close();
        MetadataController reopened = new MetadataController(LocalMetadataLog.open(dir),
                new MetadataController.Settings(1, 2, (short) 1));
        assertThat(reopened.allocateProducerIds(1000)).isEqualTo(2000);
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
}
