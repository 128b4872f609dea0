package io.samsa.log;

import static io.samsa.log.TestRecords.batch;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeaderEpochTest {

    private static final TopicPartition TP = new TopicPartition("t", 0);

    @TempDir
    Path dataDir;

    @Test
    void endOffsetForEpochFollowsKafka() throws Exception {
        Path dir = dataDir.resolve(TP.dirName());
        try (Log log = Log.open(dir, TP, new TestRecords.Config().build(), () -> 0L)) {
            assertThat(log.latestEpoch()).isEqualTo(-1);
            assertThat(log.endOffsetForEpoch(0)).isEqualTo(new EpochEndOffset(-1, -1));
            log.appendAsLeader(batch(0, "a", "b"), 2); // epoch 2 at 0
            log.appendAsLeader(batch(0, "c"), 2);
            log.appendAsLeader(batch(0, "d"), 5); // epoch 5 at 3
            log.appendAsLeader(batch(0, "e", "f"), 7); // epoch 7 at 4
            assertThat(log.latestEpoch()).isEqualTo(7);
            assertThat(log.endOffsetForEpoch(7)).isEqualTo(new EpochEndOffset(7, 6));
            assertThat(log.endOffsetForEpoch(5)).isEqualTo(new EpochEndOffset(5, 4));
            assertThat(log.endOffsetForEpoch(6)).isEqualTo(new EpochEndOffset(5, 4));
            assertThat(log.endOffsetForEpoch(2)).isEqualTo(new EpochEndOffset(2, 3));
            assertThat(log.endOffsetForEpoch(1)).isEqualTo(new EpochEndOffset(1, 0));
            assertThat(log.endOffsetForEpoch(8)).isEqualTo(new EpochEndOffset(-1, -1));
        }
        assertThat(Files.readAllLines(dir.resolve("leader-epoch-checkpoint")))
                .containsExactly("0", "3", "2 0", "5 3", "7 4");
        try (Log log = Log.open(dir, TP, new TestRecords.Config().build(), () -> 0L)) {
            assertThat(log.endOffsetForEpoch(5)).isEqualTo(new EpochEndOffset(5, 4));
            log.truncateTo(4);
            assertThat(log.latestEpoch()).isEqualTo(5);
            assertThat(log.endOffsetForEpoch(5)).isEqualTo(new EpochEndOffset(5, 4));
        }
    }

    @Test
    void aNewLeaderEpochStartsAtTheLogEndOffsetBeforeAnythingIsWrittenInIt() throws Exception {
        Path dir = dataDir.resolve(TP.dirName());
        try (Log log = Log.open(dir, TP, new TestRecords.Config().build(), () -> 0L)) {
            assertThat(log.assignEpochStartOffset(0)).isZero();
            assertThat(log.endOffsetForEpoch(0)).isEqualTo(new EpochEndOffset(0, 0));
            log.appendAsLeader(batch(0, "a", "b"), 0);
            // Leadership moves on at epoch 3 before anything is written in it: epoch 0 ends where epoch 3 starts.
            assertThat(log.assignEpochStartOffset(3)).isEqualTo(2);
            assertThat(log.endOffsetForEpoch(3)).isEqualTo(new EpochEndOffset(3, 2));
            assertThat(log.endOffsetForEpoch(0)).isEqualTo(new EpochEndOffset(0, 2));
            assertThat(log.endOffsetForEpoch(1)).isEqualTo(new EpochEndOffset(0, 2));
            // An epoch that is not newer changes nothing.
            assertThat(log.assignEpochStartOffset(3)).isEqualTo(-1);
            assertThat(log.assignEpochStartOffset(2)).isEqualTo(-1);
            log.appendAsLeader(batch(0, "c"), 3);
            assertThat(log.endOffsetForEpoch(3)).isEqualTo(new EpochEndOffset(3, 3));
        }
        assertThat(Files.readAllLines(dir.resolve("leader-epoch-checkpoint"))).containsExactly("0", "2", "0 0", "3 2");
    }

    @Test
    void aNewEpochIsWrittenWithItsFirstAppendNotWhenAssigned() throws Exception {
        Path dir = dataDir.resolve(TP.dirName());
        Path checkpoint = dir.resolve("leader-epoch-checkpoint");
        try (Log log = Log.open(dir, TP, new TestRecords.Config().build(), () -> 0L)) {
            log.assignEpochStartOffset(0);
            assertThat(checkpoint).doesNotExist(); // a new partition costs no synchronous write for its epoch
            log.appendAsLeader(batch(0, "a"), 0);
            assertThat(Files.readAllLines(checkpoint)).containsExactly("0", "1", "0 0");
            log.assignEpochStartOffset(1);
            assertThat(log.endOffsetForEpoch(1)).isEqualTo(new EpochEndOffset(1, 1));
            assertThat(Files.readAllLines(checkpoint)).containsExactly("0", "1", "0 0");
        }
        // Reopened, an epoch that wrote nothing is gone (as in Kafka); the replica that leads at it assigns it again.
        try (Log log = Log.open(dir, TP, new TestRecords.Config().build(), () -> 0L)) {
            assertThat(log.endOffsetForEpoch(0)).isEqualTo(new EpochEndOffset(0, 1));
            assertThat(log.latestEpoch()).isZero();
            log.assignEpochStartOffset(1);
            log.appendAsLeader(batch(0, "b"), 1);
        }
        assertThat(Files.readAllLines(checkpoint)).containsExactly("0", "2", "0 0", "1 1");
    }
}
