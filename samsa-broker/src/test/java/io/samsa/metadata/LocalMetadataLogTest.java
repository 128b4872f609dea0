package io.samsa.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalMetadataLogTest {

    @TempDir
    Path dir;

    private static final UUID TOPIC = new UUID(1, 2);

    @Test
    void everyRecordTypeRoundTripsThroughAReopen() {
        List<MetadataRecord> written = List.of(
                new MetadataRecord.BrokerRegistration(1, "127.0.0.1", 9092, null),
                new MetadataRecord.Topic("orders", TOPIC),
                new MetadataRecord.Partition(TOPIC, 0, List.of(1), List.of(1), 1, 0),
                new MetadataRecord.Config(ConfigResource.Type.TOPIC, "orders", "retention.ms", "1000"),
                new MetadataRecord.Config(ConfigResource.Type.TOPIC, "orders", "segment.ms", null),
                new MetadataRecord.ProducerIds(2000),
                new MetadataRecord.RemoveTopic(TOPIC));
        try (LocalMetadataLog log = LocalMetadataLog.open(dir)) {
            log.append(written.subList(0, 3));
            log.append(written.subList(3, written.size()));
        }
        try (LocalMetadataLog log = LocalMetadataLog.open(dir)) {
            assertThat(log.readAll()).isEqualTo(written);
        }
    }

    @Test
    void aTornLastAppendIsCutOffAndEverythingBeforeItKept() throws Exception {
        try (LocalMetadataLog log = LocalMetadataLog.open(dir)) {
            log.append(List.of(new MetadataRecord.Topic("kept", TOPIC)));
            log.append(List.of(new MetadataRecord.Topic("torn", new UUID(3, 4))));
        }
        Path file = dir.resolve(LocalMetadataLog.FILE_NAME);
        long size = Files.size(file);
        try (var channel = java.nio.channels.FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(size - 5);
        }
        try (LocalMetadataLog log = LocalMetadataLog.open(dir)) {
            assertThat(log.readAll()).containsExactly(new MetadataRecord.Topic("kept", TOPIC));
            log.append(List.of(new MetadataRecord.Topic("after", new UUID(5, 6))));
        }
        try (LocalMetadataLog log = LocalMetadataLog.open(dir)) {
            assertThat(log.readAll()).extracting(r -> ((MetadataRecord.Topic) r).name()).containsExactly("kept",
                    "after");
        }
    }

    @Test
    void garbageAfterTheLastFrameIsCutOff() throws Exception {
        try (LocalMetadataLog log = LocalMetadataLog.open(dir)) {
            log.append(List.of(new MetadataRecord.ProducerIds(1000)));
        }
        Files.write(dir.resolve(LocalMetadataLog.FILE_NAME), new byte[] {0, 0, 0, 9, 1, 2, 3, 4, 5, 6, 7},
                StandardOpenOption.APPEND);
        try (LocalMetadataLog log = LocalMetadataLog.open(dir)) {
            assertThat(log.readAll()).containsExactly(new MetadataRecord.ProducerIds(1000));
        }
    }
}
