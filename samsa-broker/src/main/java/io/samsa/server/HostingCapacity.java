package io.samsa.server;

import io.samsa.log.LogDir;
import io.samsa.log.LogManager;
import io.samsa.metadata.PartitionCapacity;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * What this broker can host: its open-file budget, and its data directories, of which at least one must be ONLINE
 * for a new partition (a full or failed directory takes none). The log manager is opened after the controller that
 * asks, hence the supplier; until it is there nothing is refused for storage.
 *
 * <p>Thread-safe.
 */
final class HostingCapacity implements PartitionCapacity {

    private final PartitionCapacity files;
    private final Supplier<LogManager> logs;

    HostingCapacity(PartitionCapacity files, Supplier<LogManager> logs) {
        this.files = files;
        this.logs = logs;
    }

    @Override
    public String refusal(int count) {
        return files.refusal(count);
    }

    @Override
    public String storageRefusal() {
        LogManager manager = logs.get();
        if (manager == null || manager.canCreateLogs()) {
            return null;
        }
        return "no log directory of this broker can hold a new partition: " + manager.logDirs().stream()
                .map(HostingCapacity::describe).collect(Collectors.joining("; "));
    }

    private static String describe(LogDir dir) {
        LogDir.State state = dir.state();
        return state.path() + " is " + state.status() + (state.reason() == null ? "" : " (" + state.reason() + ")")
                + ", " + LogDir.describeSpace(state);
    }
}
