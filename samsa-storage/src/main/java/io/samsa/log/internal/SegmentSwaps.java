package io.samsa.log.internal;

import io.samsa.log.RecordBatchView;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finishes, when a log opens, a segment replacement by the log cleaner that a crash interrupted. The cleaner
 * (Kafka's protocol, see {@code Log.replaceSegments}) writes the cleaned segment to {@code .cleaned} files, flushes
 * them, renames them to {@code .swap} (the commit point), renames the replaced segments to {@code .deleted}, then
 * drops the {@code .swap} suffix. So at open:
 * <ul>
 *   <li>{@code .cleaned} files are an unfinished clean: deleted, the old segments are intact;
 *   <li>a {@code <base>.log.swap} is a complete cleaned segment: every segment whose base offset lies in its offset
 *       range is replaced by it (deleted if still there), and it takes its final name;
 *   <li>index files of a swap are deleted rather than trusted: the log rebuilds them from the segment.
 * </ul>
 * Each step is idempotent, so a crash during this recovery is recovered the same way.
 *
 * <p>Stateless and thread-safe (the caller owns the directory).
 */
public final class SegmentSwaps {

    private static final Logger LOG = LoggerFactory.getLogger(SegmentSwaps.class);
    private static final String LOG_SWAP = SegmentFiles.LOG_SUFFIX + SegmentFiles.SWAP_SUFFIX;
    private static final String TXN_INDEX_SWAP = SegmentFiles.TXN_INDEX_SUFFIX + SegmentFiles.SWAP_SUFFIX;

    private SegmentSwaps() {}

    public static void recover(Path dir) throws IOException {
        List<Long> swaps = new ArrayList<>();
        for (Path file : list(dir)) {
            String name = file.getFileName().toString();
            if (name.endsWith(SegmentFiles.CLEANED_SUFFIX)) {
                Files.delete(file);
            } else if (name.endsWith(LOG_SWAP)) {
                long base = SegmentFiles.parseOffset(name, LOG_SWAP);
                if (base >= 0) {
                    swaps.add(base);
                }
            } else if (name.endsWith(SegmentFiles.SWAP_SUFFIX) && !name.endsWith(TXN_INDEX_SWAP)) {
                Files.delete(file);
            }
        }
        swaps.sort(null);
        for (long base : swaps) {
            complete(dir, base);
        }
        // Transaction indexes of swaps that were not completed (their segment was damaged or never renamed).
        for (Path file : list(dir)) {
            if (file.getFileName().toString().endsWith(TXN_INDEX_SWAP)) {
                Files.delete(file);
            }
        }
        if (!swaps.isEmpty()) {
            FileUtil.fsyncDirectory(dir);
        }
    }

    private static void complete(Path dir, long base) throws IOException {
        Path swap = dir.resolve(SegmentFiles.offsetName(base) + LOG_SWAP);
        long next = nextOffset(swap, base);
        if (next == base) {
            // The cleaner never swaps in an empty segment; this file is damaged, so the old segments stay.
            LOG.warn("Deleting {}: it holds no complete batch", swap);
            Files.delete(swap);
            return;
        }
        List<Long> replaced = new ArrayList<>();
        for (Path file : list(dir)) {
            long segmentBase = SegmentFiles.parseOffset(file.getFileName().toString(), SegmentFiles.LOG_SUFFIX);
            if (segmentBase >= base && segmentBase < next) {
                replaced.add(segmentBase);
            }
        }
        for (long old : replaced) {
            Files.deleteIfExists(SegmentFiles.logFile(dir, old));
        }
        for (long old : replaced) {
            Files.deleteIfExists(SegmentFiles.indexFile(dir, old));
            Files.deleteIfExists(SegmentFiles.timeIndexFile(dir, old));
            Files.deleteIfExists(SegmentFiles.txnIndexFile(dir, old));
        }
        Files.deleteIfExists(SegmentFiles.indexFile(dir, base));
        Files.deleteIfExists(SegmentFiles.timeIndexFile(dir, base));
        // The transaction index was written and flushed with the cleaned segment, before the commit point: kept.
        Path txnSwap = dir.resolve(SegmentFiles.txnIndexFile(dir, base).getFileName() + SegmentFiles.SWAP_SUFFIX);
        if (Files.exists(txnSwap)) {
            Files.move(txnSwap, SegmentFiles.txnIndexFile(dir, base), StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(swap, SegmentFiles.logFile(dir, base), StandardCopyOption.ATOMIC_MOVE);
        LOG.info("Completed the replacement of segment(s) {} of {} by the cleaned segment covering offsets {} to {}",
                replaced, dir, base, next - 1);
    }

    /** The offset after the last whole batch of a segment file. */
    private static long nextOffset(Path file, long base) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            long position = 0;
            long next = base;
            ByteBuffer header = ByteBuffer.allocate(RecordBatchView.HEADER_SIZE);
            while (size - position >= RecordBatchView.HEADER_SIZE) {
                header.clear();
                FileUtil.readFully(channel, header, position);
                RecordBatchView batch = RecordBatchView.at(header, 0);
                if (batch.batchLength() < RecordBatchView.HEADER_SIZE - RecordBatchView.LOG_OVERHEAD
                        || position + batch.sizeInBytes() > size) {
                    break;
                }
                next = batch.nextOffset();
                position += batch.sizeInBytes();
            }
            return next;
        }
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }
}
