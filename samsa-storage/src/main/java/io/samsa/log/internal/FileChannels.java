package io.samsa.log.internal;

import io.samsa.log.StorageFaults;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * Opens every file channel the log layer writes through: the JDK's own channel, or, under a test's
 * {@link StorageFaults}, one that simulates a small or failing disk. Stateless and thread-safe.
 */
public final class FileChannels {

    private FileChannels() {}

    public static FileChannel open(Path file, OpenOption... options) throws IOException {
        StorageFaults faults = StorageFaults.covering(file);
        if (faults == null) {
            return FileChannel.open(file, options);
        }
        Set<OpenOption> opts = Set.of(options);
        if (opts.contains(StandardOpenOption.WRITE) || opts.contains(StandardOpenOption.CREATE)) {
            faults.checkWrite(file);
        }
        return new FaultyFileChannel(file, FileChannel.open(file, options), faults);
    }
}
