package io.samsa.coordinator.transaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.samsa.coordinator.PartitionWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The coordinator's state machine on its own, over an in-memory log of its topic and a marker writer that records
 * the markers (the integration tests drive it through the wire with real clients): epoch bumps and rotation, KIP-360
 * retries, marker retries, failed state writes, and completion of prepared transactions after a reload.
 */
class TransactionCoordinatorTest {

    private static final TxnPartition DATA = new TxnPartition("orders", 0);

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final InMemoryTopic topic = new InMemoryTopic();
    private final RecordingMarkers markers = new RecordingMarkers();
    private final AtomicLong nextProducerId = new AtomicLong(1000);
    private final AtomicLong clock = new AtomicLong(1_700_000_000_000L);

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    private TransactionCoordinator coordinator() {
        return new TransactionCoordinator(new TransactionCoordinator.Settings(3, 60_000, 1000, 1000, 1000), topic,
                markers, nextProducerId::getAndIncrement, scheduler, clock::get);
    }

    private static TransactionCoordinator.InitResult init(TransactionCoordinator tc, String id, long pid,
            short epoch) {
        return tc.initProducerId(id, 10_000, pid, epoch).join();
    }

    @Test
    void kip360RetriesGetTheSameEpochAndAStaleEpochIsFenced() {
        TransactionCoordinator tc = coordinator();
        TransactionCoordinator.InitResult first = init(tc, "tx", -1, (short) -1);
        assertThat(first).isEqualTo(new TransactionCoordinator.InitResult(TxnError.NONE, 1000, (short) 0));
        // The producer bumps its own epoch after an abortable error, and retries the bump.
        TransactionCoordinator.InitResult bumped = init(tc, "tx", 1000, (short) 0);
        assertThat(bumped.producerEpoch()).isEqualTo((short) 1);
        assertThat(init(tc, "tx", 1000, (short) 0)).isEqualTo(bumped);
        // A producer with an epoch that is neither the current nor the previous one is a zombie.
        assertThat(init(tc, "tx", 1000, (short) 7).error()).isEqualTo(TxnError.PRODUCER_FENCED);
        assertThat(init(tc, "tx", 555, (short) 1).error()).isEqualTo(TxnError.PRODUCER_FENCED);
    }

    @Test
    void anExhaustedEpochRotatesToANewProducerId() {
        TransactionCoordinator tc = coordinator();
        init(tc, "tx", -1, (short) -1);
        topic.rewrite("tx", m -> new TransactionMetadata(m.transactionalId(), m.producerId(), -1,
                (short) (Short.MAX_VALUE - 1), (short) -1, m.timeoutMs(), TransactionState.EMPTY, Set.of(), -1, 0));
        TransactionCoordinator reloaded = coordinator();
        reloaded.load();
        TransactionCoordinator.InitResult rotated = init(reloaded, "tx", -1, (short) -1);
        assertThat(rotated).isEqualTo(new TransactionCoordinator.InitResult(TxnError.NONE, 1001, (short) 0));
        assertThat(reloaded.describe("tx").previousProducerId()).isEqualTo(1000);
    }

    @Test
    void markersThatFailAreRetriedUntilTheTransactionCompletes() throws Exception {
        TransactionCoordinator tc = coordinator();
        TransactionCoordinator.InitResult id = init(tc, "tx", -1, (short) -1);
        assertThat(tc.addPartitions("tx", id.producerId(), id.producerEpoch(), Set.of(DATA)).join())
                .isEqualTo(TxnError.NONE);
        markers.failing.set(true);
        assertThat(tc.endTransaction("tx", id.producerId(), id.producerEpoch(), true).join()).isEqualTo(TxnError.NONE);
        assertThat(tc.describe("tx").state()).isEqualTo(TransactionState.PREPARE_COMMIT);
        assertThat(tc.endTransaction("tx", id.producerId(), id.producerEpoch(), true).join())
                .isEqualTo(TxnError.CONCURRENT_TRANSACTIONS);
        assertThat(tc.verify("tx", id.producerId(), id.producerEpoch(), DATA))
                .isEqualTo(TxnError.CONCURRENT_TRANSACTIONS);
        markers.failing.set(false);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (tc.describe("tx").state() != TransactionState.COMPLETE_COMMIT) {
            assertThat(System.nanoTime()).as("completed in time").isLessThan(deadline);
            Thread.sleep(20);
        }
        assertThat(markers.written).containsExactly("COMMIT 1000/0 " + DATA);
        assertThat(tc.describe("tx").partitions()).isEmpty();
    }

    @Test
    void aFailedStateWriteChangesNothing() {
        TransactionCoordinator tc = coordinator();
        TransactionCoordinator.InitResult id = init(tc, "tx", -1, (short) -1);
        topic.failing.set(true);
        assertThat(tc.addPartitions("tx", id.producerId(), id.producerEpoch(), Set.of(DATA)).join())
                .isEqualTo(TxnError.COORDINATOR_NOT_AVAILABLE);
        assertThat(tc.describe("tx").state()).isEqualTo(TransactionState.EMPTY);
        assertThat(init(tc, "tx", -1, (short) -1).error()).isEqualTo(TxnError.COORDINATOR_NOT_AVAILABLE);
        assertThat(tc.describe("tx").producerEpoch()).isEqualTo((short) 0);
    }

    @Test
    void aTransactionPreparedBeforeAReloadIsCompletedByTheLoad() {
        TransactionCoordinator tc = coordinator();
        TransactionCoordinator.InitResult id = init(tc, "tx", -1, (short) -1);
        tc.addPartitions("tx", id.producerId(), id.producerEpoch(), Set.of(DATA)).join();
        markers.failing.set(true);
        tc.endTransaction("tx", id.producerId(), id.producerEpoch(), false).join();
        scheduler.shutdownNow(); // the broker stops before the retry

        markers.failing.set(false);
        TransactionCoordinator reloaded = new TransactionCoordinator(new TransactionCoordinator.Settings(3, 60_000,
                1000, 1000, 1000), topic, markers, nextProducerId::getAndIncrement,
                Executors.newSingleThreadScheduledExecutor(), clock::get);
        reloaded.load();
        assertThat(markers.written).containsExactly("ABORT 1000/0 " + DATA);
        assertThat(reloaded.describe("tx").state()).isEqualTo(TransactionState.COMPLETE_ABORT);
    }

    @Test
    void onlyOngoingTransactionsPastTheirTimeoutAreAbortedWithTheProducerFenced() {
        TransactionCoordinator tc = coordinator();
        TransactionCoordinator.InitResult slow = init(tc, "slow", -1, (short) -1);
        TransactionCoordinator.InitResult idle = init(tc, "idle", -1, (short) -1);
        tc.addPartitions("slow", slow.producerId(), slow.producerEpoch(), Set.of(DATA)).join();
        clock.addAndGet(10_001);
        tc.abortTimedOutTransactions();
        assertThat(markers.written).containsExactly("ABORT " + slow.producerId() + "/1 " + DATA);
        TransactionMetadata aborted = tc.describe("slow");
        assertThat(aborted.state()).isEqualTo(TransactionState.COMPLETE_ABORT);
        assertThat(aborted.producerEpoch()).isEqualTo((short) 1);
        assertThat(tc.endTransaction("slow", slow.producerId(), slow.producerEpoch(), true).join())
                .isEqualTo(TxnError.PRODUCER_FENCED);
        assertThat(tc.describe("idle").state()).isEqualTo(TransactionState.EMPTY);
        assertThat(idle.producerEpoch()).isEqualTo((short) 0);
    }

    /** The coordinator's topic as a list of records per partition; replay goes through them in order. */
    private static final class InMemoryTopic implements PartitionWriter {
        final Map<Integer, List<KeyValue>> partitions = new ConcurrentHashMap<>();
        final AtomicBoolean failing = new AtomicBoolean();

        @Override
        public CompletableFuture<Void> append(int partition, List<KeyValue> records) {
            if (failing.get()) {
                return CompletableFuture.failedFuture(new IllegalStateException("disk full"));
            }
            partitions.computeIfAbsent(partition, p -> new ArrayList<>()).addAll(records);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> appendTransactional(int partition, long producerId, short producerEpoch,
                List<KeyValue> records, Runnable check) {
            throw new UnsupportedOperationException("the transaction coordinator writes no transactional records");
        }

        @Override
        public void replay(int partition, ReplayVisitor visitor) {
            partitions.getOrDefault(partition, List.of()).forEach(r -> visitor.record(-1, r.key(), r.value()));
        }

        /** Appends a changed copy of the latest state of a transactional id, as if written by an older run. */
        void rewrite(String id, java.util.function.UnaryOperator<TransactionMetadata> change) {
            for (List<KeyValue> records : partitions.values()) {
                for (KeyValue r : List.copyOf(records).reversed()) {
                    if (id.equals(TransactionRecords.readKey(r.key()))) {
                        records.add(new KeyValue(r.key(), TransactionRecords.value(change.apply(
                                TransactionRecords.readValue(id, r.value())))));
                        return;
                    }
                }
            }
        }
    }

    /** Records the markers it is asked to write, or fails them all while {@code failing}. */
    private static final class RecordingMarkers implements TransactionMarkerWriter {
        final List<String> written = new ArrayList<>();
        final AtomicBoolean failing = new AtomicBoolean();

        @Override
        public synchronized CompletableFuture<Set<TxnPartition>> write(long producerId, short producerEpoch,
                int coordinatorEpoch, boolean commit, Set<TxnPartition> partitions) {
            if (failing.get()) {
                return CompletableFuture.completedFuture(new HashSet<>(partitions));
            }
            partitions.forEach(p -> written.add((commit ? "COMMIT " : "ABORT ") + producerId + "/" + producerEpoch
                    + " " + p));
            return CompletableFuture.completedFuture(Set.of());
        }
    }
}
