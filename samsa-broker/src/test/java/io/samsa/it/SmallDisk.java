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
 * allows it (root, mount available), else a {@link StorageFaults} simulation of the same size under the log layer;
 * or ({@link #ext4()}) an ext4 image on a loop device, mounted with {@code errors=remount-ro}, which
 * {@link #failReadOnly()} turns read-only under the open files as a disk error would (the kernel's
 * {@code trigger_fs_error}).
 * {@link #leaveFree(long)} fills it with a ballast file (or lowers the simulated capacity) so that only so many bytes
 * stay free; {@link #free()} gives the space back. The mount, if any, is removed by {@link #close()}.
 */
final class SmallDisk implements AutoCloseable {

    static final int SIZE_MB = 24;

    private final Path mountPoint;
    private final Path dataDir;
    private final boolean mounted;
    private final StorageFaults faults;
    /** The ext4 image, or null. */
    private final Path image;

    private SmallDisk(Path mountPoint, boolean mounted, Path image) {
        this.mountPoint = mountPoint;
        this.mounted = mounted;
        this.image = image;
        this.dataDir = mountPoint.resolve("data");
        this.faults = mounted ? null : StorageFaults.install(dataDir, Long.MAX_VALUE / 4);
    }

    /** An ext4 file system of {@value #SIZE_MB} MiB on a loop device, or null where it cannot be made and mounted. */
    static SmallDisk ext4() {
        try {
            Path dir = Files.createTempDirectory("samsa-ext4-");
            Path image = dir.resolve("disk.img");
            Path mountPoint = dir.resolve("mnt");
            Files.createDirectories(mountPoint);
            try (FileChannel ch = FileChannel.open(image, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                ch.truncate(0).write(ByteBuffer.allocate(1), SIZE_MB * 1024L * 1024 - 1);
            }
            if (!run("mkfs.ext4", "-q", "-F", image.toString())
                    || !run("mount", "-o", "loop,errors=remount-ro", image.toString(), mountPoint.toString())) {
                System.out.println("SmallDisk: no ext4 loop mount here (not root, or no loop devices)");
                deleteTree(dir);
                return null;
            }
            System.out.println("SmallDisk: ext4 of " + SIZE_MB + " MiB on a loop device at " + mountPoint);
            return new SmallDisk(mountPoint, true, image);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Makes the ext4 file system fail as a disk error would: with errors=remount-ro the kernel turns it read-only at
     * once, open files included. False when the kernel offers no trigger (then the test cannot go on).
     */
    boolean failReadOnly() throws IOException {
        String device = loopDevice();
        Path trigger = Path.of("/sys/fs/ext4", device, "trigger_fs_error");
        if (device == null || !Files.exists(trigger)) {
            return false;
        }
        Files.writeString(trigger, "samsa test: disk error");
        return true;
    }

    /** Writes the page cache of the file system back, as the kernel does by itself within seconds. */
    void sync() {
        run("sync", "-f", dataDir.toString());
    }

    /** Unmounts the failed ext4, repairs it as an operator would (e2fsck) and mounts it again. */
    void repairAndRemount() {
        run("umount", mountPoint.toString());
        run("e2fsck", "-f", "-y", image.toString());
        if (!run("mount", "-o", "loop,errors=remount-ro", image.toString(), mountPoint.toString())) {
            throw new IllegalStateException("cannot mount " + image + " again");
        }
    }

    /** The loop device (e.g. "loop3") the mount point is on, from /proc/mounts. */
    private String loopDevice() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
            String[] fields = line.split(" ");
            if (fields.length > 1 && fields[1].equals(mountPoint.toString()) && fields[0].startsWith("/dev/")) {
                return fields[0].substring("/dev/".length());
            }
        }
        return null;
    }

    /** A real tmpfs when it can be mounted, else the simulation; {@code forceSimulation} always simulates. */
    static SmallDisk create(boolean forceSimulation) {
        try {
            Path dir = Files.createTempDirectory("samsa-disk-");
            boolean mounted = !forceSimulation && run("mount", "-t", "tmpfs", "-o", "size=" + SIZE_MB + "m", "tmpfs",
                    dir.toString());
            System.out.println("SmallDisk: " + (mounted ? "tmpfs of " + SIZE_MB + " MiB mounted at " + dir
                    : "simulated under the log layer at " + dir + " (no mount: not root or no tmpfs here)"));
            return new SmallDisk(dir, mounted, null);
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
        deleteTree(image != null ? image.getParent() : mountPoint);
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
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
