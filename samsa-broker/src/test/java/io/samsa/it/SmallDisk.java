package io.samsa.it;

import io.samsa.log.StorageFaults;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A small disk for a broker's data: a real tmpfs of {@value #SIZE_MB} MiB mounted for the test where the machine
 * allows it (root, mount available), else a {@link StorageFaults} simulation of the same size under the log layer.
 * {@link #leaveFree(long)} fills it with a ballast file (or lowers the simulated capacity) so that only so many bytes
 * stay free; {@link #free()} gives the space back. The mount, if any, is removed by {@link #close()}.
 */
final class SmallDisk implements AutoCloseable {

    static final int SIZE_MB = 24;

    private final Path mountPoint;
    private final Path dataDir;
    private final boolean mounted;
    private final StorageFaults faults;

    private SmallDisk(Path mountPoint, boolean mounted) {
        this.mountPoint = mountPoint;
        this.mounted = mounted;
        this.dataDir = mountPoint.resolve("data");
        this.faults = mounted ? null : StorageFaults.install(dataDir, Long.MAX_VALUE / 4);
    }

    /** A real tmpfs when it can be mounted, else the simulation; {@code forceSimulation} always simulates. */
    static SmallDisk create(boolean forceSimulation) {
        try {
            Path dir = Files.createTempDirectory("samsa-disk-");
            boolean mounted = !forceSimulation && run("mount", "-t", "tmpfs", "-o", "size=" + SIZE_MB + "m", "tmpfs",
                    dir.toString());
            System.out.println("SmallDisk: " + (mounted ? "tmpfs of " + SIZE_MB + " MiB mounted at " + dir
                    : "simulated under the log layer at " + dir + " (no mount: not root or no tmpfs here)"));
            return new SmallDisk(dir, mounted);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    boolean mounted() {
        return mounted;
    }

    Path dataDir() {
        return dataDir;
    }

    /** The simulation, or null on a real file system. */
    StorageFaults faults() {
        return faults;
    }

    /** Fills the disk so that about {@code bytes} stay free. */
    void leaveFree(long bytes) throws IOException {
        if (!mounted) {
            faults.setCapacity(faults.usedBytes() + bytes);
            return;
        }
        long toFill = Files.getFileStore(mountPoint).getUsableSpace() - bytes;
        Path ballast = mountPoint.resolve("ballast");
        try (FileChannel ch = FileChannel.open(ballast, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
            while (toFill > 0) {
                chunk.clear().limit((int) Math.min(chunk.capacity(), toFill));
                toFill -= ch.write(chunk);
            }
        }
    }

    /** Frees the space taken by {@link #leaveFree}. */
    void free() throws IOException {
        if (!mounted) {
            faults.setCapacity(Long.MAX_VALUE / 4);
            return;
        }
        Files.deleteIfExists(mountPoint.resolve("ballast"));
    }

    /** Free space as the file system (or the simulation) tells it. */
    long usableBytes() throws IOException {
        return mounted ? Files.getFileStore(mountPoint).getUsableSpace() : faults.usableBytes();
    }

    @Override
    public void close() {
        if (faults != null) {
            faults.close();
        }
        if (mounted && !run("umount", mountPoint.toString())) {
            run("umount", "-l", mountPoint.toString());
        }
        try (Stream<Path> files = Files.walk(mountPoint)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }

    private static boolean run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            if (p.exitValue() != 0) {
                System.out.println("SmallDisk: '" + String.join(" ", command) + "' failed: " + output.trim());
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
