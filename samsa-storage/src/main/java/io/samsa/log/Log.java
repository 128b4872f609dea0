package io.samsa.log;

import io.samsa.log.internal.FileUtil;
import io.samsa.log.internal.IoErrors;
import io.samsa.log.internal.LeaderEpochCache;
import io.samsa.log.internal.LogSegment;
import io.samsa.log.internal.OffsetCheckpoint;
import io.samsa.log.internal.ProducerStateManager;
import io.samsa.log.internal.SegmentFiles;
import io.samsa.log.internal.SegmentSwaps;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log of one partition: a directory of segments in Kafka's on-disk format, with crash recovery, retention,
 * the leader-epoch cache, idempotent-producer state and transactions: the open transactions give the first
 * unstable offset, and each segment indexes the transactions aborted in it for read_committed readers.
 *
 * <p>Invariants: there is always at least one segment; the last one (the active segment) takes all appends;
 * logStartOffset <= logEndOffset; every batch at or above the recovery point was validated or written since the
 * last open; producer state, the epoch cache and the transaction indexes describe exactly the batches below
 * logEndOffset.
 *
 * <p>Thread-safety: every mutation (append, roll, flush, truncation, retention, config change, close) holds one
 * lock per log, so appends are serialized. Reads take no lock: a segment publishes its size only after its bytes
 * and index entries are written, and the log end offset is published after that, so readers see whole batches
 * only. Segments removed by retention or replaced by compaction are renamed at once and deleted after
 * {@link LogConfig#fileDeleteDelayMs()}; a reader holding a {@link LogSlice} of one keeps its file open until it
 * releases the slice (segment files are reference-counted), and a read that finds a segment already closed looks
 * again: it reads the replacement, or gets OFFSET_OUT_OF_RANGE when retention took the offset.
 *
 * <p>Durability: writes go to the file through {@link java.nio.channels.FileChannel} with no user-space buffer,
 * so an acknowledged append survives a crash of the process (the page cache holds it); fsync follows
 * flush.messages and flush.ms, and rolled segments are fsynced by {@link #flushIfDue(long)}.
 */
public final class Log implements AutoCloseable {

    /** Written by {@link #close()}, deleted by {@link #open}: its absence at open means the log needs recovery. */
    public static final String CLEAN_SHUTDOWN_FILE = ".samsa-clean-shutdown";
    public static final String LOG_START_OFFSET_FILE = "log-start-offset-checkpoint";
    public static final String RECOVERY_POINT_FILE = "recovery-point-offset-checkpoint";
    /** Where the log cleaner stopped: the offsets below it are clean (Kafka's name, one file per partition here). */
    public static final String CLEANER_CHECKPOINT_FILE = "cleaner-offset-checkpoint";

    private static final Logger LOG = LoggerFactory.getLogger(Log.class);

    private final Path dir;
    /** The data directory the log is in: asked before every append, told of every disk failure. */
    private final LogDir logDir;
    private final TopicPartition topicPartition;
    private final LongSupplier nowMs;
    private final ReentrantLock lock = new ReentrantLock();
    private final ConcurrentSkipListMap<Long, LogSegment> segments = new ConcurrentSkipListMap<>();
    private final OffsetCheckpoint logStartCheckpoint;
    private final OffsetCheckpoint recoveryCheckpoint;
    private final LeaderEpochCache epochs;
    private final ProducerStateManager producerState;
    private final BatchCompression compression;
    private final OffsetCheckpoint cleanerCheckpoint;
    private final List<PendingDelete> pendingDeletes = new ArrayList<>();
    private volatile LogConfig config;
    private volatile long logStartOffset;
    private volatile long logEndOffset;
    private volatile boolean closed;
    private long recoveryPoint;
    private long unflushedRecords;
    private long lastFlushMs;
    /** Counts truncations, so that a clean begun before one does not write back the batches it removed. */
    private volatile long truncations;

    /** A segment renamed for deletion, whose files go once {@code dueMs} has passed. */
    private record PendingDelete(LogSegment segment, long dueMs) {}

    private Log(Path dir, LogDir logDir, TopicPartition tp, LogConfig config, LongSupplier nowMs,
            BatchCompression compression) {
        this.dir = dir;
        this.logDir = logDir;
        this.compression = compression;
        this.cleanerCheckpoint = new OffsetCheckpoint(dir.resolve(CLEANER_CHECKPOINT_FILE));
        this.topicPartition = tp;
        this.config = config;
        this.nowMs = nowMs;
        this.logStartCheckpoint = new OffsetCheckpoint(dir.resolve(LOG_START_OFFSET_FILE));
        this.recoveryCheckpoint = new OffsetCheckpoint(dir.resolve(RECOVERY_POINT_FILE));
        this.epochs = LeaderEpochCache.load(dir);
        this.producerState = new ProducerStateManager(dir);
        this.lastFlushMs = nowMs.getAsLong();
    }

    /**
     * Opens the log in {@code dir}, creating the directory if needed. After an unclean shutdown (no clean-shutdown
     * marker) every batch from the recovery point on is validated, and the log is truncated at the first invalid
     * one; indexes that are missing or inconsistent are rebuilt; producer state is restored from the latest
     * snapshot and the batches after it.
     *
     * @param nowMs the clock, in epoch milliseconds (injectable for tests)
     */
    public static Log open(Path dir, TopicPartition tp, LogConfig config, LongSupplier nowMs) {
        return open(dir, tp, config, nowMs, BatchCompression.UNAVAILABLE);
    }

    /**
     * {@link #open(Path, TopicPartition, LogConfig, LongSupplier)} with the codecs that compressed batches are
     * validated, recompressed and cleaned with.
     */
    public static Log open(Path dir, TopicPartition tp, LogConfig config, LongSupplier nowMs,
            BatchCompression compression) {
        return open(dir, LogDir.unmanaged(dir.toAbsolutePath().getParent(), nowMs), tp, config, nowMs, compression);
    }

    /**
     * {@link #open(Path, TopicPartition, LogConfig, LongSupplier, BatchCompression)} in the data directory
     * {@code logDir}, which refuses appends while it is full or failed. Opening a fresh log writes no file content
     * (no checkpoint, no producer snapshot), so a partition can be created on a disk that is full.
     */
    public static Log open(Path dir, LogDir logDir, TopicPartition tp, LogConfig config, LongSupplier nowMs,
            BatchCompression compression) {
        boolean fresh = !Files.isDirectory(dir);
        IoErrors.run("create log directory", dir, () -> Files.createDirectories(dir));
        Log log = new Log(dir, logDir, tp, config, nowMs, compression);
        log.load(fresh);
        return log;
    }

    /**
     * @param fresh the directory did not exist: there is nothing to recover and nothing to make durable, so a new
     *     partition costs no fsync (thousands of them are created at once)
     */
    private void load(boolean fresh) {
        Path marker = dir.resolve(CLEAN_SHUTDOWN_FILE);
        boolean clean = Files.exists(marker);
        List<Long> baseOffsets = IoErrors.call("list", dir, this::removeLeftoversAndListSegments);
        long checkpointedStart = logStartCheckpoint.read(0L);
        recoveryPoint = recoveryCheckpoint.read(0L);
        loadSegments(baseOffsets, clean);
        long firstBase = segments.firstKey();
        long end = segments.lastEntry().getValue().nextOffset();
        if (checkpointedStart > end) {
            LOG.warn("{}: log start offset {} is above the log end offset {}; starting the log over at {}",
                    topicPartition, checkpointedStart, end, checkpointedStart);
            for (LogSegment segment : List.copyOf(segments.values())) {
                segments.remove(segment.baseOffset());
                segment.deleteFiles();
            }
            addSegment(LogSegment.create(dir, checkpointedStart, config.indexIntervalBytes(),
                    config.segmentIndexBytes(), nowMs.getAsLong()));
            end = checkpointedStart;
        }
        logEndOffset = end;
        logStartOffset = Math.max(checkpointedStart, Math.min(firstBase, end));
        epochs.truncateFromEnd(logEndOffset);
        epochs.truncateFromStart(logStartOffset);
        rebuildProducerState();
        if (!clean && !fresh) {
            producerState.takeSnapshot(logEndOffset);
            for (LogSegment segment : segments.values()) {
                segment.flush();
            }
        }
        recoveryPoint = logEndOffset;
        if (!fresh) {
            recoveryCheckpoint.write(recoveryPoint);
        }
        if (checkpointedStart != logStartOffset) {
            logStartCheckpoint.write(logStartOffset);
        }
        // Only now may a crash go unnoticed by the next open, so the marker goes last.
        IoErrors.run("delete", marker, () -> {
            if (Files.deleteIfExists(marker)) {
                FileUtil.fsyncDirectory(dir);
            }
        });
    }

    /** Deletes files a crash may leave behind and returns the base offsets of the segments, ascending. */
    private List<Long> removeLeftoversAndListSegments() throws IOException {
        SegmentSwaps.recover(dir);
        List<Path> files;
        try (Stream<Path> listing = Files.list(dir)) {
            files = listing.toList();
        }
        List<Long> baseOffsets = new ArrayList<>();
        for (Path file : files) {
            String name = file.getFileName().toString();
            if (name.endsWith(SegmentFiles.DELETED_SUFFIX) || name.endsWith(FileUtil.TMP_SUFFIX)) {
                Files.deleteIfExists(file);
            } else if (SegmentFiles.parseOffset(name, SegmentFiles.LOG_SUFFIX) >= 0) {
                baseOffsets.add(SegmentFiles.parseOffset(name, SegmentFiles.LOG_SUFFIX));
            }
        }
        for (Path file : files) {
            String name = file.getFileName().toString();
            long indexOf = Math.max(Math.max(SegmentFiles.parseOffset(name, SegmentFiles.INDEX_SUFFIX),
                    SegmentFiles.parseOffset(name, SegmentFiles.TIME_INDEX_SUFFIX)),
                    SegmentFiles.parseOffset(name, SegmentFiles.TXN_INDEX_SUFFIX));
            if (indexOf >= 0 && !baseOffsets.contains(indexOf)) {
                Files.deleteIfExists(file);
            }
        }
        baseOffsets.sort(null);
        return baseOffsets;
    }

    private void loadSegments(List<Long> baseOffsets, boolean clean) {
        long now = nowMs.getAsLong();
        LogConfig cfg = config;
        // After a crash, recover from the segment holding the recovery point: everything before it was fsynced.
        long recoverFrom = Long.MIN_VALUE;
        for (long base : baseOffsets) {
            if (base <= recoveryPoint) {
                recoverFrom = base;
            }
        }
        for (int i = 0; i < baseOffsets.size(); i++) {
            long base = baseOffsets.get(i);
            boolean recover = !clean && base >= recoverFrom;
            LogSegment segment = LogSegment.open(dir, base, cfg.indexIntervalBytes(), cfg.segmentIndexBytes(), now,
                    recover);
            int truncated = segment.truncatedOnOpen();
            addSegment(segment);
            if (truncated > 0 && i + 1 < baseOffsets.size()) {
                List<Long> dropped = baseOffsets.subList(i + 1, baseOffsets.size());
                LOG.info("{}: deleting {} segment(s) after the truncation point: {}", topicPartition,
                        dropped.size(), dropped);
                for (long later : dropped) {
                    for (Path file : List.of(SegmentFiles.logFile(dir, later), SegmentFiles.indexFile(dir, later),
                            SegmentFiles.timeIndexFile(dir, later), SegmentFiles.txnIndexFile(dir, later))) {
                        IoErrors.run("delete", file, () -> Files.deleteIfExists(file));
                    }
                }
                break;
            }
        }
        if (segments.isEmpty()) {
            long start = Math.max(0L, logStartCheckpoint.read(0L));
            addSegment(LogSegment.create(dir, start, cfg.indexIntervalBytes(), cfg.segmentIndexBytes(), now));
        }
        for (LogSegment segment : segments.headMap(segments.lastKey()).values()) {
            segment.onBecomeInactive();
        }
    }

    private void addSegment(LogSegment segment) {
        segments.put(segment.baseOffset(), segment);
    }

    /**
     * Loads the latest producer snapshot at or below the log end and replays the batches after it. The aborts whose
     * markers are replayed are indexed again, so that a torn or truncated tail leaves no stale entry behind.
     */
    private void rebuildProducerState() {
        long snapshotOffset = producerState.loadLatestSnapshot(logEndOffset);
        long from = Math.max(snapshotOffset, 0L);
        for (LogSegment segment : segments.values()) {
            segment.txnIndex().truncateTo(from);
        }
        Long firstSegment = segments.floorKey(from);
        Map<Long, LogSegment> toReplay = firstSegment == null ? segments : segments.tailMap(firstSegment);
        for (LogSegment segment : toReplay.values()) {
            segment.forEachBatchHeader(from, batch -> {
                ProducerStateManager.CompletedTxn completed = producerState.replay(batch);
                if (completed != null && completed.aborted()) {
                    segment.txnIndex().append(abortedTxn(completed));
                }
            });
        }
    }

    private AbortedTxn abortedTxn(ProducerStateManager.CompletedTxn completed) {
        return new AbortedTxn(completed.producerId(), completed.firstOffset(), completed.lastOffset(),
                producerState.lastStableOffsetAfter(completed));
    }

    public TopicPartition topicPartition() {
        return topicPartition;
    }

    public Path dir() {
        return dir;
    }

    /** The data directory this log is in, with its health and free space. */
    public LogDir logDir() {
        return logDir;
    }

    public LogConfig config() {
        return config;
    }

    /** Applies new settings; they take effect at the next append, roll, flush or retention check. */
    public void updateConfig(LogConfig newConfig) {
        lock.lock();
        try {
            config = newConfig;
            segments.lastEntry().getValue().setIndexIntervalBytes(newConfig.indexIntervalBytes());
        } finally {
            lock.unlock();
        }
    }

    public long logStartOffset() {
        return logStartOffset;
    }

    public long logEndOffset() {
        return logEndOffset;
    }

    public long sizeInBytes() {
        long total = 0;
        for (LogSegment segment : segments.values()) {
            total += segment.size();
        }
        return total;
    }

    public int segmentCount() {
        return segments.size();
    }

    /** The leader epoch of the batch holding {@code offset}, or -1 when the epoch cache does not cover it. */
    public int epochForOffset(long offset) {
        return epochs.epochForOffset(offset);
    }

    /** The latest leader epoch the epoch cache knows, or -1 when none is known. */
    public int latestEpoch() {
        return epochs.latestEpoch();
    }

    /**
     * Records that leader epoch {@code epoch} starts at the log end offset, when it is newer than every epoch known:
     * a replica that becomes leader does so before its first append of the epoch, so that OffsetForLeaderEpoch answers
     * for the new epoch (and ends the previous one) even while it has written nothing (Kafka's
     * maybeAssignEpochStartOffset). Serialized with appends and truncations. The checkpoint file is written with the
     * epoch's first append, not here (see {@link LeaderEpochCache#assignDeferred}); an epoch that wrote nothing is
     * dropped when the log is opened again, as Kafka drops it, and assigned again by the replica that leads.
     *
     * @return the offset the epoch starts at, or -1 when the epoch was not newer
     */
    public long assignEpochStartOffset(int epoch) {
        lock.lock();
        try {
            ensureOpen();
            if (epoch < 0 || epoch <= epochs.latestEpoch()) {
                return -1;
            }
            long start = logEndOffset;
            epochs.assignDeferred(epoch, start);
            return start;
        } catch (StorageException e) {
            throw diskFailure(e);
        } finally {
            lock.unlock();
        }
    }

    /** Kafka's OffsetsForLeaderEpoch answer for {@code epoch}; see {@link EpochEndOffset}. */
    public EpochEndOffset endOffsetForEpoch(int epoch) {
        return epochs.endOffsetFor(epoch, logEndOffset);
    }

    public Collection<ProducerStateEntry> activeProducers() {
        return producerState.activeProducers();
    }

    /**
     * The first offset a read_committed reader may not pass: the first record of the oldest open transaction (not
     * below the log start offset), or the log end offset when no transaction is open. The last stable offset is the
     * smaller of this and the high watermark.
     */
    public long firstUnstableOffset() {
        // The end first: an append publishes a newly opened transaction before its new log end offset.
        long end = logEndOffset;
        long open = producerState.firstOpenTransactionOffset();
        return open < 0 ? end : Math.max(open, logStartOffset);
    }

    /**
     * The offset the cleaner must stay below: it never touches the active segment, nor a transaction still open,
     * whose records may yet be aborted.
     */
    public long cleanableEndOffset() {
        return Math.min(segments.lastKey(), firstUnstableOffset());
    }

    /**
     * Appends the batches of a produce request as the partition leader. Every batch is validated first and nothing
     * is written if one fails (see {@link RecordBatchView#validateAll}, and {@link AppendValidator} for what needs
     * the records: compressed batches, keys on compacted topics, compression.type). The batches, or their rebuilt
     * copies, are then patched IN PLACE: consecutive offsets from the log end offset, the partition leader epoch, and
     * with LogAppendTime the broker's time (CRC rewritten).
     *
     * <p>Idempotent batches follow Kafka's rules (see {@code ProducerStateManager}). When the request holds a retry
     * of a batch still in the producer's window, nothing is written and the result carries the original offsets,
     * {@code duplicate = true}, recordCount 0, and as logAppendTime the original batch's max timestamp (as Kafka
     * answers). Control batches are refused with INVALID_RECORD: clients may not write them.
     *
     * @param request one or more v2 batches, position to limit; modified in place unless rebuilt
     * @param leaderEpoch the current leader epoch, stored in each batch and in the epoch cache
     * @throws StorageException INVALID_RECORD, CORRUPT_MESSAGE, RECORD_TOO_LARGE, INVALID_PRODUCER_EPOCH,
     *     OUT_OF_ORDER_SEQUENCE, INVALID_TXN_STATE, or STORAGE_ERROR when the disk fails
     */
    public LogAppendResult appendAsLeader(ByteBuffer request, int leaderEpoch) {
        return appendAsLeader(request, leaderEpoch, AppendOrigin.CLIENT);
    }

    /**
     * {@link #appendAsLeader(ByteBuffer, int)} for a writer of this broker: with {@link AppendOrigin#COORDINATOR}
     * the batches may be transaction markers (control batches holding an EndTransactionMarker record; Kafka writes
     * them the same way), and sequence numbers are not checked. A marker ends its producer's open transaction; an
     * abort is added to the active segment's transaction index before the first unstable offset moves past it.
     *
     * @throws StorageException as the client append, and TRANSACTION_COORDINATOR_FENCED for a marker of an older
     *     coordinator epoch than the producer's last one
     */
    public LogAppendResult appendAsLeader(ByteBuffer request, int leaderEpoch, AppendOrigin origin) {
        List<RecordBatchView> requestBatches = RecordBatchView.validateAll(request, config.maxMessageBytes());
        for (RecordBatchView batch : requestBatches) {
            if (origin == AppendOrigin.CLIENT && batch.isControl()) {
                throw new StorageException(StorageException.Kind.INVALID_RECORD,
                        "Clients may not write control batches");
            }
            if (origin == AppendOrigin.CLIENT && batch.hasProducerId() && batch.baseSequence() < 0) {
                throw new StorageException(StorageException.Kind.INVALID_RECORD, "Batch from producer "
                        + batch.producerId() + " has no sequence number");
            }
        }
        // Decompression, key checks and recompression happen outside the lock: they may cost far more than the write.
        AppendValidator.Validated validated =
                AppendValidator.validate(request, requestBatches, config, compression, topicPartition);
        ByteBuffer records = validated.records();
        List<RecordBatchView> batches = validated.batches();
        lock.lock();
        try {
            ensureOpen();
            logDir.checkAppend(records.remaining());
            return appendLocked(records, batches, leaderEpoch, origin);
        } catch (StorageException e) {
            throw diskFailure(e);
        } finally {
            lock.unlock();
        }
    }

    private LogAppendResult appendLocked(ByteBuffer records, List<RecordBatchView> batches, int leaderEpoch,
            AppendOrigin origin) {
        LogConfig cfg = config;
        long now = nowMs.getAsLong();
        long appendTime = cfg.logAppendTime() ? now : RecordBatchView.NO_TIMESTAMP;
        long firstOffset = logEndOffset;
        ProducerStateManager.Check check = producerState.check(batches, firstOffset, appendTime, origin);
        if (check instanceof ProducerStateManager.Duplicate dup) {
            return new LogAppendResult(
                    dup.firstOffset(), dup.lastOffset(), dup.timestamp(), logStartOffset, 0, true);
        }
        long nextOffset = firstOffset;
        long maxTimestamp = RecordBatchView.NO_TIMESTAMP;
        int recordCount = 0;
        for (RecordBatchView batch : batches) {
            batch.setBaseOffset(nextOffset);
            batch.setPartitionLeaderEpoch(leaderEpoch);
            if (appendTime >= 0) {
                batch.setLogAppendTime(appendTime);
            }
            nextOffset = batch.nextOffset();
            maxTimestamp = Math.max(maxTimestamp, batch.maxTimestamp());
            recordCount += batch.recordsCount();
        }
        LogSegment active = segments.lastEntry().getValue();
        if (active.isFullFor(records.remaining(), nextOffset - 1, cfg.segmentBytes())
                || active.isTooOldFor(maxTimestamp, now, cfg.rollMs())) {
            active = rollLocked(now);
        }
        epochs.assign(leaderEpoch, firstOffset);
        LogSegment.Mark mark = active.mark();
        active.append(records, batches);
        ProducerStateManager.Accepted accepted = (ProducerStateManager.Accepted) check;
        try {
            // Indexed before the commit closes the transaction: a reader that sees the first unstable offset
            // move past an aborted transaction must find it in the index.
            for (ProducerStateManager.CompletedTxn completed : accepted.completed()) {
                if (completed.aborted()) {
                    active.txnIndex().append(abortedTxn(completed));
                }
            }
        } catch (RuntimeException e) {
            // Nothing of a failed append stays: the log end offset has not moved, so no reader saw it.
            active.rollBackTo(mark);
            throw e;
        }
        producerState.commit(accepted);
        logEndOffset = nextOffset;
        unflushedRecords += recordCount;
        if (unflushedRecords >= cfg.flushMessages()) {
            flushLocked(now);
        }
        return new LogAppendResult(firstOffset, nextOffset - 1, appendTime, logStartOffset, recordCount, false);
    }

    /**
     * Tells the data directory of a disk failure (it logs the first one and may refuse further appends) and returns
     * what to throw; other failures are returned as they are.
     */
    private StorageException diskFailure(StorageException e) {
        return e.kind() == StorageException.Kind.STORAGE_ERROR && e.getCause() != null && !closed
                ? logDir.failed(e) : e;
    }

    /**
     * Reads whole batches, starting with the one holding {@code startOffset}, stopping before a batch whose base
     * offset is >= {@code maxOffsetExclusive} (the high watermark) or that would take the result past
     * {@code maxBytes}; with {@code minOneBatch} the first batch is returned even when larger than maxBytes. The bytes
     * are copied to the heap: for readers inside the broker (coordinators replaying their partitions); fetches send
     * {@link #readSlice slices} instead.
     *
     * @throws StorageException OFFSET_OUT_OF_RANGE below the log start offset or above the log end offset
     */
    public LogReadResult read(long startOffset, int maxBytes, long maxOffsetExclusive, boolean minOneBatch) {
        return read(startOffset, maxBytes, maxOffsetExclusive, minOneBatch, false);
    }

    /**
     * {@link #read(long, int, long, boolean)}, and with {@code abortedTransactions} (a read_committed reader, whose
     * upper bound is the last stable offset) also the aborted transactions that overlap the batches returned, which
     * the reader needs to drop their records.
     */
    public LogReadResult read(long startOffset, int maxBytes, long maxOffsetExclusive, boolean minOneBatch,
            boolean abortedTransactions) {
        LogSliceRead read = readSlice(startOffset, maxBytes, maxOffsetExclusive, minOneBatch, abortedTransactions);
        try {
            ByteBuffer bytes = ByteBuffer.allocate(read.slice().size());
            read.slice().readInto(bytes);
            bytes.flip();
            bytes.limit(wholeBatchesLength(bytes));
            return new LogReadResult(bytes.slice(), read.logStartOffset(), read.logEndOffset(),
                    read.abortedTransactions());
        } finally {
            read.slice().release();
        }
    }

    /** The length of the whole batches at the start of {@code batches}: a partial batch at the end is left out. */
    private static int wholeBatchesLength(ByteBuffer batches) {
        int position = 0;
        while (batches.limit() - position >= RecordBatchView.HEADER_SIZE) {
            int size = RecordBatchView.at(batches, position).sizeInBytes();
            if (size > batches.limit() - position) {
                break;
            }
            position += size;
        }
        return position;
    }

    /**
     * A fetch's read, exactly as Kafka's: the file range from the batch holding {@code startOffset}, up to
     * {@code maxBytes} (with {@code minOneBatch}, at least that first batch), not past the first batch whose base
     * offset is >= {@code maxOffsetExclusive}, within one segment (a fetch that reaches the end of a segment stops
     * there; the next fetch reads the next one). The range may end inside a batch. Nothing is copied: the slice
     * references the segment's file, which stays open until the caller releases it, whatever retention or
     * compaction does meanwhile. With {@code abortedTransactions}, the aborted transactions overlapping the whole
     * batches of the range come too.
     *
     * @throws StorageException OFFSET_OUT_OF_RANGE below the log start offset or above the log end offset, also when
     *     retention deleted the segment holding {@code startOffset} during the read
     */
    public LogSliceRead readSlice(long startOffset, int maxBytes, long maxOffsetExclusive, boolean minOneBatch,
            boolean abortedTransactions) {
        long start = logStartOffset;
        long end = logEndOffset;
        if (startOffset < start || startOffset > end) {
            throw outOfRange(startOffset, start, end);
        }
        long upper = Math.min(maxOffsetExclusive, end);
        if (startOffset >= upper) {
            return new LogSliceRead(LogSlice.EMPTY, start, end, List.of());
        }
        // A segment found closed was deleted or replaced between the lookup and the retain: look again, and the
        // map shows its replacement, or nothing when retention took the offset.
        for (int attempt = 0; attempt < 16; attempt++) {
            LogSliceRead read = tryReadSlice(startOffset, maxBytes, upper, minOneBatch, abortedTransactions, start,
                    end);
            if (read != null) {
                return read;
            }
            if (closed) {
                throw new StorageException(StorageException.Kind.STORAGE_ERROR, "Log " + dir + " is closed");
            }
        }
        throw new StorageException(StorageException.Kind.STORAGE_ERROR, "Could not read offset " + startOffset
                + " of " + topicPartition + ": its segment was replaced 16 times during the read");
    }

    /** One attempt of {@link #readSlice}; null when a segment it needed was closed under it. */
    private LogSliceRead tryReadSlice(long startOffset, int maxBytes, long upper, boolean minOneBatch,
            boolean abortedTransactions, long start, long end) {
        Map.Entry<Long, LogSegment> entry = segments.floorEntry(startOffset);
        if (entry == null) {
            // As Kafka: no segment can hold the offset any more (retention removed it after the range check).
            throw outOfRange(startOffset, logStartOffset, logEndOffset);
        }
        while (entry != null) {
            LogSegment segment = entry.getValue();
            if (!segment.tryRetain()) {
                return null;
            }
            LogSegment.Range range;
            try {
                range = segment.slice(startOffset, maxBytes, upper, minOneBatch);
            } catch (IOException e) {
                segment.release();
                throw logDir.failed(IoErrors.storageError("read", segment.logFile(), e));
            }
            if (range != null) {
                if (range.size() == 0) {
                    segment.release();
                    return new LogSliceRead(LogSlice.EMPTY, start, end, List.of());
                }
                LogSlice slice = new LogSlice(segment.channel(), segment.logFile(), range.position(), range.size(),
                        segment::release);
                try {
                    List<AbortedTxn> aborted = abortedTransactions
                            ? abortedTransactionsIn(segment, startOffset, range) : List.of();
                    return new LogSliceRead(slice, start, end, aborted);
                } catch (RuntimeException e) {
                    slice.release();
                    throw e;
                }
            }
            segment.release();
            entry = segments.higherEntry(entry.getKey());
        }
        return new LogSliceRead(LogSlice.EMPTY, start, end, List.of());
    }

    private StorageException outOfRange(long offset, long start, long end) {
        return new StorageException(StorageException.Kind.OFFSET_OUT_OF_RANGE, "Offset " + offset
                + " is out of range for " + topicPartition + ": log start " + start + ", log end " + end);
    }

    /**
     * The aborted transactions overlapping the whole batches of {@code range}. Most ranges have none near them: the
     * cheap bound (the end of the segment) answers those without reading; only when some overlap it are the batch
     * headers of the range read to find where its whole batches end.
     */
    private List<AbortedTxn> abortedTransactionsIn(LogSegment segment, long startOffset, LogSegment.Range range) {
        List<AbortedTxn> candidates = collectAbortedTransactions(startOffset, segment.nextOffset());
        if (candidates.isEmpty()) {
            return candidates;
        }
        ByteBuffer header = ByteBuffer.allocate(RecordBatchView.HEADER_SIZE);
        long upperBound = startOffset;
        int position = range.position();
        int endPosition = range.position() + range.size();
        while (endPosition - position >= RecordBatchView.HEADER_SIZE) {
            header.clear();
            int at = position;
            IoErrors.call("read", segment.logFile(), () -> FileUtil.readFully(segment.channel(), header, at));
            RecordBatchView batch = RecordBatchView.at(header, 0);
            if (batch.sizeInBytes() > endPosition - position) {
                break;
            }
            upperBound = batch.nextOffset();
            position += batch.sizeInBytes();
        }
        long bound = upperBound;
        return candidates.stream().filter(txn -> txn.firstOffset() < bound).toList();
    }

    /**
     * The aborted transactions overlapping [{@code startOffset}, {@code upperBoundOffset}), oldest marker first. An
     * abort is indexed in the segment of its marker, at or after the transaction's records, so the search starts at
     * the segment holding {@code startOffset} and goes on until an index says no overlapping one can follow.
     */
    public List<AbortedTxn> collectAbortedTransactions(long startOffset, long upperBoundOffset) {
        List<AbortedTxn> aborted = new ArrayList<>();
        Long from = segments.floorKey(startOffset);
        for (LogSegment segment : (from == null ? segments : segments.tailMap(from)).values()) {
            if (segment.txnIndex().collect(startOffset, upperBoundOffset, aborted)) {
                break;
            }
        }
        return aborted;
    }

    /**
     * Kafka's ListOffsets by timestamp: the first record at or after the log start offset whose timestamp is >=
     * {@code timestamp}, or null. For a compressed batch the batch's base offset and max timestamp stand for the
     * record (finding it would need decompression).
     */
    public TimestampOffset offsetForTimestamp(long timestamp) {
        long start = logStartOffset;
        for (LogSegment segment : segments.values()) {
            if (segment.maxTimestamp() < timestamp || segment.nextOffset() <= start) {
                continue;
            }
            try {
                TimestampOffset found = segment.findOffsetByTimestamp(timestamp, start);
                if (found != null) {
                    return found;
                }
            } catch (IOException e) {
                throw IoErrors.storageError("search by timestamp", segment.logFile(), e);
            }
        }
        return null;
    }

    /**
     * Kafka's ListOffsets MAX_TIMESTAMP: the record with the largest timestamp (the first such), or null when the
     * log is empty. For a compressed batch its last offset stands for the record.
     */
    public TimestampOffset maxTimestampOffset() {
        if (logEndOffset == logStartOffset) {
            return null;
        }
        LogSegment best = null;
        for (LogSegment segment : segments.values()) {
            if (best == null || segment.maxTimestamp() > best.maxTimestamp()) {
                best = segment;
            }
        }
        try {
            return best.findMaxTimestampOffset();
        } catch (IOException e) {
            throw IoErrors.storageError("search by timestamp", best.logFile(), e);
        }
    }

    /**
     * Raises the log start offset (DeleteRecords) and deletes the segments wholly below it; the new start is
     * checkpointed before this returns.
     *
     * @throws StorageException OFFSET_OUT_OF_RANGE when {@code offset} is above the log end offset
     */
    public void deleteRecordsBefore(long offset) {
        lock.lock();
        try {
            ensureOpen();
            if (offset > logEndOffset) {
                throw new StorageException(StorageException.Kind.OFFSET_OUT_OF_RANGE, "Cannot delete records before "
                        + offset + ": the log end offset of " + topicPartition + " is " + logEndOffset);
            }
            if (offset <= logStartOffset) {
                return;
            }
            advanceLogStartOffset(offset);
            deleteOldestSegmentsWhile((segment, next) -> next.baseOffset() <= logStartOffset, nowMs.getAsLong());
        } finally {
            lock.unlock();
        }
    }

    private void advanceLogStartOffset(long offset) {
        if (offset <= logStartOffset) {
            return;
        }
        logStartCheckpoint.write(offset);
        logStartOffset = offset;
        epochs.truncateFromStart(offset);
        producerState.onLogStartOffsetIncremented(offset);
    }

    /**
     * Deletes closed segments past retention, as Kafka's retention check: first those whose newest record is older
     * than retention.ms, then the oldest while the log stays at least retention.bytes without them, then those
     * wholly below the log start offset. The active segment is never deleted (Kafka would roll and delete it
     * when it is past retention.ms; here it waits for the next roll). Also removes files of earlier deletions whose
     * file.delete.delay.ms has passed.
     *
     * @return segments deleted
     */
    public int enforceRetention(long nowMs) {
        lock.lock();
        try {
            ensureOpen();
            deleteDueFiles(nowMs);
            LogConfig cfg = config;
            int deleted = 0;
            // cleanup.policy=compact alone keeps every segment; only the log start offset still removes some.
            if (cfg.delete() && cfg.retentionMs() >= 0) {
                deleted += deleteOldestSegmentsWhile(
                        (segment, next) -> nowMs - segment.largestTimestamp() > cfg.retentionMs(), nowMs);
            }
            if (cfg.delete() && cfg.retentionBytes() >= 0) {
                long[] excess = {sizeInBytes() - cfg.retentionBytes()};
                deleted += deleteOldestSegmentsWhile((segment, next) -> {
                    if (excess[0] - segment.size() >= 0) {
                        excess[0] -= segment.size();
                        return true;
                    }
                    return false;
                }, nowMs);
            }
            deleted += deleteOldestSegmentsWhile((segment, next) -> next.baseOffset() <= logStartOffset, nowMs);
            return deleted;
        } catch (StorageException e) {
            throw diskFailure(e);
        } finally {
            lock.unlock();
        }
    }

    /** Deletes segments from the oldest on while {@code test(segment, nextSegment)} holds; never the active one. */
    private int deleteOldestSegmentsWhile(BiPredicate<LogSegment, LogSegment> test, long now) {
        int deleted = 0;
        Iterator<LogSegment> it = List.copyOf(segments.values()).iterator();
        LogSegment segment = it.next();
        while (it.hasNext()) {
            LogSegment next = it.next();
            if (!test.test(segment, next)) {
                break;
            }
            segments.remove(segment.baseOffset());
            segment.renameForDeletion();
            pendingDeletes.add(new PendingDelete(segment, now + config.fileDeleteDelayMs()));
            deleted++;
            segment = next;
        }
        if (deleted > 0) {
            LOG.info("{}: deleted {} segment(s); log start offset is now {}", topicPartition, deleted,
                    Math.max(logStartOffset, segments.firstKey()));
            advanceLogStartOffset(segments.firstKey());
            deleteDueFiles(now);
        }
        return deleted;
    }

    private void deleteDueFiles(long now) {
        pendingDeletes.removeIf(p -> {
            if (p.dueMs() <= now) {
                p.segment().deleteFiles();
                return true;
            }
            return false;
        });
    }

    /** Rolls a new active segment now, when the current one is not empty. */
    public void roll() {
        lock.lock();
        try {
            ensureOpen();
            if (segments.lastEntry().getValue().size() > 0) {
                rollLocked(nowMs.getAsLong());
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Rolls the active segment when it is not empty and its first batch is more than segment.ms older than
     * {@code nowMs}. Kafka checks segment.ms only on append (as {@link #appendAsLeader} does), so the background
     * tasks do not call this; it is here for callers that want idle segments closed.
     *
     * @return whether a new segment was rolled
     */
    public boolean maybeRoll(long nowMs) {
        lock.lock();
        try {
            ensureOpen();
            LogSegment active = segments.lastEntry().getValue();
            if (active.isTooOldFor(nowMs, nowMs, config.rollMs())) {
                rollLocked(nowMs);
                return true;
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    private LogSegment rollLocked(long now) {
        LogSegment old = segments.lastEntry().getValue();
        long newBase = logEndOffset;
        if (old.size() == 0) {
            return old;
        }
        old.onBecomeInactive();
        producerState.takeSnapshot(newBase);
        LogConfig cfg = config;
        LogSegment created =
                LogSegment.create(dir, newBase, cfg.indexIntervalBytes(), cfg.segmentIndexBytes(), now);
        addSegment(created);
        IoErrors.run("fsync", dir, () -> FileUtil.fsyncDirectory(dir));
        return created;
    }

    /** Forces every unflushed segment to disk and advances the recovery point to the log end offset. */
    public void flush() {
        lock.lock();
        try {
            ensureOpen();
            flushLocked(nowMs.getAsLong());
        } catch (StorageException e) {
            throw diskFailure(e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The periodic flush: fsyncs when flush.ms has passed since the last fsync, or when a rolled segment has not
     * been fsynced yet (Kafka flushes a segment in the background once it rolls). Also removes files of deleted
     * segments whose delay has passed.
     */
    public void flushIfDue(long nowMs) {
        lock.lock();
        try {
            ensureOpen();
            deleteDueFiles(nowMs);
            boolean rolledUnflushed = recoveryPoint < segments.lastKey();
            if (rolledUnflushed || (recoveryPoint < logEndOffset && nowMs - lastFlushMs >= config.flushMs())) {
                flushLocked(nowMs);
            }
        } catch (StorageException e) {
            throw diskFailure(e);
        } finally {
            lock.unlock();
        }
    }

    private void flushLocked(long now) {
        if (recoveryPoint < logEndOffset) {
            Long from = segments.floorKey(recoveryPoint);
            Map<Long, LogSegment> dirty = from == null ? segments : segments.tailMap(from);
            for (LogSegment segment : dirty.values()) {
                segment.flush();
            }
            recoveryPoint = logEndOffset;
            recoveryCheckpoint.write(recoveryPoint);
        }
        unflushedRecords = 0;
        lastFlushMs = now;
    }

    /**
     * Removes every batch whose last offset is >= {@code offset} (whole batches: a batch holding it goes too), with
     * their index entries, epochs and producer state. Below the log start offset the log starts over at
     * {@code offset}. Does nothing at or above the log end offset.
     */
    public void truncateTo(long offset) {
        lock.lock();
        try {
            ensureOpen();
            if (offset >= logEndOffset) {
                return;
            }
            truncations++;
            if (cleanerCheckpoint.read(0L) > offset) {
                cleanerCheckpoint.write(offset);
            }
            long now = nowMs.getAsLong();
            LogConfig cfg = config;
            if (offset < logStartOffset || offset < segments.firstKey()) {
                for (LogSegment segment : List.copyOf(segments.values())) {
                    removeForTruncation(segment, now);
                }
                addSegment(LogSegment.create(dir, offset, cfg.indexIntervalBytes(), cfg.segmentIndexBytes(), now));
                logStartCheckpoint.write(offset);
                logStartOffset = offset;
            } else {
                for (LogSegment segment : List.copyOf(segments.tailMap(offset, false).values())) {
                    removeForTruncation(segment, now);
                }
                LogSegment last = segments.lastEntry().getValue();
                last.truncateTo(offset);
                last.reactivate();
                last.setIndexIntervalBytes(cfg.indexIntervalBytes());
            }
            logEndOffset = segments.lastEntry().getValue().nextOffset();
            epochs.truncateFromEnd(logEndOffset);
            if (recoveryPoint > logEndOffset) {
                recoveryPoint = logEndOffset;
                recoveryCheckpoint.write(recoveryPoint);
            }
            rebuildProducerState();
            LOG.info("{}: truncated to offset {}; log end offset is {}", topicPartition, offset, logEndOffset);
        } finally {
            lock.unlock();
        }
    }

    private void removeForTruncation(LogSegment segment, long now) {
        segments.remove(segment.baseOffset());
        segment.renameForDeletion();
        pendingDeletes.add(new PendingDelete(segment, now + config.fileDeleteDelayMs()));
    }

    // ---- Log compaction: what the log cleaner (LogCleaner, Cleaner) needs from the log ----

    /**
     * Whether a data batch with offsets in [{@code fromOffset}, {@code toOffset}) belongs to an aborted transaction,
     * from the transaction index. The cleaner never maps the keys of such a batch and drops its records, as Kafka's
     * does.
     */
    Predicate<RecordBatchView> abortedBatches(long fromOffset, long toOffset) {
        List<AbortedTxn> aborted = collectAbortedTransactions(fromOffset, toOffset);
        return batch -> batch.isTransactional() && !batch.isControl() && aborted.stream().anyMatch(a ->
                a.producerId() == batch.producerId() && a.firstOffset() <= batch.baseOffset()
                        && batch.lastOffset() < a.lastOffset());
    }

    /** The closed segments whose base offset is below {@code endOffset}, oldest first (never the active one). */
    List<LogSegment> closedSegmentsBelow(long endOffset) {
        Map.Entry<Long, LogSegment> active = segments.lastEntry();
        List<LogSegment> result = new ArrayList<>();
        for (LogSegment segment : segments.headMap(Math.min(endOffset, active.getKey())).values()) {
            result.add(segment);
        }
        return result;
    }

    /** Each producer's last batch's last offset: the cleaner keeps those batches so that the sequences survive. */
    Map<Long, Long> lastBatchOffsetsOfProducers() {
        return producerState.lastBatchOffsets();
    }

    /** Where the cleaner stopped last: the offsets below it are clean; -1 when it never cleaned this log. */
    long cleanedUpTo() {
        return cleanerCheckpoint.read(-1L);
    }

    /** How many truncations the log has seen; a clean that began before one must not be applied. */
    long truncations() {
        return truncations;
    }

    /** Checkpoints that the offsets below {@code offset} are clean, unless the log was truncated meanwhile. */
    void markCleanedUpTo(long offset, long truncationsSeen) {
        lock.lock();
        try {
            if (!closed && truncations == truncationsSeen) {
                cleanerCheckpoint.write(offset);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Replaces {@code old}, consecutive closed segments, by {@code cleaned}: a flushed segment with the base offset of
     * the first of them, written to {@code .cleaned} files, that ends with the last batch of the last of them. This is
     * Kafka's crash-safe swap: the cleaned files are renamed to {@code .swap} (from then on a reopened log completes
     * the replacement, see {@code SegmentSwaps}), the segment takes the place of the old ones in memory, the old ones
     * are renamed for deletion (readers already in them finish), and the {@code .swap} suffix is dropped.
     *
     * @param truncationsSeen {@link #truncations()} when the clean began
     * @param step told after each step that changes the files (tests stop there)
     * @return false, with nothing changed, when the log was closed, truncated or lost one of {@code old} to
     *     retention meanwhile; the caller then deletes the cleaned files
     */
    boolean replaceSegments(LogSegment cleaned, List<LogSegment> old, long truncationsSeen,
            Consumer<SwapStep> step) {
        lock.lock();
        try {
            LogSegment active = segments.lastEntry().getValue();
            if (closed || truncations != truncationsSeen
                    || old.stream().anyMatch(s -> s == active || segments.get(s.baseOffset()) != s)) {
                return false;
            }
            cleaned.changeFileSuffixes(SegmentFiles.CLEANED_SUFFIX, SegmentFiles.SWAP_SUFFIX);
            IoErrors.run("fsync", dir, () -> FileUtil.fsyncDirectory(dir));
            step.accept(SwapStep.SWAP_WRITTEN);
            long deleteAt = nowMs.getAsLong() + config.fileDeleteDelayMs();
            // The new segment replaces the first old one in one step, so a reader never finds the range uncovered.
            segments.put(cleaned.baseOffset(), cleaned);
            for (LogSegment segment : old) {
                if (segment.baseOffset() != cleaned.baseOffset()) {
                    segments.remove(segment.baseOffset());
                }
                segment.renameForDeletion();
                pendingDeletes.add(new PendingDelete(segment, deleteAt));
            }
            step.accept(SwapStep.OLD_SEGMENTS_DELETED);
            cleaned.changeFileSuffixes(SegmentFiles.SWAP_SUFFIX, "");
            IoErrors.run("fsync", dir, () -> FileUtil.fsyncDirectory(dir));
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The codecs of this log's compressed batches. */
    BatchCompression compression() {
        return compression;
    }

    /** Flushes, snapshots producer state, closes the files and writes the clean-shutdown marker. Idempotent. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            try {
                flushLocked(nowMs.getAsLong());
                producerState.takeSnapshot(logEndOffset);
            } catch (StorageException e) {
                // The disk refuses: the files are closed all the same, without the clean-shutdown marker, so the
                // next open recovers the log as after a crash.
                StorageException failure = diskFailure(e);
                closeQuietly();
                throw failure;
            }
            deleteDueFiles(Long.MAX_VALUE);
            for (LogSegment segment : segments.values()) {
                segment.close();
            }
            closed = true;
            Path marker = dir.resolve(CLEAN_SHUTDOWN_FILE);
            IoErrors.run("write", marker, () -> FileUtil.writeAtomically(marker, new byte[0]));
        } finally {
            lock.unlock();
        }
    }

    /** Closes the log and removes its directory. */
    public void delete() {
        lock.lock();
        try {
            closeQuietly();
            IoErrors.run("delete", dir, () -> FileUtil.deleteRecursively(dir));
        } finally {
            lock.unlock();
        }
    }

    /** Closes without a flush or marker, for a log about to be deleted. */
    void closeQuietly() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            deleteDueFiles(Long.MAX_VALUE);
            for (LogSegment segment : segments.values()) {
                segment.close();
            }
        } finally {
            lock.unlock();
        }
    }

    public boolean isClosed() {
        return closed;
    }

    private void ensureOpen() {
        if (closed) {
            throw new StorageException(StorageException.Kind.STORAGE_ERROR, "Log " + dir + " is closed");
        }
    }

    @Override
    public String toString() {
        return "Log(" + topicPartition + ", logStartOffset=" + logStartOffset + ", logEndOffset=" + logEndOffset
                + ", segments=" + segments.size() + ")";
    }
}
