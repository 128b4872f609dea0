package io.samsa.log.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * A single offset kept in a small text file ({@code "0\n<offset>\n"}: format version, then the value), replaced
 * atomically. Used for the log start offset and the recovery point.
 *
 * <p>Not thread-safe: the owning log writes it under its lock.
 */
public final class OffsetCheckpoint {

    private static final String VERSION = "0";

    private final Path file;

    public OffsetCheckpoint(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    public void write(long offset) {
        byte[] content = (VERSION + "\n" + offset + "\n").getBytes(StandardCharsets.UTF_8);
        IoErrors.run("write checkpoint", file, () -> FileUtil.writeAtomically(file, content));
    }

    /** The stored offset, or {@code fallback} when the file is missing or unreadable (a warning is the caller's). */
    public long read(long fallback) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (lines.size() < 2 || !VERSION.equals(lines.get(0).trim())) {
                return fallback;
            }
            return Long.parseLong(lines.get(1).trim());
        } catch (NoSuchFileException e) {
            return fallback;
        } catch (IOException | NumberFormatException e) {
            return fallback;
        }
    }
}
