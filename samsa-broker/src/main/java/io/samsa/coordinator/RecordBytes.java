package io.samsa.coordinator;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Builds the bytes of a coordinator's internal-topic record key or value. Thread-safe (stateless). */
public final class RecordBytes {

    private RecordBytes() {}

    /** Writes one record's fields. */
    public interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    /** The bytes {@code writer} writes. */
    public static byte[] write(Writer writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writer.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
