package io.samsa.log;

import static io.samsa.log.TestRecords.batch;
import static io.samsa.log.TestRecords.idempotentBatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProducerIdempotenceTest {

    private static final TopicPartition TP = new TopicPartition("payments", 0);
    private static final long T0 = 1_700_000_000_000L;
    private static final long PID = 4000L;
    private static final short EPOCH = 2;

    @TempDir
    Path dataDir;

    private final AtomicLong clock = new AtomicLong(T0);
    private final List<Log> opened = new ArrayList<>();
    private final TestRecords.Config config = new TestRecords.Config();

    @AfterEach
    void closeLogs() {
        opened.forEach(Log::close);
    }

    private Log open() {
        Log log = Log.open(dataDir.resolve(TP.dirName()), TP, config.build(), clock::get);
        opened.add(log);
        return log;
    }

    private static void assertKind(Runnable action, StorageException.Kind kind) {
        assertThatThrownBy(action::run).isInstanceOfSatisfying(StorageException.class,
                e -> assertThat(e.kind()).isEqualTo(kind));
    }

    @Test
    void retriedBatchReturnsTheOriginalOffsetsAndWritesNothing() {
        Log log = open();
        log.appendAsLeader(batch(T0, "other"), 0); // offset 0
        assertThat(log.appendAsLeader(idempotentBatch(PID, EPOCH, 0, T0, "a", "b"), 0))
                .isEqualTo(new LogAppendResult(1, 2, -1, 0, 2, false));
        assertThat(log.appendAsLeader(idempotentBatch(PID, EPOCH, 2, T0 + 5, "c"), 0))
                .isEqualTo(new LogAppendResult(3, 3, -1, 0, 1, false));
        long size = log.sizeInBytes();

        assertThat(log.appendAsLeader(idempotentBatch(PID, EPOCH, 0, T0, "a", "b"), 0))
                .isEqualTo(new LogAppendResult(1, 2, T0 + 1, 0, 0, true));
        assertThat(log.appendAsLeader(idempotentBatch(PID, EPOCH, 2, T0 + 5, "c"), 0))
                .isEqualTo(new LogAppendResult(3, 3, T0 + 5, 0, 0, true));
        assertThat(log.sizeInBytes()).isEqualTo(size);
        assertThat(log.logEndOffset()).isEqualTo(4);
        assertThat(log.activeProducers()).containsExactly(new ProducerStateEntry(PID, EPOCH, 2, T0 + 5, -1, -1));
    }

    @Test
    void sequenceAndEpochRules() {
        Log log = open();
        log.appendAsLeader(idempotentBatch(PID, EPOCH, 10, T0, "a"), 0); // unknown producer: any start
        assertKind(() -> log.appendAsLeader(idempotentBatch(PID, EPOCH, 12, T0, "gap"), 0),
                StorageException.Kind.OUT_OF_ORDER_SEQUENCE);
        assertKind(() -> log.appendAsLeader(idempotentBatch(PID, (short) 1, 11, T0, "old"), 0),
                StorageException.Kind.INVALID_PRODUCER_EPOCH);
        assertKind(() -> log.appendAsLeader(idempotentBatch(PID, (short) 3, 5, T0, "new epoch"), 0),
                StorageException.Kind.OUT_OF_ORDER_SEQUENCE);
        // In one request, the second batch must follow the first.
        assertKind(() -> log.appendAsLeader(TestRecords.concat(idempotentBatch(PID, EPOCH, 11, T0, "b"),
                idempotentBatch(PID, EPOCH, 13, T0, "c")), 0), StorageException.Kind.OUT_OF_ORDER_SEQUENCE);
        assertThat(log.logEndOffset()).isEqualTo(1);

        assertThat(log.appendAsLeader(TestRecords.concat(idempotentBatch(PID, EPOCH, 11, T0, "b"),
                idempotentBatch(PID, EPOCH, 12, T0, "c", "d")), 0).lastOffset()).isEqualTo(3);
        assertThat(log.appendAsLeader(idempotentBatch(PID, (short) 3, 0, T0, "bumped"), 0).firstOffset())
                .isEqualTo(4);
        assertKind(() -> log.appendAsLeader(idempotentBatch(PID, EPOCH, 14, T0, "fenced"), 0),
                StorageException.Kind.INVALID_PRODUCER_EPOCH);
        assertThat(log.activeProducers()).containsExactly(new ProducerStateEntry(PID, (short) 3, 0, T0, -1, -1));
    }

    @Test
    void sequenceWrapsToZeroAfterIntegerMaxValue() {
        Log log = open();
        log.appendAsLeader(idempotentBatch(PID, EPOCH, Integer.MAX_VALUE - 1, T0, "a", "b"), 0);
        assertThat(log.appendAsLeader(idempotentBatch(PID, EPOCH, 0, T0, "c"), 0).firstOffset()).isEqualTo(2);
    }

    @Test
    void onlyTheLastFiveBatchesAreRecognisedAsDuplicates() {
        Log log = open();
        for (int seq = 0; seq < 6; seq++) {
            log.appendAsLeader(idempotentBatch(PID, EPOCH, seq, T0, "v" + seq), 0);
        }
        assertThat(log.appendAsLeader(idempotentBatch(PID, EPOCH, 1, T0, "v1"), 0).duplicate()).isTrue();
        assertKind(() -> log.appendAsLeader(idempotentBatch(PID, EPOCH, 0, T0, "v0"), 0),
                StorageException.Kind.OUT_OF_ORDER_SEQUENCE);
    }

    @Test
    void duplicatesAreRecognisedAfterACleanReopen() {
        Log log = open();
        log.appendAsLeader(idempotentBatch(PID, EPOCH, 0, T0, "a"), 0);
        log.appendAsLeader(idempotentBatch(PID, EPOCH, 1, T0, "b"), 0);
        log.close();
        opened.remove(log);

        Log reopened = open();
        assertThat(reopened.appendAsLeader(idempotentBatch(PID, EPOCH, 0, T0, "a"), 0))
                .isEqualTo(new LogAppendResult(0, 0, T0, 0, 0, true));
        assertThat(reopened.appendAsLeader(idempotentBatch(PID, EPOCH, 1, T0, "b"), 0).duplicate()).isTrue();
        assertKind(() -> reopened.appendAsLeader(idempotentBatch(PID, EPOCH, 3, T0, "c"), 0),
                StorageException.Kind.OUT_OF_ORDER_SEQUENCE);
        assertThat(reopened.appendAsLeader(idempotentBatch(PID, EPOCH, 2, T0, "c"), 0).firstOffset()).isEqualTo(2);
    }

    @Test
    void duplicatesAreRecognisedAfterACrashFromSnapshotPlusReplay() {
        config.segmentBytes = idempotentBatch(PID, EPOCH, 0, T0, "v0").remaining() * 2;
        Log log = open();
        for (int seq = 0; seq < 5; seq++) {
            log.appendAsLeader(idempotentBatch(PID, EPOCH, seq, T0 + seq, "v" + seq), 0);
        }
        // Rolls at offsets 2 and 4 wrote snapshots; offset 4 is only in the log.
        assertThat(log.segmentCount()).isEqualTo(3);
        log.closeQuietly(); // crash: no clean snapshot
        opened.remove(log);

        Log reopened = open();
        assertThat(reopened.appendAsLeader(idempotentBatch(PID, EPOCH, 4, T0 + 4, "v4"), 0))
                .isEqualTo(new LogAppendResult(4, 4, T0 + 4, 0, 0, true));
        assertThat(reopened.appendAsLeader(idempotentBatch(PID, EPOCH, 1, T0 + 1, "v1"), 0))
                .isEqualTo(new LogAppendResult(1, 1, T0 + 1, 0, 0, true));
        assertThat(reopened.appendAsLeader(idempotentBatch(PID, EPOCH, 5, T0, "v5"), 0).firstOffset()).isEqualTo(5);
        assertThat(TestRecords.values(reopened)).containsExactly("v0", "v1", "v2", "v3", "v4", "v5");
    }
}
