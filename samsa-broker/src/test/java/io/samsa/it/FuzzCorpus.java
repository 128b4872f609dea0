package io.samsa.it;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The fuzz corpus: request frames (without their length prefix) that real clients sent to the broker, recorded by
 * {@link FuzzCorpusCaptureIT} and kept as the test resource {@value #RESOURCE}, stored as int32 length + bytes each.
 */
final class FuzzCorpus {

    static final String RESOURCE = "/fuzz/corpus.bin";

    private FuzzCorpus() {}

    static List<byte[]> load() {
        try (InputStream raw = FuzzCorpus.class.getResourceAsStream(RESOURCE)) {
            if (raw == null) {
                throw new IllegalStateException("missing test resource " + RESOURCE);
            }
            DataInputStream in = new DataInputStream(raw);
            List<byte[]> frames = new ArrayList<>();
            while (true) {
                int size;
                try {
                    size = in.readInt();
                } catch (EOFException e) {
                    return frames;
                }
                byte[] frame = new byte[size];
                in.readFully(frame);
                frames.add(frame);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void write(Path file, Collection<byte[]> frames) throws IOException {
        Files.createDirectories(file.getParent());
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
            for (byte[] frame : frames) {
                out.writeInt(frame.length);
                out.write(frame);
            }
        }
    }

    /** The API key of a frame. */
    static short apiKey(byte[] frame) {
        return (short) (((frame[0] & 0xff) << 8) | (frame[1] & 0xff));
    }

    /** The API version of a frame. */
    static short apiVersion(byte[] frame) {
        return (short) (((frame[2] & 0xff) << 8) | (frame[3] & 0xff));
    }
}
