package io.samsa.coordinator.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Offsets committed in a transaction become committed with its marker, unless a later plain commit overtook them. */
class TransactionalOffsetsTest {

    private static final OffsetKey KEY = new OffsetKey("txn-group", "t", 0);
    private static final long PRODUCER = 7;

    private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
    private final GroupCoordinator coordinator = new GroupCoordinator(new GroupCoordinator.Settings(1, 6000, 300_000,
            0, 100, 4096, 60_000, new GroupCoordinator.ConsumerProtocol(45_000, 5000, 100, List.of("uniform"))),
            new RecordingPartitionWriter(), scheduler, () -> Map.of("t", 1), System::currentTimeMillis);

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    private void commitInTransaction(long offset) {
        assertThat(coordinator.commitTransactionalOffsets("txn-group", PRODUCER, (short) 0, "", null, -1,
                Map.of(KEY, new CommittedOffset(offset, -1, "", 0)), () -> { }).join().get(KEY))
                .isEqualTo(GroupError.NONE);
    }

    private void commitPlain(long offset) {
        assertThat(coordinator.commitOffsets("txn-group", "", null, -1, Map.of(KEY, new CommittedOffset(offset, -1,
                "", 0))).join().get(KEY)).isEqualTo(GroupError.NONE);
    }

    private Long committed() {
        CommittedOffset offset = coordinator.fetchOffsets("txn-group", null).get(KEY);
        return offset == null ? null : offset.offset();
    }

    @Test
    void aCommitMarkerAppliesTheOffsetAndAnAbortDropsIt() {
        commitInTransaction(10);
        assertThat(committed()).isNull();
        assertThat(coordinator.hasPendingTransactionalOffset(KEY)).isTrue();
        coordinator.endTransaction(0, PRODUCER, true);
        assertThat(committed()).isEqualTo(10);
        commitInTransaction(20);
        coordinator.endTransaction(0, PRODUCER, false);
        assertThat(committed()).isEqualTo(10);
        assertThat(coordinator.hasPendingTransactionalOffset(KEY)).isFalse();
    }

    @Test
    void aPlainCommitWrittenAfterTheTransactionalOneWins() {
        commitInTransaction(10);
        commitPlain(30);
        coordinator.endTransaction(0, PRODUCER, true);
        assertThat(committed()).isEqualTo(30);
        // The other way round the transaction's offset is the later write.
        commitPlain(40);
        commitInTransaction(50);
        coordinator.endTransaction(0, PRODUCER, true);
        assertThat(committed()).isEqualTo(50);
    }
}
