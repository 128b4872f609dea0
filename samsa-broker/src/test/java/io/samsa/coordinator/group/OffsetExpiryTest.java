package io.samsa.coordinator.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** offsets.retention.minutes: offsets of empty groups expire, counted from the later of commit and emptiness. */
class OffsetExpiryTest {

    private static final long RETENTION = TimeUnit.MINUTES.toMillis(10);

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
    private final RecordingPartitionWriter log = new RecordingPartitionWriter();
    private final GroupCoordinator coordinator = new GroupCoordinator(new GroupCoordinator.Settings(1, 6000, 300_000,
            0, 100, 4096, RETENTION, new GroupCoordinator.ConsumerProtocol(45_000, 5000, 100, List.of("uniform"))),
            log, scheduler, () -> Map.of("t", 2), now::get);

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    private void commit(String group, String memberId, int epoch, long offset) {
        GroupError error = coordinator.commitOffsets(group, memberId, null, epoch, Map.of(new OffsetKey(group, "t", 0),
                new CommittedOffset(offset, -1, "", now.get()))).join().get(new OffsetKey(group, "t", 0));
        assertThat(error).isEqualTo(GroupError.NONE);
    }

    @Test
    void aStandaloneGroupsOffsetsExpireAfterTheRetentionAndTheGroupGoes() {
        commit("simple", "", -1, 7);
        now.addAndGet(RETENTION - 1);
        assertThat(coordinator.expireOffsets().join()).isZero();
        assertThat(coordinator.fetchOffsets("simple", null)).hasSize(1);

        now.addAndGet(1);
        assertThat(coordinator.expireOffsets().join()).isEqualTo(1);
        assertThat(coordinator.fetchOffsets("simple", null)).isEmpty();
        assertThat(coordinator.listGroups()).isEmpty();
        assertThat(log.appended.get(log.appended.size() - 1).value()).as("a tombstone").isNull();
    }

    @Test
    void aGroupWithMembersKeepsItsOffsetsAndTheyAgeFromWhenItBecameEmpty() {
        ConsumerHeartbeatResult joined = coordinator.consumerHeartbeat(new ConsumerHeartbeat("busy", "m", 0, null,
                null, 30_000, List.of("t"), null, null, Assignment.EMPTY, "c", "/127.0.0.1", true)).join();
        assertThat(joined.error()).isEqualTo(GroupError.NONE);
        commit("busy", "m", joined.memberEpoch(), 3);
        now.addAndGet(RETENTION * 2);
        assertThat(coordinator.expireOffsets().join()).isZero();

        coordinator.consumerHeartbeat(new ConsumerHeartbeat("busy", "m", -1, null, null, -1, null, null, null, null,
                "c", "/127.0.0.1", true)).join();
        now.addAndGet(RETENTION - 1);
        assertThat(coordinator.expireOffsets().join()).as("empty for less than the retention").isZero();
        now.addAndGet(1);
        assertThat(coordinator.expireOffsets().join()).isEqualTo(1);
        assertThat(coordinator.fetchOffsets("busy", null)).isEmpty();
        assertThat(coordinator.listGroups()).isEmpty();
    }
}
