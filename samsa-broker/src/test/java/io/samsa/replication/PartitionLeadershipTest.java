package io.samsa.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.samsa.log.EpochEndOffset;
import io.samsa.log.LogConfig;
import io.samsa.log.LogManager;
import io.samsa.log.TopicPartition;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica leads or follows as the metadata says: only the leader appends and answers consumers, the epoch checks
 * come before the leadership check (Kafka's Partition.getLocalLog), and each new leader epoch is recorded where it
 * starts.
 */
class PartitionLeadershipTest {

    private static final TopicPartition TP = new TopicPartition("t", 0);
    private static final TopicPartition ELSEWHERE = new TopicPartition("t", 1);
    private static final int ME = 1;

    @TempDir
    Path dir;

    private LogManager logs;
    private ScheduledThreadPoolExecutor scheduler;
    private ReplicaManager replicas;

    @BeforeEach
    void open() {
        logs = LogManager.open(dir, () -> 0L);
        scheduler = new ScheduledThreadPoolExecutor(1);
        // The metadata knows t-0 and t-1; this broker hosts t-0 only.
        replicas = new ReplicaManager(ME, logs, scheduler, Set.of(TP, ELSEWHERE)::contains);
    }

    @AfterEach
    void close() {
        scheduler.shutdownNow();
        logs.close();
    }

    private static ByteBuffer batch(String value) {
        return MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(value.getBytes())).buffer();
    }

    private Partition lead(int epoch) {
        return replicas.becomeLeader(TP, UUID.randomUUID(), epoch, List.of(ME), LogConfig.defaults(), 1);
    }

    private Partition follow(int leader, int epoch) {
        return replicas.becomeFollower(TP, UUID.randomUUID(), leader, epoch, List.of(leader), LogConfig.defaults(),
                1);
    }

    private static ReplicationException.Kind refusal(Runnable action) {
        try {
            action.run();
            return null;
        } catch (ReplicationException e) {
            return e.kind();
        }
    }

    @Test
    void onlyTheLeaderAppendsAndAFollowerRefusesWithNotLeader() {
        Partition partition = lead(0);
        partition.appendAsLeader(batch("a"), (short) -1);
        follow(2, 1);
        assertThat(partition.isLeader()).isFalse();
        assertThat(partition.leaderId()).isEqualTo(2);
        assertThatThrownBy(() -> partition.appendAsLeader(batch("b"), (short) 1))
                .isInstanceOf(ReplicationException.class)
                .extracting(e -> ((ReplicationException) e).kind())
                .isEqualTo(ReplicationException.Kind.NOT_LEADER_OR_FOLLOWER);
        assertThat(partition.log().logEndOffset()).isEqualTo(1);
        lead(2);
        assertThat(partition.appendAsLeader(batch("c"), (short) -1).firstOffset()).isEqualTo(1);
    }

    @Test
    void theLeaderEpochIsCheckedBeforeLeadershipAsKafkaDoes() {
        Partition partition = follow(2, 5);
        assertThat(refusal(() -> partition.checkLeader(-1))).isEqualTo(ReplicationException.Kind.NOT_LEADER_OR_FOLLOWER);
        assertThat(refusal(() -> partition.checkLeader(5))).isEqualTo(ReplicationException.Kind.NOT_LEADER_OR_FOLLOWER);
        assertThat(refusal(() -> partition.checkLeader(4))).isEqualTo(ReplicationException.Kind.FENCED_LEADER_EPOCH);
        assertThat(refusal(() -> partition.checkLeader(6))).isEqualTo(ReplicationException.Kind.UNKNOWN_LEADER_EPOCH);
        lead(6);
        assertThat(refusal(() -> partition.checkLeader(6))).isNull();
        assertThat(refusal(() -> partition.checkLeader(-1))).isNull();
        assertThat(refusal(() -> partition.checkLeader(5))).isEqualTo(ReplicationException.Kind.FENCED_LEADER_EPOCH);
    }

    @Test
    void aPartitionTheMetadataKnowsButThisBrokerDoesNotHostIsNotLeaderElseUnknown() {
        lead(0);
        assertThat(refusal(() -> replicas.partitionOrThrow("t", 1)))
                .isEqualTo(ReplicationException.Kind.NOT_LEADER_OR_FOLLOWER);
        assertThat(refusal(() -> replicas.partitionOrThrow("t", 2)))
                .isEqualTo(ReplicationException.Kind.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(refusal(() -> replicas.partitionOrThrow("t", -1)))
                .isEqualTo(ReplicationException.Kind.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(refusal(() -> replicas.leaderOrThrow("t", 0, 0))).isNull();
    }

    @Test
    void eachNewLeaderEpochIsRecordedWhereItStarts() {
        Partition partition = lead(0);
        partition.appendAsLeader(batch("a"), (short) -1);
        partition.appendAsLeader(batch("b"), (short) -1);
        follow(2, 1);
        lead(3);
        // Epoch 3 starts at offset 2 before anything is written in it; this replica never led epoch 1.
        assertThat(partition.log().endOffsetForEpoch(0)).isEqualTo(new EpochEndOffset(0, 2));
        assertThat(partition.log().endOffsetForEpoch(1)).isEqualTo(new EpochEndOffset(0, 2));
        assertThat(partition.log().endOffsetForEpoch(3)).isEqualTo(new EpochEndOffset(3, 2));
        lead(3); // the same epoch again changes nothing
        partition.appendAsLeader(batch("c"), (short) -1);
        assertThat(partition.log().endOffsetForEpoch(3)).isEqualTo(new EpochEndOffset(3, 3));
    }

    @Test
    void aWaitingFetchIsAnsweredNotLeaderAsSoonAsTheReplicaFollows() {
        lead(0);
        CompletableFuture<List<FetchResult>> waiting = replicas.fetch(new FetchParams(60_000, 1, 1 << 20, false),
                List.of(new FetchPartition(TP, 0, 1 << 16, 0)));
        assertThat(waiting).isNotDone();
        follow(2, 1);
        assertThat(waiting).isCompleted();
        FetchResult result = waiting.join().getFirst();
        // The fetch named epoch 0 and the replica is now at epoch 1: fenced first, as Kafka checks.
        assertThat(((ReplicationException) result.error()).kind())
                .isEqualTo(ReplicationException.Kind.FENCED_LEADER_EPOCH);
    }
}
