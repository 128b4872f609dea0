package io.samsa.coordinator.transaction;

import io.samsa.coordinator.PartitionWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transaction coordinator, with Kafka's semantics for the transaction protocol v1 (KIP-98, with KIP-360 epoch
 * bumps and KIP-890 part 1 verification): InitProducerId bumps the epoch of a transactional id, fencing an older
 * producer instance and aborting its open transaction; AddPartitionsToTxn and AddOffsetsToTxn make a transaction
 * Ongoing; EndTxn prepares the commit or abort, after which the markers are written to every partition of the
 * transaction and the transaction completes. Transactions open longer than their timeout are aborted with the
 * producer fenced; transactional ids unused for transactional.id.expiration.ms are forgotten.
 *
 * <p>State lives on {@code __transaction_state} (partition = hash of the transactional id), one record per id; a
 * state change is answered only once its record is written, and {@link #load()} rebuilds the state by replaying the
 * topic, then finishes the transactions that were between their decision and their markers.
 *
 * <p>Thread-safety: every change is made under this object's lock. Current states live in a concurrent map of
 * immutable values, so {@link #verify} (called on the produce path, under a partition's lock) reads them without this
 * lock: lock order is coordinator, then partition, never the reverse.
 */
public final class TransactionCoordinator {

    private static final Logger LOG = LoggerFactory.getLogger(TransactionCoordinator.class);
    /**
     * The coordinator epoch stamped on markers. Kafka uses the leader epoch of the {@code __transaction_state}
     * partition; with one node that never changes, so it is the epoch every partition starts with.
     */
    static final int COORDINATOR_EPOCH = 0;
    private static final long MARKER_RETRY_BACKOFF_MS = 100;

    /**
     * Settings, under Kafka's names.
     *
     * @param partitions transaction.state.log.num.partitions
     * @param maxTimeoutMs transaction.max.timeout.ms: the longest transaction.timeout.ms a producer may ask for
     * @param abortTimedOutIntervalMs transaction.abort.timed.out.transaction.cleanup.interval.ms
     * @param idExpirationMs transactional.id.expiration.ms
     * @param removeExpiredIntervalMs transaction.remove.expired.transaction.cleanup.interval.ms
     */
    public record Settings(int partitions, int maxTimeoutMs, long abortTimedOutIntervalMs, long idExpirationMs,
            long removeExpiredIntervalMs) {}

    /** The answer to InitProducerId. */
    public record InitResult(TxnError error, long producerId, short producerEpoch) {
        static InitResult failed(TxnError error) {
            return new InitResult(error, TransactionMetadata.NO_PRODUCER_ID, TransactionMetadata.NO_EPOCH);
        }
    }

    /** A transaction as ListTransactions shows it. */
    public record Listing(String transactionalId, long producerId, TransactionState state) {}

    /** ListTransactions: the matching transactions, and the state filters that name no state. */
    public record ListResult(List<Listing> transactions, List<String> unknownStates) {}

    private final Settings settings;
    private final PartitionWriter writer;
    private final TransactionMarkerWriter markers;
    private final LongSupplier producerIds;
    private final ScheduledExecutorService scheduler;
    private final LongSupplier clock;
    private final Map<String, TransactionMetadata> transactions = new ConcurrentHashMap<>();
    private final LongAdder started = new LongAdder();
    private final LongAdder committed = new LongAdder();
    private final LongAdder aborted = new LongAdder();
    /** Transactional ids whose next record is being written: they take no other change meanwhile. */
    private final Set<String> writing = new HashSet<>();
    /** Partitions still waiting for the marker of a prepared transaction. */
    private final Map<String, Set<TxnPartition>> unwrittenMarkers = new HashMap<>();

    /**
     * @param producerIds hands out producer ids that are never reused (blocks from the metadata log)
     * @param clock the time in epoch milliseconds
     */
    public TransactionCoordinator(Settings settings, PartitionWriter writer, TransactionMarkerWriter markers,
            LongSupplier producerIds, ScheduledExecutorService scheduler, LongSupplier clock) {
        this.settings = settings;
        this.writer = writer;
        this.markers = markers;
        this.producerIds = producerIds;
        this.scheduler = scheduler;
        this.clock = clock;
    }

    /** The partition of {@code __transaction_state} that holds a transactional id, as Kafka computes it. */
    public int partitionFor(String transactionalId) {
        int hash = transactionalId.hashCode();
        return (hash == Integer.MIN_VALUE ? 0 : Math.abs(hash)) % settings.partitions();
    }

    /**
     * Rebuilds the state by replaying every partition of {@code __transaction_state}, then writes the markers of
     * the transactions that were prepared but not completed. Transactions still Ongoing are left to finish or time
     * out.
     */
    public synchronized void load() {
        for (int p = 0; p < settings.partitions(); p++) {
            writer.replay(p, (key, value) -> {
                String id = TransactionRecords.readKey(key);
                if (id == null) {
                    return;
                }
                if (value == null) {
                    transactions.remove(id);
                } else {
                    transactions.put(id, TransactionRecords.readValue(id, value));
                }
            });
        }
        for (TransactionMetadata m : List.copyOf(transactions.values())) {
            if (m.state().isPrepare()) {
                LOG.info("Completing transaction of {} left in {} at start-up", m.transactionalId(), m.state());
                writeMarkers(m);
            }
        }
        LOG.debug("Loaded {} transactional ids", transactions.size());
    }

    /** Starts the periodic abort of timed-out transactions and the expiration of unused transactional ids. */
    public void start() {
        scheduler.scheduleWithFixedDelay(this::abortTimedOutTransactions, settings.abortTimedOutIntervalMs(),
                settings.abortTimedOutIntervalMs(), TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(this::expireTransactionalIds, settings.removeExpiredIntervalMs(),
                settings.removeExpiredIntervalMs(), TimeUnit.MILLISECONDS);
    }

    // ---- InitProducerId ------------------------------------------------------------------------------------------

    /**
     * InitProducerId for a transactional producer.
     *
     * @param expectedProducerId the producer id the client has (KIP-360 epoch bump), or -1 for a new instance
     * @param expectedEpoch its epoch, or -1
     */
    public synchronized CompletableFuture<InitResult> initProducerId(String transactionalId, int timeoutMs,
            long expectedProducerId, short expectedEpoch) {
        if (transactionalId.isEmpty()) {
            return done(InitResult.failed(TxnError.INVALID_REQUEST));
        }
        if (timeoutMs <= 0 || timeoutMs > settings.maxTimeoutMs()) {
            return done(InitResult.failed(TxnError.INVALID_TRANSACTION_TIMEOUT));
        }
        if (writing.contains(transactionalId)) {
            return done(InitResult.failed(TxnError.CONCURRENT_TRANSACTIONS));
        }
        long now = clock.getAsLong();
        TransactionMetadata current = transactions.get(transactionalId);
        if (current == null) {
            current = TransactionMetadata.fresh(transactionalId, producerIds.getAsLong(), timeoutMs, now);
        }
        boolean expected = expectedProducerId >= 0;
        if (expected && !isValidProducerId(current, expectedProducerId, expectedEpoch)) {
            return done(InitResult.failed(TxnError.PRODUCER_FENCED));
        }
        switch (current.state()) {
            case EMPTY, COMPLETE_COMMIT, COMPLETE_ABORT -> {
                TransactionMetadata next = nextEpoch(current, timeoutMs, expected, expectedEpoch, now);
                if (next == null) {
                    return done(InitResult.failed(TxnError.PRODUCER_FENCED));
                }
                return write(next).thenApply(written -> written == TxnError.NONE ? new InitResult(TxnError.NONE,
                        next.producerId(), next.producerEpoch()) : InitResult.failed(written));
            }
            case ONGOING -> {
                // The producer that opened it is a zombie: abort its transaction at a bumped epoch, and let the new
                // instance retry, which bumps the epoch once more (Kafka's behaviour).
                LOG.info("Fencing the producer of {} at epoch {} and aborting its open transaction", transactionalId,
                        current.producerEpoch());
                return fenceAndAbort(current).thenApply(ok -> InitResult.failed(ok
                        ? TxnError.CONCURRENT_TRANSACTIONS : TxnError.COORDINATOR_NOT_AVAILABLE));
            }
            default -> {
                // Prepared, its markers being written: the client backs off and retries.
                return done(InitResult.failed(TxnError.CONCURRENT_TRANSACTIONS));
            }
        }
    }

    /**
     * Kafka's check of the producer id a client claims: fence it unless the id was just created, it is the current
     * one (the epoch is checked next), or it is the previous one with an exhausted epoch (a retry after a rotation).
     */
    private static boolean isValidProducerId(TransactionMetadata current, long producerId, short epoch) {
        return current.producerEpoch() == TransactionMetadata.NO_EPOCH
                || producerId == current.producerId()
                || (producerId == current.previousProducerId() && TransactionMetadata.isEpochExhausted(epoch));
    }

    /** The state after a successful InitProducerId, or null when the client's epoch is fenced. */
    private TransactionMetadata nextEpoch(TransactionMetadata current, int timeoutMs, boolean expected,
            short expectedEpoch, long now) {
        short epoch = current.producerEpoch();
        if (TransactionMetadata.isEpochExhausted(epoch) && (!expected || expectedEpoch == epoch)) {
            long rotated = producerIds.getAsLong();
            return current.initialized(rotated, current.producerId(), (short) 0,
                    expected ? epoch : TransactionMetadata.NO_EPOCH, timeoutMs, now);
        }
        short bumped = (short) (epoch + 1);
        if (!expected) {
            return current.initialized(current.producerId(), current.previousProducerId(), bumped,
                    TransactionMetadata.NO_EPOCH, timeoutMs, now);
        }
        if (epoch == TransactionMetadata.NO_EPOCH || expectedEpoch == epoch) {
            return current.initialized(current.producerId(), current.previousProducerId(), bumped, epoch, timeoutMs,
                    now);
        }
        if (expectedEpoch == current.lastProducerEpoch()) {
            // A retry of a bump that succeeded: the same answer again.
            return current.initialized(current.producerId(), current.previousProducerId(), epoch,
                    current.lastProducerEpoch(), timeoutMs, now);
        }
        return null;
    }

    // ---- AddPartitionsToTxn, AddOffsetsToTxn ---------------------------------------------------------------------

    /** Adds partitions to the producer's transaction, starting one if none is running. */
    public synchronized CompletableFuture<TxnError> addPartitions(String transactionalId, long producerId,
            short producerEpoch, Set<TxnPartition> partitions) {
        TransactionMetadata current = transactions.get(transactionalId);
        TxnError error = checkProducer(transactionalId, current, producerId, producerEpoch);
        if (error != TxnError.NONE) {
            return done(error);
        }
        if (current.state().isPrepare()) {
            return done(TxnError.CONCURRENT_TRANSACTIONS);
        }
        if (current.state() == TransactionState.ONGOING && current.partitions().containsAll(partitions)) {
            return done(TxnError.NONE);
        }
        return write(current.withPartitions(partitions, clock.getAsLong()));
    }

    /**
     * Whether each partition is in the producer's ongoing transaction (AddPartitionsToTxn v4+ with verify_only, and
     * KIP-890's check before a transactional write). Reads the current states without the coordinator's lock.
     */
    public TxnError verify(String transactionalId, long producerId, short producerEpoch, TxnPartition partition) {
        TransactionMetadata current = transactionalId == null ? null : transactions.get(transactionalId);
        if (current == null || current.producerId() != producerId) {
            return TxnError.INVALID_PRODUCER_ID_MAPPING;
        }
        if (current.producerEpoch() != producerEpoch) {
            return TxnError.PRODUCER_FENCED;
        }
        if (current.state().isPrepare()) {
            return TxnError.CONCURRENT_TRANSACTIONS;
        }
        return current.state() == TransactionState.ONGOING && current.partitions().contains(partition)
                ? TxnError.NONE : TxnError.TRANSACTION_ABORTABLE;
    }

    private TxnError checkProducer(String transactionalId, TransactionMetadata current, long producerId,
            short producerEpoch) {
        if (transactionalId == null || transactionalId.isEmpty()) {
            return TxnError.INVALID_REQUEST;
        }
        if (current == null || current.producerId() != producerId) {
            return TxnError.INVALID_PRODUCER_ID_MAPPING;
        }
        if (current.producerEpoch() != producerEpoch) {
            return TxnError.PRODUCER_FENCED;
        }
        if (writing.contains(transactionalId)) {
            return TxnError.CONCURRENT_TRANSACTIONS;
        }
        return TxnError.NONE;
    }

    // ---- EndTxn --------------------------------------------------------------------------------------------------

    /**
     * Commits or aborts the producer's transaction: answered once the decision (PrepareCommit or PrepareAbort) is
     * written; the markers follow, then the completion. A retry after completion gets NONE.
     */
    public synchronized CompletableFuture<TxnError> endTransaction(String transactionalId, long producerId,
            short producerEpoch, boolean commit) {
        TransactionMetadata current = transactions.get(transactionalId);
        TxnError error = checkProducer(transactionalId, current, producerId, producerEpoch);
        if (error != TxnError.NONE) {
            return done(error);
        }
        TransactionState asked = commit ? TransactionState.COMPLETE_COMMIT : TransactionState.COMPLETE_ABORT;
        switch (current.state()) {
            case ONGOING -> {
                TransactionMetadata prepared = current.prepared(commit, clock.getAsLong());
                return write(prepared).thenApply(written -> {
                    if (written != TxnError.NONE) {
                        return written;
                    }
                    writeMarkers(prepared);
                    return TxnError.NONE;
                });
            }
            case COMPLETE_COMMIT, COMPLETE_ABORT -> {
                return done(current.state() == asked ? TxnError.NONE : TxnError.INVALID_TXN_STATE);
            }
            case PREPARE_COMMIT, PREPARE_ABORT -> {
                boolean same = (current.state() == TransactionState.PREPARE_COMMIT) == commit;
                return done(same ? TxnError.CONCURRENT_TRANSACTIONS : TxnError.INVALID_TXN_STATE);
            }
            default -> {
                return done(TxnError.INVALID_TXN_STATE);
            }
        }
    }

    /** Aborts an ongoing transaction at the next epoch; true once PrepareAbort is written. */
    private CompletableFuture<Boolean> fenceAndAbort(TransactionMetadata ongoing) {
        transactions.put(ongoing.transactionalId(), ongoing.inState(TransactionState.PREPARE_EPOCH_FENCE));
        TransactionMetadata aborting = ongoing.fencedForAbort(clock.getAsLong());
        return write(aborting).thenApply(written -> {
            boolean ok = written == TxnError.NONE;
            if (ok) {
                writeMarkers(aborting);
            } else {
                transactions.put(ongoing.transactionalId(), ongoing);
            }
            return ok;
        });
    }

    /** Writes the markers of a prepared transaction, retrying the partitions that fail, then completes it. */
    private void writeMarkers(TransactionMetadata prepared) {
        String id = prepared.transactionalId();
        Set<TxnPartition> targets = unwrittenMarkers.getOrDefault(id, prepared.partitions());
        boolean commit = prepared.state() == TransactionState.PREPARE_COMMIT;
        markers.write(prepared.producerId(), prepared.producerEpoch(), COORDINATOR_EPOCH, commit, targets)
                .whenComplete((failed, error) -> {
                    synchronized (this) {
                        if (transactions.get(id) != prepared) {
                            return;
                        }
                        Set<TxnPartition> remaining = error != null ? targets : failed;
                        if (remaining.isEmpty()) {
                            unwrittenMarkers.remove(id);
                            complete(prepared);
                        } else {
                            // Once per transaction, not once per retry: a full disk may take a while to clear.
                            if (unwrittenMarkers.put(id, remaining) == null) {
                                LOG.warn("Markers of {} not written yet to {}; retrying every {} ms: {}", id,
                                        remaining, MARKER_RETRY_BACKOFF_MS, error == null ? "refused" : error);
                            }
                            retryLater(prepared);
                        }
                    }
                });
    }

    private void complete(TransactionMetadata prepared) {
        write(prepared.completed(clock.getAsLong())).thenAccept(written -> {
            if (written != TxnError.NONE) {
                // Still prepared: markers are written again (a second marker ends nothing) and completion retried.
                retryLater(prepared);
            }
        });
    }

    private void retryLater(TransactionMetadata prepared) {
        scheduler.schedule(() -> {
            synchronized (this) {
                if (transactions.get(prepared.transactionalId()) == prepared) {
                    writeMarkers(prepared);
                }
            }
        }, MARKER_RETRY_BACKOFF_MS, TimeUnit.MILLISECONDS);
    }

    // ---- Timeouts and expiration ---------------------------------------------------------------------------------

    /** Aborts, fencing their producer, the transactions open for longer than their timeout. */
    synchronized void abortTimedOutTransactions() {
        long now = clock.getAsLong();
        for (TransactionMetadata m : List.copyOf(transactions.values())) {
            if (m.state() == TransactionState.ONGOING && !writing.contains(m.transactionalId())
                    && m.startTimestamp() + m.timeoutMs() < now) {
                LOG.info("Aborting the transaction of {} (producer {} epoch {}): open for more than {} ms",
                        m.transactionalId(), m.producerId(), m.producerEpoch(), m.timeoutMs());
                fenceAndAbort(m);
            }
        }
    }

    /** Forgets transactional ids idle for transactional.id.expiration.ms, writing a tombstone for each. */
    synchronized void expireTransactionalIds() {
        long now = clock.getAsLong();
        for (TransactionMetadata m : List.copyOf(transactions.values())) {
            boolean idle = m.state() == TransactionState.EMPTY || m.state().isComplete();
            String id = m.transactionalId();
            if (!idle || writing.contains(id) || m.lastUpdateTimestamp() + settings.idExpirationMs() > now) {
                continue;
            }
            TransactionMetadata dead = m.inState(TransactionState.DEAD);
            transactions.put(id, dead);
            writing.add(id);
            writer.append(partitionFor(id), List.of(new PartitionWriter.KeyValue(TransactionRecords.key(id), null)))
                    .whenComplete((ok, failure) -> {
                        synchronized (this) {
                            writing.remove(id);
                            if (failure == null) {
                                transactions.remove(id, dead);
                                LOG.info("Expired transactional id {}", id);
                            } else {
                                transactions.replace(id, dead, m);
                            }
                        }
                    });
        }
    }

    // ---- DescribeTransactions, ListTransactions ------------------------------------------------------------------

    /** The state of a transactional id, or null when it is unknown (or being expired). */
    public TransactionMetadata describe(String transactionalId) {
        TransactionMetadata m = transactions.get(transactionalId);
        return m == null || m.state() == TransactionState.DEAD ? null : m;
    }

    /**
     * ListTransactions with Kafka's filters; an empty filter matches everything.
     *
     * @param stateNames Kafka state names
     * @param producerIds producer ids
     * @param minDurationMs only transactions started more than this long ago, or -1 for no such filter
     */
    public ListResult list(List<String> stateNames, Set<Long> producerIds, long minDurationMs) {
        Set<TransactionState> states = new HashSet<>();
        List<String> unknown = new ArrayList<>();
        for (String name : stateNames) {
            TransactionState state = TransactionState.fromKafkaName(name);
            if (state == null) {
                unknown.add(name);
            } else {
                states.add(state);
            }
        }
        long now = clock.getAsLong();
        List<Listing> result = new ArrayList<>();
        for (TransactionMetadata m : transactions.values()) {
            boolean matches = m.state() != TransactionState.DEAD
                    && (producerIds.isEmpty() || producerIds.contains(m.producerId()))
                    && (stateNames.isEmpty() || states.contains(m.state()))
                    && (minDurationMs < 0 || now - m.startTimestamp() > minDurationMs);
            if (matches) {
                result.add(new Listing(m.transactionalId(), m.producerId(), m.state()));
            }
        }
        result.sort(Comparator.comparing(Listing::transactionalId));
        return new ListResult(result, unknown);
    }

    // ---- Writing state -------------------------------------------------------------------------------------------

    /**
     * Writes {@code next} and makes it current once written; completes with NONE, or with the error Kafka's
     * coordinator answers for the failed write (NOT_COORDINATOR when the disk refused it, which clients retry).
     */
    private CompletableFuture<TxnError> write(TransactionMetadata next) {
        String id = next.transactionalId();
        writing.add(id);
        List<PartitionWriter.KeyValue> record = List.of(new PartitionWriter.KeyValue(TransactionRecords.key(id),
                TransactionRecords.value(next)));
        return writer.append(partitionFor(id), record).handle((ok, failure) -> {
            synchronized (this) {
                writing.remove(id);
                if (failure != null) {
                    PartitionWriter.WriteFailure write = PartitionWriter.failureOf(failure);
                    if (write == null) {
                        LOG.warn("Failed to write the state {} of {}", next.state(), id, failure);
                        return TxnError.COORDINATOR_NOT_AVAILABLE;
                    }
                    // A full or failed disk is logged once by its directory, not once per request.
                    LOG.debug("Failed to write the state {} of {}: {}", next.state(), id, failure.getMessage());
                    return TxnError.valueOf(write.name());
                }
                TransactionMetadata previous = transactions.put(id, next);
                count(previous == null ? null : previous.state(), next.state());
                return TxnError.NONE;
            }
        });
    }

    private static <T> CompletableFuture<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }

    /** Counts a written state change: a transaction starts at Ongoing and ends at CompleteCommit or CompleteAbort. */
    private void count(TransactionState before, TransactionState after) {
        if (before == after) {
            return; // a retried write of the same state (completion after a failed attempt) counts once
        }
        switch (after) {
            case ONGOING -> started.increment();
            case COMPLETE_COMMIT -> committed.increment();
            case COMPLETE_ABORT -> aborted.increment();
            default -> { }
        }
    }

    /** Transactions started since the start of this broker (the first AddPartitionsToTxn or AddOffsetsToTxn). */
    public long startedTransactions() {
        return started.sum();
    }

    /** Transactions committed since the start of this broker (their markers written and completion recorded). */
    public long committedTransactions() {
        return committed.sum();
    }

    /** Transactions aborted since the start of this broker, by their producer or by the coordinator on timeout. */
    public long abortedTransactions() {
        return aborted.sum();
    }

    /** Transactional ids with a transaction begun and not yet complete (Ongoing, or committing/aborting). */
    public long ongoingTransactions() {
        return transactions.values().stream().filter(m -> m.state() == TransactionState.ONGOING
                || m.state().isPrepare() || m.state() == TransactionState.PREPARE_EPOCH_FENCE).count();
    }
}
