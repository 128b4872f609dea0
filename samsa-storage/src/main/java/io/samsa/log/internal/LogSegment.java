package io.samsa.log.internal;

import io.samsa.log.RecordBatchView;
import io.samsa.log.TimestampOffset;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One segment of a partition log: a {@code .log} file of v2 record batches whose offsets start at
 * {@link #baseOffset()}, with its offset and time indexes and the index of the transactions aborted in it.
 *
 * <p>Invariants: {@link #size()} bytes of the file are complete, valid batches with strictly increasing offsets, all
 * >= the base offset and at most Integer.MAX_VALUE above it; {@link #nextOffset()} is the offset after the last
 * batch (the base offset when empty); every index entry points inside those bytes.
 *
 * <p>Thread-safety: mutators (append, truncate, recover, roll, flush, close) are called with the owning log's append
 * lock held. Readers ({@link #slice}, the timestamp lookups, the getters) run concurrently with them: they bound
 * every file access by {@link #size()}, which is a volatile written only after the bytes and index entries it
 * covers, so readers see whole batches only.
 *
 * <p>The file is reference-counted: the log holds one reference until it closes the segment, and each reader that
 * takes a slice holds one ({@link #tryRetain()}/{@link #release()}), so a segment deleted by retention or replaced by
 * compaction while a response still sends from it stays open (unlinked) until that response is done, and no longer.
 */
public final class LogSegment {

    private static final Logger LOG = LoggerFactory.getLogger(LogSegment.class);

    private final long baseOffset;
    private final int maxIndexBytes;
    private volatile Path logFile;
    private final FileChannel channel;
    /** The log's own reference, until {@link #close()}, plus one per reader holding a slice of the file. */
    private final AtomicInteger refs = new AtomicInteger(1);
    private final AtomicBoolean closed = new AtomicBoolean();
    private OffsetIndex offsetIndex;
    private TimeIndex timeIndex;
    private TransactionIndex txnIndex;
    private volatile int indexIntervalBytes;
    private volatile int size;
    private volatile long nextOffset;
    private volatile long maxTimestamp = RecordBatchView.NO_TIMESTAMP;
    private volatile long offsetOfMaxTimestamp = -1;
    private int bytesSinceLastIndexEntry;
    private volatile long firstBatchTimestamp = RecordBatchView.NO_TIMESTAMP;
    private final long createdMs;
    private boolean active = true;
    private List<Path> filesToDelete;
    private int truncatedOnOpen;
    /** An append failed and its bytes or index entries may still be in the files, past what the segment holds. */
    private boolean tornTail;

    private LogSegment(Path logFile, FileChannel channel, long baseOffset, int indexIntervalBytes,
            int maxIndexBytes, long createdMs) {
        this.logFile = logFile;
        this.channel = channel;
        this.baseOffset = baseOffset;
        this.indexIntervalBytes = indexIntervalBytes;
        this.maxIndexBytes = maxIndexBytes;
        this.createdMs = createdMs;
        this.nextOffset = baseOffset;
    }

    /** Creates a new empty segment, replacing stale files of the same name. */
    public static LogSegment create(Path dir, long baseOffset, int indexIntervalBytes, int maxIndexBytes,
            long nowMs) {
        return create(dir, baseOffset, indexIntervalBytes, maxIndexBytes, nowMs, "");
    }

    /**
     * Creates the segment the cleaner writes into, with files named like those of a segment plus
     * {@link SegmentFiles#CLEANED_SUFFIX}; {@link #changeFileSuffixes} moves them into place later.
     */
    public static LogSegment createCleaned(Path dir, long baseOffset, int indexIntervalBytes, int maxIndexBytes,
            long nowMs) {
        return create(dir, baseOffset, indexIntervalBytes, maxIndexBytes, nowMs, SegmentFiles.CLEANED_SUFFIX);
    }

    private static LogSegment create(Path dir, long baseOffset, int indexIntervalBytes, int maxIndexBytes,
            long nowMs, String suffix) {
        Path file = withSuffix(SegmentFiles.logFile(dir, baseOffset), suffix);
        Path indexFile = withSuffix(SegmentFiles.indexFile(dir, baseOffset), suffix);
        Path timeIndexFile = withSuffix(SegmentFiles.timeIndexFile(dir, baseOffset), suffix);
        return IoErrors.call("create segment", file, () -> {
            FileChannel ch = FileChannels.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            // Empty index files from the start, as Kafka has them, so that tools find every segment's indexes.
            for (Path index : List.of(indexFile, timeIndexFile)) {
                Files.deleteIfExists(index);
                Files.createFile(index);
            }
            LogSegment segment = new LogSegment(file, ch, baseOffset, indexIntervalBytes, maxIndexBytes, nowMs);
            segment.offsetIndex = OffsetIndex.empty(indexFile, baseOffset, maxIndexBytes);
            segment.timeIndex = TimeIndex.empty(timeIndexFile, baseOffset, maxIndexBytes);
            segment.txnIndex = TransactionIndex.empty(withSuffix(SegmentFiles.txnIndexFile(dir, baseOffset),
                    suffix));
            return segment;
        });
    }

    private static Path withSuffix(Path file, String suffix) {
        return suffix.isEmpty() ? file : file.resolveSibling(file.getFileName() + suffix);
    }

    /**
     * Renames the segment's files from names ending in {@code oldSuffix} to names ending in {@code newSuffix} (either
     * may be empty), the indexes first and the log last, each rename atomic. The open channel follows the file, so
     * readers are not disturbed. The caller fsyncs the directory.
     */
    public void changeFileSuffixes(String oldSuffix, String newSuffix) {
        IoErrors.run("rename", logFile, () -> {
            offsetIndex.renameTo(resuffixed(offsetIndex.file(), oldSuffix, newSuffix));
            timeIndex.renameTo(resuffixed(timeIndex.file(), oldSuffix, newSuffix));
            txnIndex.renameTo(resuffixed(txnIndex.file(), oldSuffix, newSuffix));
            Path target = resuffixed(logFile, oldSuffix, newSuffix);
            Files.move(logFile, target, StandardCopyOption.ATOMIC_MOVE);
            logFile = target;
        });
    }

    private static Path resuffixed(Path file, String oldSuffix, String newSuffix) {
        String name = file.getFileName().toString();
        if (!name.endsWith(oldSuffix)) {
            throw new IllegalStateException(file + " does not end with '" + oldSuffix + "'");
        }
        return file.resolveSibling(name.substring(0, name.length() - oldSuffix.length()) + newSuffix);
    }

    /**
     * Opens an existing segment. With {@code recover} every batch is validated and the indexes rebuilt (after an
     * unclean shutdown); otherwise the indexes are loaded and only the tail after the last index entry is scanned,
     * falling back to full recovery when anything is inconsistent.
     */
    public static LogSegment open(Path dir, long baseOffset, int indexIntervalBytes, int maxIndexBytes,
            long nowMs, boolean recover) {
        Path file = SegmentFiles.logFile(dir, baseOffset);
        return IoErrors.call("open segment", file, () -> {
            FileChannel ch = FileChannels.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            long fileSize = ch.size();
            if (fileSize > Integer.MAX_VALUE) {
                ch.close();
                throw new IOException("segment is larger than 2 GiB: " + fileSize + " bytes");
            }
            LogSegment segment = new LogSegment(file, ch, baseOffset, indexIntervalBytes, maxIndexBytes, nowMs);
            segment.size = (int) fileSize;
            // Its entries past a torn tail are removed by the log, which replays the markers after its snapshot.
            segment.txnIndex = TransactionIndex.load(SegmentFiles.txnIndexFile(dir, baseOffset));
            boolean loaded = false;
            if (!recover) {
                segment.offsetIndex = OffsetIndex.load(SegmentFiles.indexFile(dir, baseOffset), baseOffset,
                        maxIndexBytes, segment.size);
                segment.timeIndex = TimeIndex.load(SegmentFiles.timeIndexFile(dir, baseOffset), baseOffset,
                        maxIndexBytes);
                loaded = segment.offsetIndex != null && segment.timeIndex != null && segment.scanTail();
            }
            if (!loaded) {
                if (!recover) {
                    LOG.info("Rebuilding the indexes of {}: missing or inconsistent", file);
                }
                segment.offsetIndex = OffsetIndex.empty(SegmentFiles.indexFile(dir, baseOffset), baseOffset,
                        maxIndexBytes);
                segment.timeIndex = TimeIndex.empty(SegmentFiles.timeIndexFile(dir, baseOffset), baseOffset,
                        maxIndexBytes);
                segment.truncatedOnOpen = segment.recover();
            }
            segment.loadFirstBatchTimestamp();
            return segment;
        });
    }

    /** Bytes that recovery cut from the end of the file when the segment was opened. */
    public int truncatedOnOpen() {
        return truncatedOnOpen;
    }

    public long baseOffset() {
        return baseOffset;
    }

    /** Bytes of complete batches. */
    public int size() {
        return size;
    }

    /** The offset after the last batch; the base offset when empty. */
    public long nextOffset() {
        return nextOffset;
    }

    /** The largest batch max timestamp, or -1 when empty or when no batch has a timestamp. */
    public long maxTimestamp() {
        return maxTimestamp;
    }

    /** The max timestamp of the first batch, or -1 when empty (max.compaction.lag.ms counts from it). */
    public long firstBatchTimestamp() {
        return firstBatchTimestamp;
    }

    public Path logFile() {
        return logFile;
    }

    public OffsetIndex offsetIndex() {
        return offsetIndex;
    }

    public TimeIndex timeIndex() {
        return timeIndex;
    }

    public TransactionIndex txnIndex() {
        return txnIndex;
    }

    public void setIndexIntervalBytes(int indexIntervalBytes) {
        this.indexIntervalBytes = indexIntervalBytes;
    }

    /** The timestamp retention compares with: the largest record timestamp, else the file's modification time. */
    public long largestTimestamp() {
        long max = maxTimestamp;
        if (max >= 0) {
            return max;
        }
        return IoErrors.call("stat", logFile, () -> Files.getLastModifiedTime(logFile).toMillis());
    }

    /** Kafka's roll conditions other than time: size, full indexes, relative offsets that would overflow. */
    public boolean isFullFor(int appendBytes, long lastOffset, int segmentBytes) {
        return (size > 0 && (long) size + appendBytes > segmentBytes)
                || offsetIndex.isFull()
                || timeIndex.isFull()
                || lastOffset - baseOffset > Integer.MAX_VALUE;
    }

    /**
     * Kafka's segment.ms roll condition: the incoming batches' max timestamp is more than segmentMs after the
     * segment's first batch (or, without a timestamp there, now is more than segmentMs after its creation).
     */
    public boolean isTooOldFor(long incomingMaxTimestamp, long nowMs, long segmentMs) {
        if (size == 0) {
            return false;
        }
        long waited = firstBatchTimestamp >= 0 ? incomingMaxTimestamp - firstBatchTimestamp : nowMs - createdMs;
        return waited > segmentMs;
    }

    /**
     * Writes already-validated batches (offsets assigned) at the end of the file and indexes them. Publishes the new
     * size only after the write and the index entries. When the disk fails half-way (no space, an I/O error) nothing
     * of the append stays: the torn bytes and the index entries written for it are removed again, as recovery after a
     * crash would remove them, and the failure is thrown.
     *
     * @param records the bytes of {@code batches}, position to limit
     */
    public void append(ByteBuffer records, List<RecordBatchView> batches) {
        IoErrors.run("append to", logFile, () -> {
            removeTornTail();
            Mark before = mark();
            try {
                int position = size;
                FileUtil.writeFully(channel, records.duplicate(), position);
                if (position == 0) {
                    firstBatchTimestamp = batches.get(0).maxTimestamp();
                }
                for (RecordBatchView batch : batches) {
                    indexBatch(batch.lastOffset(), batch.maxTimestamp(), position);
                    position += batch.sizeInBytes();
                    bytesSinceLastIndexEntry += batch.sizeInBytes();
                }
                nextOffset = batches.get(batches.size() - 1).nextOffset();
                size = position;
            } catch (IOException | RuntimeException e) {
                rollBackTo(before);
                throw e;
            }
        });
    }

    /** The segment's state before an append, to go back to when the append cannot be completed. */
    public record Mark(int size, long nextOffset, long maxTimestamp, long offsetOfMaxTimestamp,
            int bytesSinceLastIndexEntry, long firstBatchTimestamp) {}

    /** Where the segment stands now; see {@link #rollBackTo(Mark)}. */
    public Mark mark() {
        return new Mark(size, nextOffset, maxTimestamp, offsetOfMaxTimestamp, bytesSinceLastIndexEntry,
                firstBatchTimestamp);
    }

    /**
     * Forgets everything appended since {@code mark}: readers never saw it (or the log has not published it yet). The
     * files are cut back at once when the disk allows it; when it refuses even that (read-only, I/O error), the cut is
     * made before the next append, and a restart's recovery would make it too.
     */
    public void rollBackTo(Mark mark) {
        size = mark.size();
        nextOffset = mark.nextOffset();
        maxTimestamp = mark.maxTimestamp();
        offsetOfMaxTimestamp = mark.offsetOfMaxTimestamp();
        bytesSinceLastIndexEntry = mark.bytesSinceLastIndexEntry();
        firstBatchTimestamp = mark.firstBatchTimestamp();
        tornTail = true;
        try {
            removeTornTail();
        } catch (IOException | RuntimeException e) {
            LOG.debug("Cannot cut {} back to {} bytes yet: {}", logFile, mark.size(), e.toString());
        }
    }

    /** Cuts the files back to what the segment holds, after an append that failed half-way. */
    private void removeTornTail() throws IOException {
        if (!tornTail) {
            return;
        }
        offsetIndex.truncateTo(nextOffset);
        timeIndex.truncateTo(nextOffset);
        txnIndex.truncateTo(nextOffset);
        if (channel.size() > size) {
            channel.truncate(size);
        }
        tornTail = false;
    }

    /** Kafka's indexing rule: an entry for a batch once more than index.interval.bytes have passed unindexed. */
    private void indexBatch(long lastOffset, long batchMaxTimestamp, int position) throws IOException {
        if (batchMaxTimestamp > maxTimestamp) {
            offsetOfMaxTimestamp = lastOffset;
            maxTimestamp = batchMaxTimestamp;
        }
        if (bytesSinceLastIndexEntry > indexIntervalBytes) {
            offsetIndex.append(lastOffset, position);
            timeIndex.maybeAppend(maxTimestamp, offsetOfMaxTimestamp);
            bytesSinceLastIndexEntry = 0;
        }
    }

    /**
     * Validates every batch from the start of the file, rebuilding both indexes, and truncates the file at the first
     * invalid batch (a torn write after a crash, or corruption). Logs one warning when it truncates.
     *
     * @return bytes truncated
     */
    public int recover() {
        return IoErrors.call("recover", logFile, () -> {
            offsetIndex.reset();
            timeIndex.reset();
            maxTimestamp = RecordBatchView.NO_TIMESTAMP;
            offsetOfMaxTimestamp = -1;
            bytesSinceLastIndexEntry = 0;
            int fileSize = (int) channel.size();
            int position = 0;
            long expectedOffset = baseOffset;
            ByteBuffer batchBuffer = ByteBuffer.allocate(RecordBatchView.HEADER_SIZE);
            String problem = null;
            while (position < fileSize) {
                int available = fileSize - position;
                if (available < RecordBatchView.HEADER_SIZE) {
                    problem = "a partial batch header of " + available + " bytes";
                    break;
                }
                batchBuffer.clear().limit(RecordBatchView.HEADER_SIZE);
                FileUtil.readFully(channel, batchBuffer, position);
                RecordBatchView header = RecordBatchView.at(batchBuffer, 0);
                int batchSize = header.sizeInBytes();
                if (header.batchLength() < RecordBatchView.HEADER_SIZE - RecordBatchView.LOG_OVERHEAD
                        || batchSize > available) {
                    problem = "a batch of declared length " + header.batchLength() + " with " + available
                            + " bytes left in the file";
                    break;
                }
                if (batchBuffer.capacity() < batchSize) {
                    batchBuffer = ByteBuffer.allocate(Math.max(batchSize, batchBuffer.capacity() * 2));
                }
                batchBuffer.clear().limit(batchSize);
                FileUtil.readFully(channel, batchBuffer, position);
                RecordBatchView batch = RecordBatchView.at(batchBuffer, 0);
                problem = invalidReason(batch, expectedOffset);
                if (problem != null) {
                    break;
                }
                indexBatch(batch.lastOffset(), batch.maxTimestamp(), position);
                position += batchSize;
                bytesSinceLastIndexEntry += batchSize;
                expectedOffset = batch.nextOffset();
            }
            int truncated = fileSize - position;
            if (truncated > 0) {
                LOG.warn("Truncating {} at byte {} (offset {}): found {}; {} bytes removed", logFile, position,
                        expectedOffset, problem, truncated);
                channel.truncate(position);
            }
            nextOffset = expectedOffset;
            size = position;
            return truncated;
        });
    }

    /** Why a batch read from disk cannot be kept, or null when it is sound. */
    private String invalidReason(RecordBatchView batch, long expectedOffset) {
        if (batch.magic() != RecordBatchView.MAGIC_V2) {
            return "magic " + batch.magic();
        }
        if (!batch.isCrcValid()) {
            return "a CRC mismatch";
        }
        // A cleaned batch may hold fewer records than its offset range, down to none (see the log cleaner).
        if (batch.recordsCount() < 0 || batch.lastOffsetDelta() < 0
                || batch.recordsCount() > batch.lastOffsetDelta() + 1L) {
            return "a record count of " + batch.recordsCount() + " with lastOffsetDelta " + batch.lastOffsetDelta();
        }
        if (batch.baseOffset() < expectedOffset || batch.lastOffset() - baseOffset > Integer.MAX_VALUE) {
            return "base offset " + batch.baseOffset() + " where at least " + expectedOffset + " was expected";
        }
        return null;
    }

    /**
     * After loading the indexes: scans the batches after the last offset index entry to find the next offset and
     * the max timestamp. Returns false when the indexes do not match the log, or a header looks broken, so that the
     * caller recovers the segment.
     */
    private boolean scanTail() throws IOException {
        int position = offsetIndex.lastPosition();
        long expectedOffset = baseOffset;
        long tailMaxTimestamp = timeIndex.lastTimestamp();
        long tailOffsetOfMax = timeIndex.lastOffset();
        ByteBuffer header = ByteBuffer.allocate(RecordBatchView.HEADER_SIZE);
        boolean first = true;
        while (position < size) {
            RecordBatchView batch = readHeader(position, header, size);
            if (batch == null || batch.magic() != RecordBatchView.MAGIC_V2
                    || batch.batchLength() < RecordBatchView.HEADER_SIZE - RecordBatchView.LOG_OVERHEAD
                    || (long) position + batch.sizeInBytes() > size || batch.baseOffset() < expectedOffset) {
                return false;
            }
            if (first && offsetIndex.entries() > 0 && batch.lastOffset() != offsetIndex.lastOffset()) {
                return false;
            }
            first = false;
            if (batch.maxTimestamp() > tailMaxTimestamp) {
                tailMaxTimestamp = batch.maxTimestamp();
                tailOffsetOfMax = batch.lastOffset();
            }
            expectedOffset = batch.nextOffset();
            position += batch.sizeInBytes();
        }
        if (timeIndex.lastOffset() >= expectedOffset) {
            return false;
        }
        nextOffset = expectedOffset;
        maxTimestamp = tailMaxTimestamp;
        offsetOfMaxTimestamp = tailOffsetOfMax;
        bytesSinceLastIndexEntry = size - offsetIndex.lastPosition();
        return true;
    }

    private void loadFirstBatchTimestamp() throws IOException {
        if (size > 0) {
            RecordBatchView first = readHeader(0, ByteBuffer.allocate(RecordBatchView.HEADER_SIZE), size);
            firstBatchTimestamp = first == null ? RecordBatchView.NO_TIMESTAMP : first.maxTimestamp();
        }
    }

    /** Reads the header of the batch at {@code position} into {@code scratch}; null when it ends past {@code limit}. */
    private RecordBatchView readHeader(int position, ByteBuffer scratch, int limit) throws IOException {
        if (limit - position < RecordBatchView.HEADER_SIZE) {
            return null;
        }
        scratch.clear().limit(RecordBatchView.HEADER_SIZE);
        if (FileUtil.readFully(channel, scratch, position) < RecordBatchView.HEADER_SIZE) {
            return null;
        }
        return RecordBatchView.at(scratch, 0);
    }

    /**
     * Where a fetch from {@code startOffset} reads in this segment, as Kafka's {@code LogSegment.read} decides it: from
     * the batch holding {@code startOffset}, at most {@code maxBytes} (with {@code minOneBatch}, at least that whole
     * first batch), and not past the first batch whose base offset is >= {@code maxOffsetExclusive} (the high
     * watermark or last stable offset). The range may end inside a batch when {@code maxBytes} cuts one. The caller
     * holds a reference ({@link #tryRetain()}) so the file cannot close under the scan.
     *
     * @return the range, possibly empty, or null when no batch in this segment ends at or after {@code startOffset}
     */
    public Range slice(long startOffset, int maxBytes, long maxOffsetExclusive, boolean minOneBatch)
            throws IOException {
        // Size before next offset: an append publishes the next offset first, so the size read here never covers a
        // batch newer than the next offset read after it.
        int limit = size;
        long next = nextOffset;
        ByteBuffer header = ByteBuffer.allocate(RecordBatchView.HEADER_SIZE);
        int position = findBatchPosition(startOffset, header, limit);
        if (position < 0) {
            return null;
        }
        int firstBatchSize = RecordBatchView.at(header, 0).sizeInBytes();
        int maxPosition = next <= maxOffsetExclusive ? limit
                : firstBatchFrom(maxOffsetExclusive, position, header, limit);
        int adjustedMaxBytes = minOneBatch ? Math.max(maxBytes, firstBatchSize) : maxBytes;
        return new Range(position, Math.max(0, Math.min(maxPosition - position, adjustedMaxBytes)));
    }

    /** A byte range of the {@code .log} file. */
    public record Range(int position, int size) {}

    /** The position of the first batch at or after {@code from} whose base offset is >= {@code offset}. */
    private int firstBatchFrom(long offset, int from, ByteBuffer header, int limit) throws IOException {
        int position = Math.max(from, offsetIndex.lookup(offset));
        while (position < limit) {
            RecordBatchView batch = readHeader(position, header, limit);
            if (batch == null || batch.baseOffset() >= offset) {
                break;
            }
            position += batch.sizeInBytes();
        }
        return Math.min(position, limit);
    }

    /** The open {@code .log} file, for slices that hold a reference on it. */
    public FileChannel channel() {
        return channel;
    }

    /**
     * Takes a reference on the file for a reader: it stays open until the matching {@link #release()}.
     *
     * @return false when the segment is already closed (deleted, replaced or its log closed): read elsewhere
     */
    public boolean tryRetain() {
        while (true) {
            int n = refs.get();
            if (n == 0) {
                return false;
            }
            if (refs.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Drops a reference; the last one closes the file. */
    public void release() {
        int left = refs.decrementAndGet();
        if (left == 0) {
            IoErrors.run("close", logFile, channel::close);
        } else if (left < 0) {
            throw new IllegalStateException("released more often than retained: " + this);
        }
    }

    /** References on the file: 1 for the log until it closes the segment, plus one per unreleased slice. */
    public int references() {
        return refs.get();
    }

    /** The position of the first batch whose last offset is >= {@code offset}, or -1 when there is none. */
    private int findBatchPosition(long offset, ByteBuffer header, int limit) throws IOException {
        int position = offsetIndex.lookup(offset);
        while (position < limit) {
            RecordBatchView batch = readHeader(position, header, limit);
            if (batch == null) {
                return -1;
            }
            if (batch.lastOffset() >= offset) {
                return position;
            }
            position += batch.sizeInBytes();
        }
        return -1;
    }

    /** Reads the whole batch at {@code position}; its header must already be known to fit below {@code size}. */
    private RecordBatchView readBatch(int position, int batchSize) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(batchSize);
        FileUtil.readFully(channel, buffer, position);
        return RecordBatchView.at(buffer, 0);
    }

    /**
     * The first record with timestamp >= {@code timestamp} and offset >= {@code minOffset}, or null. Compressed
     * batches are not decompressed: their base offset (or {@code minOffset}) and max timestamp stand for them.
     */
    public TimestampOffset findOffsetByTimestamp(long timestamp, long minOffset) throws IOException {
        int limit = size;
        long fromOffset = timeIndex.lookup(timestamp);
        int position = fromOffset < 0 ? 0 : offsetIndex.lookup(fromOffset);
        ByteBuffer header = ByteBuffer.allocate(RecordBatchView.HEADER_SIZE);
        while (position < limit) {
            RecordBatchView head = readHeader(position, header, limit);
            if (head == null) {
                return null;
            }
            int batchSize = head.sizeInBytes();
            if (head.maxTimestamp() >= timestamp && head.lastOffset() >= minOffset) {
                int epoch = head.partitionLeaderEpoch();
                if (head.isLogAppendTime() || head.isCompressed()) {
                    return new TimestampOffset(head.maxTimestamp(), Math.max(head.baseOffset(), minOffset), epoch);
                }
                TimestampOffset[] found = new TimestampOffset[1];
                readBatch(position, batchSize).forEachRecord((offset, ts) -> {
                    if (ts >= timestamp && offset >= minOffset) {
                        found[0] = new TimestampOffset(ts, offset, epoch);
                        return false;
                    }
                    return true;
                });
                if (found[0] != null) {
                    return found[0];
                }
            }
            position += batchSize;
        }
        return null;
    }

    /**
     * The record holding this segment's max timestamp, or null when the segment has none. For a compressed batch
     * the batch's last offset stands for it (finding the record would need decompression).
     */
    public TimestampOffset findMaxTimestampOffset() throws IOException {
        long max = maxTimestamp;
        long batchLastOffset = offsetOfMaxTimestamp;
        if (max < 0) {
            return null;
        }
        int limit = size;
        int position = findBatchPosition(batchLastOffset, ByteBuffer.allocate(RecordBatchView.HEADER_SIZE), limit);
        if (position < 0) {
            return null;
        }
        RecordBatchView head = readHeader(position, ByteBuffer.allocate(RecordBatchView.HEADER_SIZE), limit);
        int epoch = head.partitionLeaderEpoch();
        if (head.isLogAppendTime()) {
            return new TimestampOffset(head.maxTimestamp(), head.baseOffset(), epoch);
        }
        if (head.isCompressed()) {
            return new TimestampOffset(head.maxTimestamp(), head.lastOffset(), epoch);
        }
        long[] offset = {head.lastOffset()};
        readBatch(position, head.sizeInBytes()).forEachRecord((o, ts) -> {
            if (ts == head.maxTimestamp()) {
                offset[0] = o;
                return false;
            }
            return true;
        });
        return new TimestampOffset(head.maxTimestamp(), offset[0], epoch);
    }

    /**
     * Removes the batches whose last offset is >= {@code offset} (a batch holding it goes entirely) and their
     * index entries.
     *
     * @return bytes removed
     */
    public int truncateTo(long offset) {
        return IoErrors.call("truncate", logFile, () -> {
            int limit = size;
            int position = findBatchPosition(offset, ByteBuffer.allocate(RecordBatchView.HEADER_SIZE), limit);
            if (position < 0) {
                return 0;
            }
            offsetIndex.truncateTo(offset);
            timeIndex.truncateTo(offset);
            txnIndex.truncateTo(offset);
            channel.truncate(position);
            size = position;
            if (!scanTail()) {
                recover();
            }
            if (size == 0) {
                firstBatchTimestamp = RecordBatchView.NO_TIMESTAMP;
            }
            return limit - position;
        });
    }

    /**
     * Calls {@code action} with the header of every batch whose base offset is >= {@code fromOffset}, in order; a
     * control batch comes whole, since its transaction marker is in its record.
     */
    public void forEachBatchHeader(long fromOffset, java.util.function.Consumer<RecordBatchView> action) {
        IoErrors.run("scan", logFile, () -> {
            int limit = size;
            ByteBuffer header = ByteBuffer.allocate(RecordBatchView.HEADER_SIZE);
            int position = offsetIndex.lookup(fromOffset);
            while (position < limit) {
                RecordBatchView batch = readHeader(position, header, limit);
                if (batch == null) {
                    return;
                }
                int batchSize = batch.sizeInBytes();
                if (batch.baseOffset() >= fromOffset) {
                    action.accept(batch.isControl() ? readBatch(position, batchSize) : batch);
                }
                position += batchSize;
            }
        });
    }

    /**
     * Calls {@code action} with every whole batch of the segment, in order, until it returns false; batches are read
     * in chunks of at least {@code chunkBytes} (more for a larger batch). A view is valid only during its call.
     */
    public void forEachBatch(int chunkBytes, java.util.function.Predicate<RecordBatchView> action) {
        IoErrors.run("scan", logFile, () -> {
            int limit = size;
            ByteBuffer chunk = ByteBuffer.allocate(Math.max(chunkBytes, RecordBatchView.HEADER_SIZE));
            int position = 0;
            while (position < limit) {
                chunk.clear().limit(Math.min(chunk.capacity(), limit - position));
                FileUtil.readFully(channel, chunk, position);
                chunk.flip();
                int offset = 0;
                while (chunk.limit() - offset >= RecordBatchView.HEADER_SIZE) {
                    RecordBatchView batch = RecordBatchView.at(chunk, offset);
                    if (batch.sizeInBytes() > chunk.limit() - offset) {
                        break;
                    }
                    if (!action.test(batch)) {
                        return;
                    }
                    offset += batch.sizeInBytes();
                }
                if (offset == 0) {
                    // Not even one whole batch fits: grow to the size of the next one.
                    if (chunk.limit() < RecordBatchView.HEADER_SIZE) {
                        throw new IOException("partial batch header at byte " + position);
                    }
                    int next = RecordBatchView.at(chunk, 0).sizeInBytes();
                    if (next <= chunk.capacity() || next > limit - position) {
                        throw new IOException("batch of " + next + " bytes at byte " + position + " does not fit in"
                                + " the segment's " + limit + " bytes");
                    }
                    chunk = ByteBuffer.allocate(next);
                    continue;
                }
                position += offset;
            }
        });
    }

    /** Makes this segment the one appends go to again, after a truncation removed the segments above it. */
    public void reactivate() {
        active = true;
    }

    /** Called when a newer segment takes over appends: records the final time index entry, as Kafka does. */
    public void onBecomeInactive() {
        IoErrors.run("seal the time index of", logFile, () -> {
            if (maxTimestamp >= 0) {
                timeIndex.maybeAppend(maxTimestamp, offsetOfMaxTimestamp);
            }
            active = false;
        });
    }

    /** Forces the file and indexes to disk; index handles of inactive segments are closed afterwards. */
    public void flush() {
        IoErrors.run("flush", logFile, () -> {
            channel.force(true);
            offsetIndex.flush();
            timeIndex.flush();
            txnIndex.flush();
            if (!active) {
                offsetIndex.close();
                timeIndex.close();
                txnIndex.close();
            }
        });
    }

    /**
     * Closes the indexes and drops the log's reference on the file, which closes once no slice holds it either.
     * Idempotent.
     */
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        IoErrors.run("close", logFile, () -> {
            offsetIndex.close();
            timeIndex.close();
            txnIndex.close();
        });
        release();
    }

    /**
     * First step of deleting the segment: renames its files with the {@code .deleted} suffix so that a restart will
     * not load them. The channel and the in-memory indexes stay usable so that readers holding this segment can
     * finish; {@link #deleteFiles()} removes the files later.
     */
    public void renameForDeletion() {
        IoErrors.run("rename for deletion", logFile, () -> {
            offsetIndex.close();
            timeIndex.close();
            txnIndex.close();
            List<Path> renamed = new ArrayList<>();
            for (Path file : List.of(logFile, offsetIndex.file(), timeIndex.file(), txnIndex.file())) {
                Path target = file.resolveSibling(file.getFileName() + SegmentFiles.DELETED_SUFFIX);
                if (Files.exists(file)) {
                    Files.move(file, target, StandardCopyOption.REPLACE_EXISTING);
                }
                renamed.add(target);
            }
            filesToDelete = renamed;
        });
    }

    /**
     * Final step of deletion: closes the segment and removes the files. A reader still holding a slice keeps reading
     * the unlinked file until it releases it.
     */
    public void deleteFiles() {
        IoErrors.run("delete", logFile, () -> {
            close();
            List<Path> files = filesToDelete != null
                    ? filesToDelete
                    : List.of(logFile, offsetIndex.file(), timeIndex.file(), txnIndex.file());
            for (Path file : files) {
                Files.deleteIfExists(file);
            }
        });
    }

    @Override
    public String toString() {
        return "LogSegment(" + logFile + ", baseOffset=" + baseOffset + ", size=" + size + ", nextOffset="
                + nextOffset + ")";
    }
}
