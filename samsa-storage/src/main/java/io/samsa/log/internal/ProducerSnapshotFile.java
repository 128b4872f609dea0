package io.samsa.log.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Samsa's binary producer-state snapshot, {@code <offset>.snapshot}: the state of every producer after all batches
 * below {@code offset}. Layout (big-endian): version int16 (1), crc uint32 (CRC-32C of everything after it), count
 * int32, then per producer: producerId int64, epoch int16, coordinatorEpoch int32, currentTxnStartOffset int64,
 * batch count int8, and per batch firstSeq int32, lastSeq int32, firstOffset int64, lastOffset int64, timestamp
 * int64. Unlike Kafka's snapshot, which keeps only the last batch, all retained batches are kept, so that
 * duplicates of any of the last five batches are still recognised after a restart.
 *
 * <p>Stateless and thread-safe.
 */
public final class ProducerSnapshotFile {

    private static final short VERSION = 1;
    private static final int CRC_OFFSET = 2;
    private static final int BODY_OFFSET = 6;
    private static final int PRODUCER_BYTES = 8 + 2 + 4 + 8 + 1;
    private static final int BATCH_BYTES = 4 + 4 + 8 + 8 + 8;

    private ProducerSnapshotFile() {}

    public static void write(Path file, Collection<ProducerState> producers) {
        int bytes = BODY_OFFSET + 4;
        for (ProducerState p : producers) {
            bytes += PRODUCER_BYTES + p.batches().size() * BATCH_BYTES;
        }
        ByteBuffer buf = ByteBuffer.allocate(bytes);
        buf.putShort(VERSION).putInt(0).putInt(producers.size());
        for (ProducerState p : producers) {
            buf.putLong(p.producerId()).putShort(p.epoch()).putInt(p.coordinatorEpoch())
                    .putLong(p.currentTxnStartOffset()).put((byte) p.batches().size());
            for (ProducerState.Batch b : p.batches()) {
                buf.putInt(b.firstSeq()).putInt(b.lastSeq()).putLong(b.firstOffset()).putLong(b.lastOffset())
                        .putLong(b.timestamp());
            }
        }
        buf.putInt(CRC_OFFSET, crcOfBody(buf.array()));
        IoErrors.run("write producer snapshot", file, () -> FileUtil.writeAtomically(file, buf.array()));
    }

    /**
     * Reads a snapshot.
     *
     * @throws IOException when the file cannot be read, or is truncated, of an unknown version or fails its CRC
     */
    public static List<ProducerState> read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        try {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            if (buf.getShort() != VERSION) {
                throw new IOException("unknown snapshot version in " + file);
            }
            if (buf.getInt() != crcOfBody(bytes)) {
                throw new IOException("CRC mismatch in " + file);
            }
            int count = buf.getInt();
            List<ProducerState> producers = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                long producerId = buf.getLong();
                short epoch = buf.getShort();
                int coordinatorEpoch = buf.getInt();
                long txnStart = buf.getLong();
                int batchCount = buf.get();
                List<ProducerState.Batch> batches = new ArrayList<>(batchCount);
                for (int j = 0; j < batchCount; j++) {
                    batches.add(new ProducerState.Batch(
                            buf.getInt(), buf.getInt(), buf.getLong(), buf.getLong(), buf.getLong()));
                }
                producers.add(new ProducerState(producerId, epoch, batches, coordinatorEpoch, txnStart));
            }
            return producers;
        } catch (java.nio.BufferUnderflowException e) {
            throw new IOException("truncated producer snapshot " + file, e);
        }
    }

    private static int crcOfBody(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, BODY_OFFSET, bytes.length - BODY_OFFSET);
        return (int) crc.getValue();
    }
}
