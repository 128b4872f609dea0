package io.samsa.coordinator.group;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The records the group coordinator keeps on {@code __consumer_offsets}: one per committed offset, keyed by group,
 * topic and partition so that compaction keeps the latest; a tombstone deletes it. Our own versioned binary format
 * (the topic is internal: no client reads it). Thread-safe (stateless).
 */
final class OffsetRecords {

    private static final short OFFSET_KEY_VERSION = 1;
    private static final short VALUE_VERSION = 0;

    private OffsetRecords() {}

    static byte[] key(OffsetKey key) {
        return write(out -> {
            out.writeShort(OFFSET_KEY_VERSION);
            out.writeUTF(key.group());
            out.writeUTF(key.topic());
            out.writeInt(key.partition());
        });
    }

    static byte[] value(CommittedOffset offset) {
        return write(out -> {
            out.writeShort(VALUE_VERSION);
            out.writeLong(offset.offset());
            out.writeInt(offset.leaderEpoch());
            out.writeUTF(offset.metadata());
            out.writeLong(offset.commitTimestamp());
        });
    }

    /** @return the key, or null for a record type this version does not know (skipped on replay) */
    static OffsetKey readKey(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            if (in.readShort() != OFFSET_KEY_VERSION) {
                return null;
            }
            return new OffsetKey(in.readUTF(), in.readUTF(), in.readInt());
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt __consumer_offsets key", e);
        }
    }

    static CommittedOffset readValue(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            short version = in.readShort();
            if (version != VALUE_VERSION) {
                throw new IOException("unknown offset value version " + version);
            }
            return new CommittedOffset(in.readLong(), in.readInt(), in.readUTF(), in.readLong());
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt __consumer_offsets value", e);
        }
    }

    /** Writes one record's bytes. */
    interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    /** The bytes {@code writer} writes (shared with {@link GroupRecords}). */
    static byte[] write(Writer writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writer.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
