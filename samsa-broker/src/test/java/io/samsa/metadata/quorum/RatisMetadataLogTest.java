package io.samsa.metadata.quorum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.samsa.metadata.ConfigResource;
import io.samsa.metadata.MetadataImage;
import io.samsa.metadata.MetadataLog;
import io.samsa.metadata.MetadataRecord;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RatisMetadataLogTest {

    @TempDir
    Path dir;

    /** Records of every type the image holds. */
    static List<MetadataRecord> everyKind(int n) {
        UUID topicId = new UUID(7, n);
        return List.of(
                new MetadataRecord.BrokerRegistration(1, "127.0.0.1", 9092 + n, null),
                new MetadataRecord.Topic("t" + n, topicId),
                new MetadataRecord.Partition(topicId, 0, List.of(1), List.of(1), 1, 0),
                new MetadataRecord.Partition(topicId, 1, List.of(1), List.of(1), 1, 0),
                new MetadataRecord.Config(ConfigResource.Type.TOPIC, "t" + n, "retention.ms", String.valueOf(n)),
                new MetadataRecord.ProducerIds(1000L * (n + 1)),
                new MetadataRecord.UserScramCredential("user" + n, (byte) 1, new byte[] {1, 2}, new byte[] {3},
                        new byte[] {4}, 4096),
                new MetadataRecord.AccessControlEntry(new UUID(9, n), (byte) 2, "t" + n, (byte) 3, "User:alice",
                        "*", (byte) 3, (byte) 3));
    }

    static final class Recorder implements MetadataLog.Listener {
        final AtomicReference<MetadataImage> image = new AtomicReference<>(MetadataImage.EMPTY);
        final AtomicLong offset = new AtomicLong(-2);
        final CompletableFuture<Long> ready = new CompletableFuture<>();

        @Override
        public void applied(MetadataImage image, long offset) {
            this.image.set(image);
            this.offset.set(offset);
        }

        @Override
        public void leaderReady(long epoch) {
            ready.complete(epoch);
        }

        @Override
        public void resigned() {}
    }

    private RatisMetadataLog open(Recorder recorder) {
        RatisMetadataLog log = new RatisMetadataLog(new RatisMetadataLog.Settings(1,
                Map.of(1, new InetSocketAddress("127.0.0.1", 0)), dir, new UUID(1, 2), 4, Duration.ofMillis(300),
                Duration.ofSeconds(10), () -> MetadataImage.EMPTY));
        log.start(recorder);
        return log;
    }

    @Test
    void aRestartFromSnapshotsAndTheLogRebuildsEveryKindOfState() throws Exception {
        Recorder first = new Recorder();
        String digest;
        try (RatisMetadataLog log = open(first)) {
            first.ready.get();
            long last = -1;
            for (int i = 0; i < 10; i++) {
                last = log.append(everyKind(i)).get();
            }
            long committed = last;
            await().until(() -> first.offset.get() >= committed);
            MetadataImage image = first.image.get();
            assertThat(image.topics()).hasSize(10);
            assertThat(image.scramCredentials()).hasSize(10);
            assertThat(image.acls()).hasSize(10);
            assertThat(image.nextProducerIdBlock()).isEqualTo(10_000L);
            digest = image.digest();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("snapshot."))).isNotEmpty();
        }
        Recorder second = new Recorder();
        try (RatisMetadataLog log = open(second)) {
            second.ready.get();
            assertThat(second.image.get().digest()).isEqualTo(digest);
            // And the log goes on from there.
            long next = log.append(everyKind(10)).get();
            await().until(() -> second.offset.get() >= next);
            assertThat(second.image.get().topics()).hasSize(11);
        }
    }

    @Test
    void anImageWrittenAsRecordsIsTheSameImage() {
        List<MetadataRecord> all = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            all.addAll(everyKind(i));
        }
        all.add(new MetadataRecord.RemoveTopic(new UUID(7, 1)));
        all.add(new MetadataRecord.RemoveAccessControlEntry(new UUID(9, 2)));
        MetadataImage image = MetadataImage.EMPTY.apply(all);
        MetadataImage rebuilt = MetadataImage.EMPTY.apply(image.toRecords());
        assertThat(rebuilt.digest()).isEqualTo(image.digest());
        assertThat(rebuilt.topics()).isEqualTo(image.topics());
        assertThat(rebuilt.acls()).isEqualTo(image.acls());
        assertThat(rebuilt.nextProducerIdBlock()).isEqualTo(image.nextProducerIdBlock());
        assertThat(rebuilt.configs(new ConfigResource(ConfigResource.Type.TOPIC, "t2")))
                .isEqualTo(Map.of("retention.ms", "2"));
    }
}
