package io.samsa.coordinator.transaction;

import io.samsa.coordinator.RecordBytes;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.Set;

/**
 * The records the transaction coordinator keeps on {@code __transaction_state}: one per transactional id, keyed by
 * it so that compaction keeps the latest state; a tombstone removes an expired id. Our own versioned binary format
 * (the topic is internal: no client reads it). Thread-safe (stateless).
 */
final class TransactionRecords {

    private static final short KEY_VERSION = 0;
    private static final short VALUE_VERSION = 0;

    private TransactionRecords() {}

    static byte[] key(String transactionalId) {
        return RecordBytes.write(out -> {
            out.writeShort(KEY_VERSION);
            out.writeUTF(transactionalId);
        });
    }

    static byte[] value(TransactionMetadata m) {
        return RecordBytes.write(out -> {
            out.writeShort(VALUE_VERSION);
            out.writeLong(m.producerId());
            out.writeLong(m.previousProducerId());
            out.writeShort(m.producerEpoch());
            out.writeShort(m.lastProducerEpoch());
            out.writeInt(m.timeoutMs());
            out.writeByte(m.state().id());
            out.writeLong(m.startTimestamp());
            out.writeLong(m.lastUpdateTimestamp());
            out.writeInt(m.partitions().size());
            for (TxnPartition p : m.partitions()) {
                out.writeUTF(p.topic());
                out.writeInt(p.partition());
            }
        });
    }

    /** @return the transactional id, or null for a record type this version does not know (skipped on replay) */
    static String readKey(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            return in.readShort() == KEY_VERSION ? in.readUTF() : null;
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt __transaction_state key", e);
        }
    }

    static TransactionMetadata readValue(String transactionalId, byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            short version = in.readShort();
            if (version != VALUE_VERSION) {
                throw new IOException("unknown transaction state value version " + version);
            }
            long producerId = in.readLong();
            long previousProducerId = in.readLong();
            short epoch = in.readShort();
            short lastEpoch = in.readShort();
            int timeoutMs = in.readInt();
            TransactionState state = TransactionState.ofId(in.readByte());
            long start = in.readLong();
            long lastUpdate = in.readLong();
            int count = in.readInt();
            Set<TxnPartition> partitions = new HashSet<>(count);
            for (int i = 0; i < count; i++) {
                partitions.add(new TxnPartition(in.readUTF(), in.readInt()));
            }
            return new TransactionMetadata(transactionalId, producerId, previousProducerId, epoch, lastEpoch,
                    timeoutMs, state, partitions, start, lastUpdate);
        } catch (IOException | IllegalArgumentException e) {
            throw new UncheckedIOException("corrupt __transaction_state value of " + transactionalId,
                    e instanceof IOException io ? io : new IOException(e));
        }
    }
}
