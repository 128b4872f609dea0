package io.samsa.log.internal;

import io.samsa.log.StorageException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The one place where disk failures become {@link StorageException}s of kind {@code STORAGE_ERROR}, so that every
 * message names the file and the operation (Kafka routes these through {@code maybeHandleIOException}).
 *
 * <p>Stateless and thread-safe.
 */
public final class IoErrors {

    /** An action on a file that may throw {@link IOException}. */
    @FunctionalInterface
    public interface IoAction<T> {
        T run() throws IOException;
    }

    /** An action on a file that may throw {@link IOException} and returns nothing. */
    @FunctionalInterface
    public interface IoRunnable {
        void run() throws IOException;
    }

    private IoErrors() {}

    /** Runs the action, turning an I/O failure into a STORAGE_ERROR naming {@code what} and {@code file}. */
    public static <T> T call(String what, Path file, IoAction<T> action) {
        try {
            return action.run();
        } catch (IOException | UncheckedIOException e) {
            throw storageError(what, file, e);
        }
    }

    /** Like {@link #call} for actions without a result. */
    public static void run(String what, Path file, IoRunnable action) {
        try {
            action.run();
        } catch (IOException | UncheckedIOException e) {
            throw storageError(what, file, e);
        }
    }

    /** The exception {@link #call} throws, for callers that catch the IOException themselves. */
    public static StorageException storageError(String what, Path file, Exception cause) {
        return new StorageException(
                StorageException.Kind.STORAGE_ERROR, "Failed to " + what + " " + file + ": " + cause, cause);
    }
}
