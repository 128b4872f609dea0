package io.samsa.log;

import io.samsa.log.internal.FileUtil;
import io.samsa.log.internal.IoErrors;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partition logs of one data directory (log.dirs with a single entry). Opening it locks the directory (a
 * {@code .lock} file, as Kafka does) and opens, recovering if needed, every partition directory in it, with the
 * settings the caller gives for each. Start-up is never blocked by what else it finds ({@link LogDirNames}): the
 * metadata log's directory is left to its owner, logs renamed for deletion are removed in the background, logs set
 * aside as stray and directories that are not Samsa's are logged and left alone, and a partition directory that cannot
 * be opened is logged, left as it is and reported as offline to whoever asks for it.
 *
 * <p>The only directories this class ever renames or deletes are those of partition logs it manages
 * ({@link LogDirNames#isPartitionLog}), directly inside the data directory: a topic name can never make it touch the
 * metadata log or anything outside.
 *
 * <p>Background work (retention, periodic flush, removal of deleted files) runs on one daemon thread,
 * "samsa-log-cleaner", once {@link #startBackgroundTasks(long)} is called; {@link #runBackgroundTasksOnce()} does one
 * round synchronously for tests. Compacted logs are cleaned by the {@link LogCleaner}'s own threads once
 * {@link #startCleaner(CleanerConfig)} is called.
 *
 * <p>Thread-safety: all methods are thread-safe; creating and deleting logs is serialized on this object.
 */
public final class LogManager implements AutoCloseable {

    private static final String LOCK_FILE = ".lock";
    private static final Logger LOG = LoggerFactory.getLogger(LogManager.class);

    private final Path dataDir;
    private final LongSupplier nowMs;
    private final FileChannel lockChannel;
    private final FileLock dirLock;
    private final BatchCompression compression;
    private final Map<TopicPartition, Log> logs = new ConcurrentHashMap<>();
    /** Partition directories that failed to open at start-up, with why: left as they are, never recreated. */
    private final Map<TopicPartition, String> offline = new ConcurrentHashMap<>();
    private ScheduledExecutorService background;
    private LogCleaner cleaner;
    private boolean closed;

    private LogManager(Path dataDir, LongSupplier nowMs, FileChannel lockChannel, FileLock dirLock,
            BatchCompression compression) {
        this.dataDir = dataDir;
        this.compression = compression;
        this.nowMs = nowMs;
        this.lockChannel = lockChannel;
        this.dirLock = dirLock;
    }

    /**
     * Opens the data directory, creating it if missing, and every partition log in it.
     *
     * @param configFor the settings of an existing partition (topic overrides resolved against broker defaults)
     * @throws StorageException STORAGE_ERROR when the directory cannot be created, is not writable or is locked by
     *     another process
     */
    public static LogManager open(Path dataDir, LongSupplier nowMs, Function<TopicPartition, LogConfig> configFor) {
        return open(dataDir, nowMs, configFor, BatchCompression.UNAVAILABLE);
    }

    /**
     * {@link #open(Path, LongSupplier, Function)} with the codecs that every log validates, recompresses and cleans
     * compressed batches with.
     */
    public static LogManager open(Path dataDir, LongSupplier nowMs, Function<TopicPartition, LogConfig> configFor,
            BatchCompression compression) {
        IoErrors.run("create data directory", dataDir, () -> Files.createDirectories(dataDir));
        checkWritable(dataDir);
        Path lockFile = dataDir.resolve(LOCK_FILE);
        FileChannel channel = IoErrors.call("open", lockFile, () -> FileChannel.open(
                lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE));
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (IOException | OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            IoErrors.run("close", lockFile, channel::close);
            throw new StorageException(StorageException.Kind.STORAGE_ERROR, "Data directory " + dataDir
                    + " is in use by another broker (cannot lock " + lockFile + ")");
        }
        LogManager manager = new LogManager(dataDir, nowMs, channel, lock, compression);
        try {
            manager.loadExisting(configFor);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
        return manager;
    }

    /** {@link #open(Path, LongSupplier, Function)} with Kafka's default settings for existing logs. */
    public static LogManager open(Path dataDir, LongSupplier nowMs) {
        return open(dataDir, nowMs, tp -> LogConfig.defaults());
    }

    private static void checkWritable(Path dataDir) {
        Path probe = dataDir.resolve(".samsa-write-probe");
        try {
            Files.deleteIfExists(probe);
            Files.createFile(probe);
            Files.delete(probe);
        } catch (IOException e) {
            throw new StorageException(StorageException.Kind.STORAGE_ERROR,
                    "Data directory " + dataDir + " is not writable: " + e, e);
        }
    }

    private void loadExisting(Function<TopicPartition, LogConfig> configFor) {
        List<Path> dirs = IoErrors.call("list", dataDir, () -> {
            try (Stream<Path> listing = Files.list(dataDir)) {
                return listing.filter(Files::isDirectory).sorted().toList();
            }
        });
        List<Path> deleted = new ArrayList<>();
        for (Path dir : dirs) {
            String name = dir.getFileName().toString();
            switch (LogDirNames.classify(name)) {
                case PARTITION -> open(dir, TopicPartition.parseDirName(name), configFor);
                case DELETED -> deleted.add(dir);
                case STRAY -> LOG.warn("Keeping {}: a log set aside at an earlier start because the metadata no longer"
                        + " had its topic; delete it by hand once it is not needed", dir);
                case UNKNOWN -> LOG.warn("Ignoring {}: not a partition log directory", dir);
                case METADATA -> { } // the metadata log's own directory
            }
        }
        if (!logs.isEmpty()) {
            LOG.info("Loaded {} partition log(s) from {}", logs.size(), dataDir);
        }
        if (!deleted.isEmpty()) {
            Thread.ofVirtual().name("samsa-log-delete").start(() -> deleted.forEach(LogManager::deleteDirectory));
        }
    }

    private void open(Path dir, TopicPartition tp, Function<TopicPartition, LogConfig> configFor) {
        try {
            logs.put(tp, Log.open(dir, tp, configFor.apply(tp), nowMs, compression));
        } catch (RuntimeException e) {
            // One unreadable partition must not keep the others (and the broker) down; its files stay as they are.
            LOG.error("Cannot open the log of {} in {}; it stays offline and untouched until the problem is fixed: {}",
                    tp, dir, e.toString());
            offline.put(tp, e.toString());
        }
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The log of {@code tp}, created with {@code config} when missing; an existing log keeps its settings. */
    public synchronized Log getOrCreate(TopicPartition tp, LogConfig config) {
        ensureOpen();
        Log existing = logs.get(tp);
        if (existing != null) {
            return existing;
        }
        checkPartitionLog(tp);
        String whyOffline = offline.get(tp);
        if (whyOffline != null) {
            throw new StorageException(StorageException.Kind.STORAGE_ERROR, "The log of " + tp + " in "
                    + dataDir.resolve(tp.dirName()) + " could not be opened at start-up: " + whyOffline);
        }
        Log log = Log.open(dataDir.resolve(tp.dirName()), tp, config, nowMs, compression);
        logs.put(tp, log);
        return log;
    }

    public Optional<Log> get(TopicPartition tp) {
        return Optional.ofNullable(logs.get(tp));
    }

    /** All open logs, sorted by topic and partition. */
    public Map<TopicPartition, Log> all() {
        Map<TopicPartition, Log> sorted = new TreeMap<>((a, b) -> a.topic().equals(b.topic())
                ? Integer.compare(a.partition(), b.partition())
                : a.topic().compareTo(b.topic()));
        sorted.putAll(logs);
        return sorted;
    }

    /**
     * Deletes the log of {@code tp}: closes it, renames its directory to {@code <name>.<uuid>-delete} (so a restart
     * will not load it) and removes that directory in the background. Does nothing when there is no such log.
     *
     * @throws StorageException STORAGE_ERROR when the rename fails; the log is closed and forgotten all the same, and
     *     the next start sets its directory aside as stray
     */
    public synchronized void delete(TopicPartition tp) {
        Path target = renameAway(tp, LogDirNames.deleted(tp), "rename for deletion");
        if (target == null) {
            return;
        }
        if (background != null) {
            background.execute(() -> deleteDirectory(target));
        } else {
            Thread.ofVirtual().name("samsa-log-delete").start(() -> deleteDirectory(target));
        }
    }

    /**
     * Sets the log of {@code tp} aside: closes it and renames its directory to {@code <name>.<uuid>-stray}, where it
     * stays, unloaded, for the operator to inspect or delete (Kafka does the same with logs the metadata no longer
     * has). Does nothing when there is no such log.
     */
    public synchronized void setAside(TopicPartition tp) {
        Path target = renameAway(tp, LogDirNames.stray(tp), "set aside");
        if (target != null) {
            LOG.warn("Set the log of {} aside as {}: the metadata no longer has its topic", tp, target);
        }
    }

    /** Closes and forgets the log of {@code tp} and renames its directory; null when there is no such log. */
    private Path renameAway(TopicPartition tp, String newName, String action) {
        checkPartitionLog(tp);
        Log log = logs.remove(tp);
        if (log == null) {
            return null;
        }
        if (cleaner != null) {
            cleaner.abortAndWait(tp);
        }
        log.closeQuietly();
        Path dir = log.dir();
        if (!dir.equals(dataDir.resolve(tp.dirName())) || !dir.getParent().equals(dataDir)) {
            throw new IllegalStateException("The log of " + tp + " is in " + dir + ", not in " + dataDir);
        }
        Path target = dataDir.resolve(newName);
        IoErrors.run(action, dir, () -> {
            Files.move(dir, target);
            FileUtil.fsyncDirectory(dataDir);
        });
        return target;
    }

    /** The guard that keeps every request away from the metadata log and from names that are not partitions. */
    private static void checkPartitionLog(TopicPartition tp) {
        if (!LogDirNames.isPartitionLog(tp)) {
            throw new StorageException(StorageException.Kind.STORAGE_ERROR, "'" + tp.topic()
                    + "' cannot have a partition log in a data directory");
        }
    }

    private static void deleteDirectory(Path dir) {
        try {
            FileUtil.deleteRecursively(dir);
        } catch (IOException e) {
            LOG.warn("Failed to delete {}: {}", dir, e.toString());
        }
    }

    /**
     * Starts the daemon thread "samsa-log-cleaner", which every {@code intervalMs} (log.retention.check.interval.ms;
     * Kafka's default is 300000) enforces retention and flushes what is due on every log.
     */
    public synchronized void startBackgroundTasks(long intervalMs) {
        ensureOpen();
        if (background != null) {
            return;
        }
        background = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "samsa-log-cleaner");
            t.setDaemon(true);
            return t;
        });
        background.scheduleWithFixedDelay(this::runBackgroundTasksOnce, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    /** Starts cleaning compacted logs in the background, unless log.cleaner.enable is off. */
    public synchronized void startCleaner(CleanerConfig config) {
        ensureOpen();
        if (cleaner != null || !config.enabled()) {
            return;
        }
        cleaner = new LogCleaner(config, logs::values, nowMs, step -> {});
        cleaner.start();
    }

    /** One round of background work on every log; a failure on one log is logged and does not stop the others. */
    public void runBackgroundTasksOnce() {
        long now = nowMs.getAsLong();
        for (Log log : new ArrayList<>(logs.values())) {
            if (log.isClosed()) {
                continue;
            }
            try {
                log.enforceRetention(now);
                log.flushIfDue(now);
            } catch (RuntimeException e) {
                if (!log.isClosed()) {
                    LOG.error("Background task failed for {}", log.topicPartition(), e);
                }
            }
        }
    }

    /** Stops the background thread and closes every log cleanly. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (cleaner != null) {
            cleaner.shutdown();
        }
        if (background != null) {
            background.shutdown();
            try {
                if (!background.awaitTermination(30, TimeUnit.SECONDS)) {
                    background.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        RuntimeException failure = null;
        for (Log log : logs.values()) {
            try {
                log.close();
            } catch (RuntimeException e) {
                LOG.error("Failed to close {}", log.topicPartition(), e);
                failure = failure == null ? e : failure;
            }
        }
        logs.clear();
        try {
            dirLock.release();
            lockChannel.close();
        } catch (IOException e) {
            LOG.warn("Failed to release {}: {}", dataDir.resolve(LOCK_FILE), e.toString());
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new StorageException(StorageException.Kind.STORAGE_ERROR, "Log manager of " + dataDir + " is closed");
        }
    }
}
