package io.samsa.log;

import static io.samsa.log.TestRecords.batch;
import static io.samsa.log.TestRecords.idempotentBatch;
import static io.samsa.log.TestRecords.marker;
import static io.samsa.log.TestRecords.transactionalBatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.samsa.log.internal.ProducerSnapshotFile;
import io.samsa.log.internal.ProducerState;
import io.samsa.log.internal.SegmentFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transactions in the log: open transactions and the first unstable offset, markers written by a coordinator, the
 * aborted-transaction index with its recovery, truncation and retention, and producer snapshots holding open
 * transactions. A crash is {@link Log#closeQuietly()}, as in {@link LogRecoveryTest}.
 */
class LogTransactionTest {

    private static final TopicPartition TP = new TopicPartition("orders", 0);
    private static final long T0 = 1_700_000_000_000L;
    private static final long PID_A = 7000L;
    private static final long PID_B = 8000L;
    private static final short EPOCH = 3;

    @TempDir
    Path dataDir;

    private final AtomicLong clock = new AtomicLong(T0);
    private final List<Log> opened = new ArrayList<>();
    private final TestRecords.Config config = new TestRecords.Config();

    @AfterEach
    void closeLogs() {
        opened.forEach(Log::close);
    }

    private Path logDir() {
        return dataDir.resolve(TP.dirName());
    }

    private Log open() {
        Log log = Log.open(logDir(), TP, config.build(), clock::get);
        opened.add(log);
        return log;
    }

    private static LogAppendResult txn(Log log, long pid, int seq, String... values) {
        return log.appendAsLeader(transactionalBatch(pid, EPOCH, seq, T0, values), 0);
    }

    private static LogAppendResult end(Log log, long pid, boolean commit) {
        return log.appendAsLeader(marker(pid, EPOCH, 0, commit, T0), 0, AppendOrigin.COORDINATOR);
    }

    private static void assertKind(Runnable action, StorageException.Kind kind) {
        assertThatThrownBy(action::run).isInstanceOfSatisfying(StorageException.class,
                e -> assertThat(e.kind()).isEqualTo(kind));
    }

    private static ProducerStateEntry producer(Log log, long pid) {
        return log.activeProducers().stream().filter(p -> p.producerId() == pid).findFirst().orElseThrow();
    }

    @Test
    void anOpenTransactionHoldsTheFirstUnstableOffsetUntilItsMarker() {
        Log log = open();
        log.appendAsLeader(batch(T0, "plain"), 0); // 0
        assertThat(log.firstUnstableOffset()).isEqualTo(1);
        txn(log, PID_A, 0, "a1", "a2"); // 1-2
        log.appendAsLeader(batch(T0, "plain2"), 0); // 3
        txn(log, PID_A, 2, "a3"); // 4
        assertThat(log.firstUnstableOffset()).isEqualTo(1);
        assertThat(log.cleanableEndOffset()).isEqualTo(0); // the active segment's base: it is the only segment
        assertThat(producer(log, PID_A).currentTxnStartOffset()).isEqualTo(1);

        LogAppendResult commit = end(log, PID_A, true);
        assertThat(commit.firstOffset()).isEqualTo(5);
        assertThat(commit.recordCount()).isEqualTo(1);
        assertThat(log.logEndOffset()).isEqualTo(6);
        assertThat(log.firstUnstableOffset()).isEqualTo(6);
        assertThat(producer(log, PID_A)).isEqualTo(new ProducerStateEntry(PID_A, EPOCH, 2, T0, 0, -1));
        // A commit is not indexed: read_committed readers keep its records.
        assertThat(log.read(0, Integer.MAX_VALUE, 6, true, true).abortedTransactions()).isEmpty();
        // The next transactional batch opens a new transaction, sequences going on.
        txn(log, PID_A, 3, "a4");
        assertThat(log.firstUnstableOffset()).isEqualTo(6);
    }

    @Test
    void cleanableEndOffsetStopsAtTheActiveSegmentAndAtOpenTransactions() throws IOException {
        config.segmentBytes = batch(T0, "v0").remaining() * 2;
        Log log = open();
        for (int i = 0; i < 6; i++) {
            log.appendAsLeader(batch(T0, "v" + i), 0);
        }
        assertThat(log.cleanableEndOffset()).isEqualTo(4);
        txn(log, PID_A, 0, "t"); // offset 6, in a new segment
        log.appendAsLeader(batch(T0, "v6"), 0);
        log.appendAsLeader(batch(T0, "v7"), 0);
        log.appendAsLeader(batch(T0, "v8"), 0);
        assertThat(log.segmentCount()).isGreaterThan(4);
        assertThat(log.cleanableEndOffset()).isEqualTo(6);
        end(log, PID_A, false);
        assertThat(log.firstUnstableOffset()).isEqualTo(11);
        assertThat(log.cleanableEndOffset()).isEqualTo(activeSegmentBase()).isGreaterThan(6);
    }

    private long activeSegmentBase() throws IOException {
        try (var files = Files.list(logDir())) {
            return files.mapToLong(f -> SegmentFiles.parseOffset(f.getFileName().toString(), SegmentFiles.LOG_SUFFIX))
                    .max().orElseThrow();
        }
    }

    @Test
    void abortsAreIndexedAndReturnedForTheRangeRead() throws IOException {
        Log log = open();
        txn(log, PID_A, 0, "a1"); // 0
        txn(log, PID_B, 0, "b1", "b2"); // 1-2
        log.appendAsLeader(batch(T0, "plain"), 0); // 3
        end(log, PID_A, false); // 4: A aborted while B is open from 1
        txn(log, PID_B, 2, "b3"); // 5
        end(log, PID_B, false); // 6
        log.appendAsLeader(batch(T0, "after"), 0); // 7

        AbortedTxn abortA = new AbortedTxn(PID_A, 0, 4, 1);
        AbortedTxn abortB = new AbortedTxn(PID_B, 1, 6, 7);
        assertThat(log.collectAbortedTransactions(0, 8)).containsExactly(abortA, abortB);
        assertThat(log.collectAbortedTransactions(5, 8)).containsExactly(abortB);
        assertThat(log.collectAbortedTransactions(7, 8)).isEmpty();
        assertThat(log.collectAbortedTransactions(0, 1)).containsExactly(abortA);

        LogReadResult fromStart = log.read(0, Integer.MAX_VALUE, log.firstUnstableOffset(), true, true);
        assertThat(fromStart.abortedTransactions()).containsExactly(abortA, abortB);
        // Without asking (read_uncommitted), no aborted transactions come back.
        assertThat(log.read(0, Integer.MAX_VALUE, 8, true).abortedTransactions()).isEmpty();
        // One batch (offset 0 only): only A overlaps it.
        assertThat(log.read(0, 1, 8, true, true).abortedTransactions()).containsExactly(abortA);
        assertThat(Files.size(SegmentFiles.txnIndexFile(logDir(), 0))).isEqualTo(2 * 34);
    }

    @Test
    void anAbortIndexedInALaterSegmentIsFoundFromTheEarlierOne() {
        config.segmentBytes = batch(T0, "v0").remaining() * 2;
        Log log = open();
        txn(log, PID_A, 0, "a1"); // 0, segment 0
        log.appendAsLeader(batch(T0, "v1"), 0); // 1
        log.appendAsLeader(batch(T0, "v2"), 0); // 2, next segment
        log.appendAsLeader(batch(T0, "v3"), 0); // 3
        end(log, PID_A, false); // 4
        assertThat(log.segmentCount()).isGreaterThanOrEqualTo(3);
        assertThat(Files.exists(SegmentFiles.txnIndexFile(logDir(), 0))).isFalse();

        assertThat(log.read(0, 1, log.firstUnstableOffset(), true, true).abortedTransactions())
                .containsExactly(new AbortedTxn(PID_A, 0, 4, 5));
    }

    @Test
    void markersAndTransactionalBatchesFollowKafkasRules() {
        Log log = open();
        txn(log, PID_A, 0, "a1");
        // A plain idempotent batch from a producer inside its transaction.
        assertKind(() -> log.appendAsLeader(idempotentBatch(PID_A, EPOCH, 1, T0, "plain"), 0),
                StorageException.Kind.INVALID_TXN_STATE);
        // Clients may not write markers.
        assertKind(() -> log.appendAsLeader(marker(PID_A, EPOCH, 0, true, T0), 0),
                StorageException.Kind.INVALID_RECORD);
        // A marker of an older producer epoch is a zombie coordinator's or producer's.
        assertKind(() -> log.appendAsLeader(marker(PID_A, (short) (EPOCH - 1), 0, false, T0), 0,
                AppendOrigin.COORDINATOR), StorageException.Kind.INVALID_PRODUCER_EPOCH);
        assertThat(log.logEndOffset()).isEqualTo(1);

        // The coordinator fences the producer: the abort comes with the bumped epoch and coordinator epoch 5.
        short fenced = (short) (EPOCH + 1);
        log.appendAsLeader(marker(PID_A, fenced, 5, false, T0), 0, AppendOrigin.COORDINATOR);
        assertThat(producer(log, PID_A)).isEqualTo(new ProducerStateEntry(PID_A, fenced, -1, -1, 5, -1));
        assertThat(log.collectAbortedTransactions(0, 2)).containsExactly(new AbortedTxn(PID_A, 0, 1, 2));
        // The old epoch's late write is fenced; a marker from an older coordinator epoch too.
        assertKind(() -> txn(log, PID_A, 1, "zombie"), StorageException.Kind.INVALID_PRODUCER_EPOCH);
        assertKind(() -> log.appendAsLeader(marker(PID_A, fenced, 4, true, T0), 0, AppendOrigin.COORDINATOR),
                StorageException.Kind.TRANSACTION_COORDINATOR_FENCED);
        // The new epoch starts its sequences at 0.
        assertKind(() -> log.appendAsLeader(transactionalBatch(PID_A, fenced, 2, T0, "x"), 0),
                StorageException.Kind.OUT_OF_ORDER_SEQUENCE);
        assertThat(log.appendAsLeader(transactionalBatch(PID_A, fenced, 0, T0, "x"), 0).firstOffset()).isEqualTo(2);
        // A marker for a transaction with no data here changes nothing but the epochs.
        Log other = Log.open(dataDir.resolve("other-0"), new TopicPartition("other", 0), config.build(), clock::get);
        opened.add(other);
        other.appendAsLeader(marker(PID_B, EPOCH, 0, false, T0), 0, AppendOrigin.COORDINATOR);
        assertThat(other.collectAbortedTransactions(0, 1)).isEmpty();
        assertThat(other.firstUnstableOffset()).isEqualTo(1);
    }

    @Test
    void coordinatorWritesSkipSequenceChecksButNotEpochs() {
        Log log = open();
        // The group coordinator writes each transactional offset commit at sequence 0.
        log.appendAsLeader(transactionalBatch(PID_A, EPOCH, 0, T0, "commit1"), 0, AppendOrigin.COORDINATOR);
        log.appendAsLeader(transactionalBatch(PID_A, EPOCH, 0, T0, "commit2"), 0, AppendOrigin.COORDINATOR);
        assertThat(log.logEndOffset()).isEqualTo(2);
        assertThat(log.firstUnstableOffset()).isEqualTo(0);
        assertKind(() -> log.appendAsLeader(transactionalBatch(PID_A, (short) 1, 0, T0, "old"), 0,
                AppendOrigin.COORDINATOR), StorageException.Kind.INVALID_PRODUCER_EPOCH);
        end(log, PID_A, true);
        assertThat(log.firstUnstableOffset()).isEqualTo(3);
    }

    @Test
    void openTransactionsSurviveACleanRestartThroughTheSnapshot() {
        Log log = open();
        log.appendAsLeader(batch(T0, "plain"), 0); // 0
        txn(log, PID_A, 0, "a1"); // 1
        end(log, PID_A, false); // 2
        txn(log, PID_B, 0, "b1"); // 3
        log.close();
        assertThat(SegmentFiles.snapshotFile(logDir(), 4)).exists();

        Log reopened = open();
        assertThat(reopened.firstUnstableOffset()).isEqualTo(3);
        assertThat(producer(reopened, PID_B).currentTxnStartOffset()).isEqualTo(3);
        assertThat(producer(reopened, PID_A).coordinatorEpoch()).isEqualTo(0);
        assertThat(reopened.collectAbortedTransactions(0, 4)).containsExactly(new AbortedTxn(PID_A, 1, 2, 3));
        end(reopened, PID_B, false);
        assertThat(reopened.firstUnstableOffset()).isEqualTo(5);
        assertThat(reopened.collectAbortedTransactions(0, 5)).containsExactly(new AbortedTxn(PID_A, 1, 2, 3),
                new AbortedTxn(PID_B, 3, 4, 5));
    }

    @Test
    void snapshotFileRoundTripsOpenTransactionsAndCoordinatorEpochs() throws IOException {
        Path file = dataDir.resolve("00000000000000000042.snapshot");
        List<ProducerState> states = List.of(
                new ProducerState(PID_A, EPOCH, List.of(new ProducerState.Batch(0, 4, 10, 14, T0)), 7, 10),
                new ProducerState(PID_B, (short) 0, List.of(), 2, -1));
        ProducerSnapshotFile.write(file, states);
        assertThat(ProducerSnapshotFile.read(file)).containsExactlyInAnyOrderElementsOf(states);
    }

    @Test
    void recoveryAfterATornMarkerReopensTheTransactionAndDropsItsIndexEntry() throws IOException {
        Log log = open();
        txn(log, PID_A, 0, "a1", "a2"); // 0-1
        end(log, PID_A, false); // 2
        txn(log, PID_B, 0, "b1"); // 3
        long sizeBeforeSecondAbort = log.sizeInBytes();
        end(log, PID_B, false); // 4
        assertThat(log.collectAbortedTransactions(0, 5)).hasSize(2);
        log.closeQuietly(); // crash

        // The second marker was torn: only half of it reached the disk, though its index entry did.
        Path segment = SegmentFiles.logFile(logDir(), 0);
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            ch.truncate(sizeBeforeSecondAbort + 20);
        }
        Log reopened = open();
        assertThat(reopened.logEndOffset()).isEqualTo(4);
        assertThat(reopened.firstUnstableOffset()).isEqualTo(3);
        assertThat(reopened.collectAbortedTransactions(0, 4)).containsExactly(new AbortedTxn(PID_A, 0, 2, 3));
        assertThat(Files.size(SegmentFiles.txnIndexFile(logDir(), 0))).isEqualTo(34);
        // The coordinator writes the marker again and the index follows.
        assertThat(end(reopened, PID_B, false).firstOffset()).isEqualTo(4);
        assertThat(reopened.collectAbortedTransactions(0, 5)).containsExactly(new AbortedTxn(PID_A, 0, 2, 3),
                new AbortedTxn(PID_B, 3, 4, 5));
    }

    @Test
    void aTornIndexEntryIsDroppedAndTheAbortRebuiltFromTheLog() throws IOException {
        Log log = open();
        txn(log, PID_A, 0, "a1"); // 0
        end(log, PID_A, false); // 1
        log.closeQuietly(); // crash: no snapshot, so the whole log is replayed
        Path index = SegmentFiles.txnIndexFile(logDir(), 0);
        try (FileChannel ch = FileChannel.open(index, StandardOpenOption.WRITE)) {
            ch.truncate(20);
        }
        Log reopened = open();
        assertThat(reopened.collectAbortedTransactions(0, 2)).containsExactly(new AbortedTxn(PID_A, 0, 1, 2));
        assertThat(Files.size(index)).isEqualTo(34);
    }

    @Test
    void truncationRemovesIndexEntriesAndReopensTheTransaction() {
        Log log = open();
        txn(log, PID_A, 0, "a1"); // 0
        end(log, PID_A, false); // 1
        txn(log, PID_B, 0, "b1"); // 2
        end(log, PID_B, false); // 3
        log.truncateTo(3);
        assertThat(log.logEndOffset()).isEqualTo(3);
        assertThat(log.firstUnstableOffset()).isEqualTo(2);
        assertThat(log.collectAbortedTransactions(0, 3)).containsExactly(new AbortedTxn(PID_A, 0, 1, 2));
        log.truncateTo(1);
        assertThat(log.firstUnstableOffset()).isEqualTo(0);
        assertThat(log.collectAbortedTransactions(0, 1)).isEmpty();
    }

    @Test
    void retentionDeletesTheIndexWithItsSegment() {
        config.segmentBytes = batch(T0, "v0").remaining() * 2;
        Log log = open();
        txn(log, PID_A, 0, "a1"); // 0
        end(log, PID_A, false); // 1, indexed in segment 0
        log.appendAsLeader(batch(T0, "v2"), 0);
        log.appendAsLeader(batch(T0, "v3"), 0);
        log.appendAsLeader(batch(T0, "v4"), 0);
        Path index = SegmentFiles.txnIndexFile(logDir(), 0);
        assertThat(index).exists();
        log.deleteRecordsBefore(2);
        assertThat(log.logStartOffset()).isEqualTo(2);
        assertThat(index).doesNotExist();
        assertThat(log.collectAbortedTransactions(2, 5)).isEmpty();
    }

    @Test
    void controlBatchesAreReadBackAsKafkaWroteThem() {
        Log log = open();
        txn(log, PID_A, 0, "a1");
        end(log, PID_A, true);
        ByteBuffer read = log.read(1, Integer.MAX_VALUE, 2, true).records();
        RecordBatchView marker = RecordBatchView.at(read, 0);
        assertThat(marker.isControl()).isTrue();
        assertThat(marker.isTransactional()).isTrue();
        assertThat(marker.baseOffset()).isEqualTo(1);
        assertThat(TransactionMarker.read(marker)).isEqualTo(new TransactionMarker(true, 0));
    }
}
