package io.samsa.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.samsa.log.internal.SegmentFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fetch reads as slices of the segment files: exactly the bytes Kafka's {@code LogSegment.read} would return, checked
 * against the {@code .log} files themselves, and reference-counted so that retention and compaction never break a
 * slice nor leak its file.
 */
class LogSliceTest {

    private static final TopicPartition TP = new TopicPartition("sliced", 0);
    private static final long T0 = 1_700_000_000_000L;

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
        Log log = Log.open(dataDir.resolve(TP.dirName()), TP, config.build(), clock::get,
                JdkGzipCompression.INSTANCE);
        opened.add(log);
        return log;
    }

    /** A batch of {@code count} records of random sizes, some with keys. */
    private static ByteBuffer randomBatch(Random random, int count) {
        SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            byte[] value = new byte[random.nextInt(300)];
            random.nextBytes(value);
            byte[] key = random.nextBoolean() ? ("k" + random.nextInt(20)).getBytes(StandardCharsets.UTF_8) : null;
            records[i] = new SimpleRecord(T0 + i, key, value);
        }
        return MemoryRecords.withRecords(Compression.NONE, records).buffer();
    }

    /** A batch as the segment files hold it. */
    private record FileBatch(long segmentBase, int position, long baseOffset, long lastOffset, int size) {}

    /** The segment files' bytes by base offset, read straight from disk. */
    private List<byte[]> segmentBytes = new ArrayList<>();
    private List<Long> segmentBases = new ArrayList<>();

    /** Parses every {@code .log} file of the partition directory, oldest first. */
    private List<List<FileBatch>> parseLogFiles() throws IOException {
        segmentBytes = new ArrayList<>();
        segmentBases = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> list = Files.list(dataDir.resolve(TP.dirName()))) {
            files = list.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().toList();
        }
        List<List<FileBatch>> segments = new ArrayList<>();
        for (Path file : files) {
            long base = Long.parseLong(file.getFileName().toString().replace(".log", ""));
            byte[] bytes = Files.readAllBytes(file);
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            List<FileBatch> batches = new ArrayList<>();
            int position = 0;
            while (position < bytes.length) {
                long baseOffset = buffer.getLong(position);
                int size = buffer.getInt(position + 8) + 12;
                int lastOffsetDelta = buffer.getInt(position + 23);
                batches.add(new FileBatch(base, position, baseOffset, baseOffset + lastOffsetDelta, size));
                position += size;
            }
            segmentBytes.add(bytes);
            segmentBases.add(base);
            segments.add(batches);
        }
        return segments;
    }

    /**
     * Kafka's read, restated over the parsed files: the segment holding the offset (or the next one with a batch
     * ending at or after it), from that batch, up to maxBytes (at least the first batch with minOneMessage), not past
     * the first batch at or above the upper bound.
     */
    private byte[] expectedBytes(List<List<FileBatch>> segments, long startOffset, int maxBytes, long upper,
            boolean minOne) {
        if (startOffset >= upper) {
            return new byte[0];
        }
        int first = 0;
        for (int i = 0; i < segmentBases.size(); i++) {
            if (segmentBases.get(i) <= startOffset) {
                first = i;
            }
        }
        for (int s = first; s < segments.size(); s++) {
            List<FileBatch> batches = segments.get(s);
            FileBatch start = batches.stream().filter(b -> b.lastOffset() >= startOffset).findFirst().orElse(null);
            if (start == null) {
                continue;
            }
            int maxPosition = batches.stream().filter(b -> b.baseOffset() >= upper).mapToInt(FileBatch::position)
                    .findFirst().orElse(segmentBytes.get(s).length);
            int adjusted = minOne ? Math.max(maxBytes, start.size()) : maxBytes;
            int size = Math.max(0, Math.min(maxPosition - start.position(), adjusted));
            return Arrays.copyOfRange(segmentBytes.get(s), start.position(), start.position() + size);
        }
        return new byte[0];
    }

    private static byte[] bytesOf(LogSlice slice) {
        ByteBuffer buffer = ByteBuffer.allocate(slice.size());
        slice.readInto(buffer);
        return buffer.array();
    }

    @Test
    void slicesAreKafkasBytesAcrossSegmentsSparseIndexesAndPartialBatches() throws IOException {
        long seed = Long.getLong("samsa.test.seed", System.nanoTime());
        System.out.println("LogSliceTest seed: " + seed + " (replay with -Dsamsa.test.seed=" + seed + ")");
        Random random = new Random(seed);
        config.segmentBytes = 4000;
        config.indexIntervalBytes = 700;
        Log log = open();
        for (int i = 0; i < 120; i++) {
            log.appendAsLeader(randomBatch(random, 1 + random.nextInt(4)), 0);
        }
        assertThat(log.segmentCount()).isGreaterThan(5);
        List<List<FileBatch>> segments = parseLogFiles();
        long end = log.logEndOffset();
        for (int i = 0; i < 2000; i++) {
            long startOffset = random.nextLong(end + 1);
            int maxBytes = random.nextInt(10) == 0 ? 0 : random.nextInt(5000);
            long upper = random.nextBoolean() ? end : startOffset + random.nextLong(end - startOffset + 1);
            boolean minOne = random.nextBoolean();
            String query = "read(" + startOffset + ", " + maxBytes + ", " + upper + ", " + minOne + ")";
            byte[] expected = expectedBytes(segments, startOffset, maxBytes, upper, minOne);

            LogSliceRead read = log.readSlice(startOffset, maxBytes, upper, minOne, false);
            try {
                assertThat(bytesOf(read.slice())).as(query).isEqualTo(expected);
            } finally {
                read.slice().release();
            }
            // The copying read for the broker's own readers: the same bytes without a partial last batch.
            ByteBuffer whole = log.read(startOffset, maxBytes, upper, minOne).records();
            assertThat(whole.remaining()).as(query).isLessThanOrEqualTo(expected.length);
            byte[] wholeBytes = new byte[whole.remaining()];
            whole.duplicate().get(wholeBytes);
            assertThat(wholeBytes).as(query).isEqualTo(Arrays.copyOf(expected, wholeBytes.length));
            for (org.apache.kafka.common.record.RecordBatch batch : MemoryRecords.readableRecords(whole).batches()) {
                assertThat(batch.isValid()).as(query).isTrue();
            }
        }
    }

    @Test
    void aSliceOfASegmentThatRetentionDeletesStillReadsAndItsFileClosesOnRelease() throws IOException {
        config.segmentBytes = TestRecords.batch(T0, "v0").remaining() * 4;
        config.retentionBytes = 0;
        config.fileDeleteDelayMs = 0;
        Log log = open();
        for (int i = 0; i < 10; i++) {
            log.appendAsLeader(TestRecords.batch(T0, "v" + i), 0);
        }
        Path firstFile = SegmentFiles.logFile(dataDir.resolve(TP.dirName()), 0);
        byte[] onDisk = Files.readAllBytes(firstFile);
        LogSlice slice = log.readSlice(0, Integer.MAX_VALUE, Long.MAX_VALUE, true, false).slice();

        assertThat(log.enforceRetention(T0)).isEqualTo(2);
        assertThat(firstFile).doesNotExist();
        assertThatThrownBy(() -> log.readSlice(0, 100, Long.MAX_VALUE, true, false))
                .isInstanceOfSatisfying(StorageException.class,
                        e -> assertThat(e.kind()).isEqualTo(StorageException.Kind.OFFSET_OUT_OF_RANGE));

        assertThat(slice.channel().isOpen()).as("the slice keeps the deleted file open").isTrue();
        assertThat(bytesOf(slice)).isEqualTo(onDisk);
        slice.release();
        assertThat(slice.channel().isOpen()).as("released: the file handle is gone").isFalse();
        slice.release(); // a second release changes nothing
    }

    @Test
    void aSliceOutlivesItsLogBeingClosedAndTheLogsFilesCloseOnlyAfterIt() {
        Log log = open();
        log.appendAsLeader(TestRecords.batch(T0, "a", "b"), 0);
        LogSlice slice = log.readSlice(0, Integer.MAX_VALUE, Long.MAX_VALUE, true, false).slice();
        byte[] before = bytesOf(slice);
        log.close();
        assertThat(slice.channel().isOpen()).isTrue();
        assertThat(bytesOf(slice)).isEqualTo(before);
        slice.release();
        assertThat(slice.channel().isOpen()).isFalse();
    }

    @Test
    void aSliceOfSegmentsReplacedByCompactionStillReadsTheOldBytesAndClosesOnRelease() throws IOException {
        config.compact = true;
        config.delete = false;
        config.segmentBytes = 400;
        config.minCleanableDirtyRatio = 0.01;
        Log log = open();
        for (int i = 0; i < 40; i++) {
            log.appendAsLeader(KeyedRecords.batch(T0 + i, "k" + (i % 3), "v" + i), 0);
        }
        Path firstFile = SegmentFiles.logFile(dataDir.resolve(TP.dirName()), 0);
        byte[] onDisk = Files.readAllBytes(firstFile);
        LogSlice slice = log.readSlice(0, Integer.MAX_VALUE, Long.MAX_VALUE, true, false).slice();
        assertThat(bytesOf(slice)).isEqualTo(onDisk);

        LogCleaner cleaner = new LogCleaner(new CleanerConfig(true, 1, 10, 1 << 20, 1024, 0.9), () -> List.of(log),
                clock::get, step -> { });
        assertThat(cleaner.cleanOnce()).isTrue();
        assertThat(Files.readAllBytes(firstFile)).as("the cleaned segment replaced the file").isNotEqualTo(onDisk);
        log.enforceRetention(clock.get()); // the replaced segments' files are due for deletion now

        assertThat(slice.channel().isOpen()).as("the slice keeps the replaced file open").isTrue();
        assertThat(bytesOf(slice)).isEqualTo(onDisk);
        slice.release();
        assertThat(slice.channel().isOpen()).isFalse();
        // A new read gets whole, valid batches of the cleaned log.
        LogSlice after = log.readSlice(0, Integer.MAX_VALUE, Long.MAX_VALUE, true, false).slice();
        try {
            assertThat(MemoryRecords.readableRecords(ByteBuffer.wrap(bytesOf(after))).batches())
                    .allSatisfy(b -> assertThat(b.isValid()).isTrue());
        } finally {
            after.release();
        }
    }

    @Test
    void fetchesRacingRetentionAndCompactionGetWholeValidBatchesOrOffsetOutOfRange() throws Exception {
        long seed = Long.getLong("samsa.test.seed", System.nanoTime());
        System.out.println("LogSliceTest race seed: " + seed + " (replay with -Dsamsa.test.seed=" + seed + ")");
        config.compact = true;
        config.delete = true;
        config.segmentBytes = 600;
        config.retentionMs = 300;
        config.minCleanableDirtyRatio = 0.01;
        Log log = open();
        LogCleaner cleaner = new LogCleaner(new CleanerConfig(true, 1, 10, 1 << 20, 1024, 0.9), () -> List.of(log),
                clock::get, step -> { });
        Random writerRandom = new Random(seed);
        java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.Queue<String> problems = new java.util.concurrent.ConcurrentLinkedQueue<>();
        AtomicLong reads = new AtomicLong();
        AtomicLong outOfRange = new AtomicLong();
        Thread writer = Thread.ofPlatform().start(() -> {
            try {
                for (int i = 0; i < 400; i++) {
                    clock.set(T0 + i);
                    int records = 1 + writerRandom.nextInt(3);
                    String[] keyValues = new String[records * 2];
                    for (int r = 0; r < records; r++) {
                        keyValues[2 * r] = "k" + writerRandom.nextInt(300);
                        keyValues[2 * r + 1] = "v" + i + "x".repeat(writerRandom.nextInt(60));
                    }
                    log.appendAsLeader(KeyedRecords.batch(T0 + i, keyValues), 0);
                    if (i % 20 == 19) {
                        cleaner.cleanOnce();
                    }
                    if (i % 7 == 6) {
                        log.enforceRetention(clock.get());
                    }
                }
            } catch (RuntimeException e) {
                problems.add("writer: " + e);
            } finally {
                writing.set(false);
            }
        });
        List<Thread> readers = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            Random random = new Random(seed + 1 + t);
            readers.add(Thread.ofPlatform().start(() -> {
                while (writing.get()) {
                    long start = log.logStartOffset();
                    long end = log.logEndOffset();
                    long offset = start + random.nextLong(end - start + 1);
                    int maxBytes = random.nextInt(3000);
                    boolean minOne = random.nextBoolean();
                    try {
                        LogSlice slice = log.readSlice(offset, maxBytes, Long.MAX_VALUE, minOne, false).slice();
                        try {
                            Thread.yield(); // let retention and compaction move on before the bytes are read
                            String problem = checkSlice(bytesOf(slice), offset, maxBytes);
                            if (problem != null) {
                                problems.add("read(" + offset + ", " + maxBytes + ", " + minOne + "): " + problem);
                            }
                        } finally {
                            slice.release();
                        }
                        reads.incrementAndGet();
                    } catch (StorageException e) {
                        if (e.kind() != StorageException.Kind.OFFSET_OUT_OF_RANGE) {
                            problems.add("read(" + offset + "): " + e);
                        }
                        outOfRange.incrementAndGet();
                    }
                }
            }));
        }
        writer.join();
        for (Thread reader : readers) {
            reader.join();
        }
        System.out.println("LogSliceTest race: " + reads.get() + " reads, " + outOfRange.get() + " out of range");
        assertThat(problems).isEmpty();
        assertThat(reads.get()).isPositive();
        assertThat(log.logStartOffset()).as("retention ran").isPositive();
    }

    /**
     * Null when {@code bytes} are whole batches with valid CRCs and rising offsets, the first one ending at or after
     * {@code offset}, and a partial batch only at the end where {@code maxBytes} cut it; else what is wrong.
     */
    private static String checkSlice(byte[] bytes, long offset, int maxBytes) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        int position = 0;
        long next = offset;
        boolean first = true;
        while (position < bytes.length) {
            int left = bytes.length - position;
            int size = left >= 12 ? buffer.getInt(position + 8) + 12 : Integer.MAX_VALUE;
            if (size > left) {
                return bytes.length == maxBytes ? null : "a partial batch of " + left + " bytes at " + position
                        + " in a slice of " + bytes.length + " bytes, not cut by maxBytes";
            }
            org.apache.kafka.common.record.RecordBatch batch = MemoryRecords.readableRecords(
                    ByteBuffer.wrap(bytes, position, size).slice()).batches().iterator().next();
            if (!batch.isValid()) {
                return "a batch with an invalid CRC at " + position;
            }
            if (first ? batch.lastOffset() < offset : batch.baseOffset() < next) {
                return "offsets out of order at " + position + ": " + batch.baseOffset() + " after " + next;
            }
            first = false;
            next = batch.nextOffset();
            position += size;
        }
        return null;
    }
}
