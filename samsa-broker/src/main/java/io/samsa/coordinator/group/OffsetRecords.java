package io.samsa.coordinator.group;

import io.samsa.coordinator.RecordBytes;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
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
        return RecordBytes.write(out -> {
            out.writeShort(OFFSET_KEY_VERSION);
            out.writeUTF(key.group());
            out.writeUTF(key.topic());
            out.writeInt(key.partition());
        });
    }

    static byte[] value(CommittedOffset offset) {
        return RecordBytes.write(out -> {
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
}
