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
 * The partition logs of the data directories (log.dirs). Opening it locks each directory (a {@code .lock} file, as
 * Kafka does) and opens, recovering if needed, every partition directory in them, with the settings the caller gives
 * for each. A new partition goes to the {@link LogDir.Status#ONLINE ONLINE} directory holding the fewest partitions,
 * as in Kafka (a FULL one when none is ONLINE); when every directory is OFFLINE it cannot be created
 * ({@link #canCreateLogs()}). Each directory's health and free space are in its {@link LogDir} ({@link #logDirs()}):
 * a full or failed directory refuses appends to its partitions (a failed one reads too), while the others go on.
 * Start-up is never blocked by what else it finds ({@link LogDirNames}): the
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

    private static final String LOCK_FILE = LogDir.LOCK_FILE;
    private static final Logger LOG = LoggerFactory.getLogger(LogManager.class);

    /** One data directory: its health, and the lock that keeps another broker out of it (null when it failed). */
    private record DataDir(LogDir logDir, FileChannel lockChannel, FileLock lock) {
        Path path() {
            return logDir.path();
        }
    }

    private final List<DataDir> dataDirs;
    private final Path dataDir;
    private final LongSupplier nowMs;
    private final BatchCompression compression;
    private final Map<TopicPartition, Log> logs = new ConcurrentHashMap<>();
    /** Partition directories that failed to open at start-up, with why: left as they are, never recreated. */
    private final Map<TopicPartition, String> offline = new ConcurrentHashMap<>();
    private ScheduledExecutorService background;
    private LogCleaner cleaner;
    private boolean closed;

    private LogManager(List<DataDir> dataDirs, LongSupplier nowMs, BatchCompression compression) {
        this.dataDirs = List.copyOf(dataDirs);
        this.dataDir = dataDirs.getFirst().path();
        this.compression = compression;
        this.nowMs = nowMs;
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
        return open(List.of(dataDir), LogDir.Threshold.NONE, nowMs, configFor, compression);
    }

    /**
     * Opens several data directories (Kafka's JBOD). A directory that cannot be created, written or locked at start
     * is logged and kept offline while the others are used, as Kafka does; when none can, this fails.
     *
     * @param threshold appends to a directory are refused while its free space is below this
     * @throws StorageException STORAGE_ERROR when no directory can be used, or one is locked by another process
     */
    public static LogManager open(List<Path> dirs, LogDir.Threshold threshold, LongSupplier nowMs,
            Function<TopicPartition, LogConfig> configFor, BatchCompression compression) {
        if (dirs.isEmpty()) {
            throw new IllegalArgumentException("No data directory");
        }
        List<DataDir> opened = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (Path dir : dirs) {
            LogDir logDir = new LogDir(dir, threshold, nowMs);
            try {
                opened.add(lock(logDir));
            } catch (StorageException e) {
                if (dirs.size() == 1 || e.getMessage().contains("in use by another broker")) {
                    opened.forEach(LogManager::unlock);
                    throw e;
                }
                LOG.error("Log directory {} cannot be used and stays offline: {}", logDir.path(), e.getMessage());
                logDir.failed(e);
                opened.add(new DataDir(logDir, null, null));
                failures.add(e.getMessage());
            }
        }
        if (failures.size() == dirs.size()) {
            opened.forEach(LogManager::unlock);
            throw new StorageException(StorageException.Kind.STORAGE_ERROR, "No data directory can be used: "
                    + failures);
        }
        LogManager manager = new LogManager(opened, nowMs, compression);
        try {
            manager.loadExisting(configFor);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
        return manager;
    }

    private static DataDir lock(LogDir logDir) {
        Path dataDir = logDir.path();
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
        return new DataDir(logDir, channel, lock);
    }

    private static void unlock(DataDir dir) {
        if (dir.lock() == null) {
            return;
        }
        try {
            dir.lock().release();
            dir.lockChannel().close();
        } catch (IOException e) {
            LOG.warn("Failed to release {}: {}", dir.path().resolve(LOCK_FILE), e.toString());
        }
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
        for (DataDir data : dataDirs) {
            if (data.lock() != null) {
                loadExisting(data.logDir(), configFor);
            }
        }
    }

    private void loadExisting(LogDir logDir, Function<TopicPartition, LogConfig> configFor) {
        Path dataDir = logDir.path();
        List<Path> dirs = IoErrors.call("list", dataDir, () -> {
            try (Stream<Path> listing = Files.list(dataDir)) {
                return listing.filter(Files::isDirectory).sorted().toList();
            }
        });
        List<Path> deleted = new ArrayList<>();
        int before = logs.size();
        for (Path dir : dirs) {
            String name = dir.getFileName().toString();
            switch (LogDirNames.classify(name)) {
                case PARTITION -> open(logDir, dir, TopicPartition.parseDirName(name), configFor);
                case DELETED -> deleted.add(dir);
                case STRAY -> LOG.warn("Keeping {}: a log set aside at an earlier start because the metadata no longer"
                        + " had its topic; delete it by hand once it is not needed", dir);
                case UNKNOWN -> LOG.warn("Ignoring {}: not a partition log directory", dir);
                case METADATA -> { } // the metadata log's own directory
            }
        }
        if (logs.size() > before) {
            LOG.info("Loaded {} partition log(s) from {}", logs.size() - before, dataDir);
        }
        if (!deleted.isEmpty()) {
            Thread.ofVirtual().name("samsa-log-delete").start(() -> deleted.forEach(LogManager::deleteDirectory));
        }
    }

    private void open(LogDir logDir, Path dir, TopicPartition tp, Function<TopicPartition, LogConfig> configFor) {
        Log existing = logs.get(tp);
        if (existing != null) {
            // Kafka refuses to start with a partition in two directories; the first stays, the other is left alone.
            LOG.error("Ignoring {}: {} already has a log in {}; remove one of them", dir, tp, existing.dir());
            return;
        }
        try {
            logs.put(tp, Log.open(dir, logDir, tp, configFor.apply(tp), nowMs, compression));
        } catch (RuntimeException e) {
            // One unreadable partition must not keep the others (and the broker) down; its files stay as they are.
            LOG.error("Cannot open the log of {} in {}; it stays offline and untouched until the problem is fixed: {}",
                    tp, dir, e.toString());
            offline.put(tp, e.toString());
        }
    }

    /** The first data directory (where the broker keeps its metadata, as Kafka's metadata.log.dir defaults). */
    public Path dataDir() {
        return dataDir;
    }

    /** Every data directory, in log.dirs order, with its health and free space (for metrics and requests). */
    public List<LogDir> logDirs() {
        return dataDirs.stream().map(DataDir::logDir).toList();
    }

    /**
     * Whether a new partition can be created now: some data directory is not OFFLINE (rechecked when stale). A FULL
     * directory still takes one, as in Kafka: an empty partition needs no bytes, only its appends are refused.
     */
    public boolean canCreateLogs() {
        return pickDirForNewLog() != null;
    }

    /**
     * Kafka's choice among the directories that can take a partition, the one with the fewest partitions: an ONLINE
     * one if there is any, else a FULL one; null when all are OFFLINE.
     */
    private LogDir pickDirForNewLog() {
        LogDir best = null;
        long bestCount = Long.MAX_VALUE;
        for (DataDir data : dataDirs) {
            if (data.lock() == null) {
                continue;
            }
            LogDir dir = data.logDir();
            if (dir.status() != LogDir.Status.ONLINE) {
                dir.recheck();
            }
            if (dir.status() == LogDir.Status.OFFLINE) {
                continue;
            }
            boolean online = dir.status() == LogDir.Status.ONLINE;
            boolean bestOnline = best != null && best.status() == LogDir.Status.ONLINE;
            long count = logs.values().stream().filter(l -> l.logDir() == dir).count();
            if (best == null || (online && !bestOnline) || (online == bestOnline && count < bestCount)) {
                best = dir;
                bestCount = count;
            }
        }
        return best;
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
            throw new StorageException(StorageException.Kind.STORAGE_ERROR, "The log of " + tp
                    + " could not be opened at start-up: " + whyOffline);
        }
        LogDir target = pickDirForNewLog();
        if (target == null) {
            throw new StorageException(StorageException.Kind.STORAGE_ERROR, "No log directory can hold " + tp + ": "
                    + logDirs().stream().map(d -> d.path() + " is " + d.status()).toList());
        }
        Log log = Log.open(target.path().resolve(tp.dirName()), target, tp, config, nowMs, compression);
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
        Path dataDir = log.logDir().path();
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
        for (DataDir data : dataDirs) {
            if (data.lock() != null) {
                data.logDir().refresh();
            }
        }
        for (Log log : new ArrayList<>(logs.values())) {
            if (log.isClosed()) {
                continue;
            }
            try {
                log.enforceRetention(now);
                if (log.logDir().status() != LogDir.Status.OFFLINE) {
                    log.flushIfDue(now);
                }
            } catch (StorageException e) {
                // A disk failure: its directory has logged it once; the next round tries again.
                if (e.kind() != StorageException.Kind.STORAGE_ERROR) {
                    LOG.error("Background task failed for {}", log.topicPartition(), e);
                } else {
                    LOG.debug("Background task failed for {}: {}", log.topicPartition(), e.getMessage());
                }
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
            } catch (StorageException e) {
                if (e.kind() != StorageException.Kind.STORAGE_ERROR) {
                    throw e;
                }
                // Its directory has logged the disk failure; the next start recovers the log.
                LOG.warn("Closed {} without a clean shutdown: {}", log.topicPartition(), e.getMessage());
            } catch (RuntimeException e) {
                LOG.error("Failed to close {}", log.topicPartition(), e);
                failure = failure == null ? e : failure;
            }
        }
        logs.clear();
        dataDirs.forEach(LogManager::unlock);
        if (failure != null) {
            throw failure;
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new StorageException(StorageException.Kind.STORAGE_ERROR, "Log manager of " + dataDirs.stream()
                    .map(DataDir::path).toList() + " is closed");
        }
    }
}
