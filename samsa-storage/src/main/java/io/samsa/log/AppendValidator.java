package io.samsa.log;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The checks of Kafka's LogValidator that need the records themselves, and recompression to the topic's
 * {@code compression.type}, for batches a leader is about to append (already validated by CRC and header, see
 * {@link RecordBatchView#validateAll}).
 *
 * <ul>
 *   <li>A compressed batch is always decompressed and its records checked (see {@link BatchRecordReader}).
 *   <li>On a compacted topic every record must have a key (INVALID_RECORD, as Kafka). Every keyless record of the
 *       batch is named in the exception's record errors, with Kafka's messages, so that clients fail just those
 *       records (KIP-467).
 *   <li>When the target codec differs from the batch's, the batch is rebuilt in the target codec with the same
 *       producer id, epoch, sequence, transactional flag and record timestamps (offsets are assigned later, as for
 *       every batch); records whose offset deltas are not 0, 1, 2, ... are renumbered, as Kafka does for old clients.
 *   <li>An uncompressed batch stored uncompressed on a topic that is not compacted is not parsed at all: the hot
 *       path of {@code compression.type=producer} costs nothing here. (Kafka walks those records too; the CRC
 *       already vouches for their bytes.)
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
final class AppendValidator {

    /** The batches to append: the request's own bytes, or a new buffer when some batch was rebuilt. */
    record Validated(ByteBuffer records, List<RecordBatchView> batches) {}

    private AppendValidator() {}

    /**
     * @throws StorageException INVALID_RECORD or CORRUPT_MESSAGE for bad records, RECORD_TOO_LARGE when a rebuilt
     *     batch is larger than max.message.bytes
     */
    static Validated validate(ByteBuffer records, List<RecordBatchView> batches, LogConfig config,
            BatchCompression codecs, TopicPartition tp) {
        ByteBuffer[] rebuilt = null;
        for (int i = 0; i < batches.size(); i++) {
            RecordBatchView batch = batches.get(i);
            CompressionCodec source = CompressionCodec.forId(batch.compressionCodec());
            CompressionCodec target = config.compression().codecFor(source);
            if (source == CompressionCodec.NONE && target == CompressionCodec.NONE && !config.compact()) {
                continue;
            }
            ByteBuffer replacement = checkRecords(batch, source, target, config, codecs, tp);
            if (replacement != null) {
                rebuilt = rebuilt == null ? new ByteBuffer[batches.size()] : rebuilt;
                rebuilt[i] = replacement;
            }
        }
        return rebuilt == null ? new Validated(records, batches) : assemble(batches, rebuilt, config);
    }

    /** Reads and checks the records; returns the batch rebuilt in {@code target}, or null when it stays as it is. */
    private static ByteBuffer checkRecords(RecordBatchView batch, CompressionCodec source, CompressionCodec target,
            LogConfig config, BatchCompression codecs, TopicPartition tp) {
        List<BatchRecord> records = new ArrayList<>();
        List<StorageException.RecordError> keyless = new ArrayList<>();
        boolean renumber = false;
        try (BatchRecordReader reader = BatchRecordReader.open(batch, codecs)) {
            for (BatchRecord record = reader.next(); record != null; record = reader.next()) {
                if (config.compact() && !record.hasKey()) {
                    keyless.add(new StorageException.RecordError(records.size(),
                            "Compacted topic cannot accept message without key in topic partition " + tp.dirName()));
                }
                renumber |= record.offsetDelta() != records.size();
                records.add(record);
            }
        }
        if (!keyless.isEmpty()) {
            // Kafka's LogValidator words it so.
            throw new StorageException(StorageException.Kind.INVALID_RECORD, "One or more records have been rejected"
                    + " due to " + keyless.size() + " record errors in total, and only showing the first three"
                    + " errors at most: " + keyless.subList(0, Math.min(3, keyless.size())), keyless);
        }
        if (source == target && !renumber) {
            return null;
        }
        BatchWriter writer = BatchWriter.like(batch).codec(target, config.compression().level());
        for (int i = 0; i < records.size(); i++) {
            writer.add(records.get(i), i);
        }
        return writer.build(codecs);
    }

    private static Validated assemble(List<RecordBatchView> batches, ByteBuffer[] rebuilt, LogConfig config) {
        int size = 0;
        for (int i = 0; i < batches.size(); i++) {
            size += rebuilt[i] != null ? rebuilt[i].remaining() : batches.get(i).sizeInBytes();
        }
        ByteBuffer all = ByteBuffer.allocate(size);
        List<RecordBatchView> views = new ArrayList<>(batches.size());
        for (int i = 0; i < batches.size(); i++) {
            ByteBuffer bytes = rebuilt[i] != null ? rebuilt[i] : batches.get(i).slice();
            if (rebuilt[i] != null && bytes.remaining() > config.maxMessageBytes()) {
                throw new StorageException(StorageException.Kind.RECORD_TOO_LARGE, "Record batch of "
                        + bytes.remaining() + " bytes once rebuilt is larger than max.message.bytes "
                        + config.maxMessageBytes());
            }
            views.add(RecordBatchView.at(all, all.position()));
            all.put(bytes.duplicate());
        }
        return new Validated(all.flip(), views);
    }
}
