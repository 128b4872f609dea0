package io.samsa.log;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/**
 * Builds a v2 batch that takes its header from an existing one (base offset, leader epoch, producer id, epoch and
 * sequence, last offset delta, timestamp type, transactional and control flags) and holds some of its records,
 * possibly with another codec or a delete horizon. What Kafka's MemoryRecordsBuilder does for the cleaner
 * (filterTo) and for recompression on append (LogValidator), in our own code.
 *
 * <p>Not thread-safe; one writer per batch.
 */
final class BatchWriter {

    private static final int ATTRIBUTES_KEPT = ~(0x07 | RecordBatchView.DELETE_HORIZON_FLAG);
    private static final int EMPTY_ATTRIBUTES_KEPT = 0x08 | 0x10 | 0x20; // timestamp type, transactional, control

    private final RecordBatchView template;
    private final ByteArrayOutputStream records = new ByteArrayOutputStream();
    private CompressionCodec codec;
    private int level = BatchCompression.DEFAULT_LEVEL;
    private long baseTimestamp;
    private boolean deleteHorizon;
    private long maxTimestamp = RecordBatchView.NO_TIMESTAMP;
    private int count;

    private BatchWriter(RecordBatchView template) {
        this.template = template;
        this.codec = CompressionCodec.forId(template.compressionCodec());
        this.baseTimestamp = template.baseTimestamp();
        this.deleteHorizon = template.hasDeleteHorizon();
    }

    /** A writer of a batch like {@code template}: same header, same codec, same base timestamp, no records yet. */
    static BatchWriter like(RecordBatchView template) {
        return new BatchWriter(template);
    }

    /** Compresses with {@code newCodec} at {@code newLevel} instead of the template's codec. */
    BatchWriter codec(CompressionCodec newCodec, int newLevel) {
        this.codec = newCodec;
        this.level = newLevel;
        return this;
    }

    /**
     * Sets the delete horizon (KIP-534): the base timestamp becomes {@code horizonMs} and the records' timestamp
     * deltas are rewritten against it, so that their timestamps do not change. Call before adding records.
     */
    BatchWriter deleteHorizon(long horizonMs) {
        this.baseTimestamp = horizonMs;
        this.deleteHorizon = true;
        return this;
    }

    /** Adds a record of the template with its offset delta unchanged. */
    void add(BatchRecord record) {
        add(record, record.offsetDelta());
    }

    /** Adds a record of the template at {@code offsetDelta} (renumbering records a client numbered wrongly). */
    void add(BatchRecord record, int offsetDelta) {
        long timestamp = template.baseTimestamp() + record.timestampDelta();
        maxTimestamp = Math.max(maxTimestamp, timestamp);
        record.writeTo(records, timestamp - baseTimestamp, offsetDelta);
        count++;
    }

    /** The batch: header, records compressed with the codec, CRC. */
    ByteBuffer build(BatchCompression codecs) {
        ByteBuffer body = ByteBuffer.wrap(records.toByteArray());
        if (codec != CompressionCodec.NONE) {
            body = codecs.compress(codec, level, body);
        }
        int attributes = (template.attributes() & ATTRIBUTES_KEPT) | codec.id()
                | (deleteHorizon ? RecordBatchView.DELETE_HORIZON_FLAG : 0);
        // Kafka's builder keeps LogAppendTime in maxTimestamp; with CreateTime it is the largest record timestamp.
        long max = template.isLogAppendTime() ? template.maxTimestamp() : maxTimestamp;
        ByteBuffer batch = ByteBuffer.allocate(RecordBatchView.HEADER_SIZE + body.remaining());
        writeHeader(batch, attributes, baseTimestamp, max, count, body.remaining());
        batch.put(RecordBatchView.HEADER_SIZE, body, body.position(), body.remaining());
        return sealed(batch);
    }

    /**
     * A batch of {@code template}'s header and no records, as Kafka's cleaner writes for the last batch of a producer
     * (its sequence numbers and epoch must survive) when all its records are removed: no codec, base timestamp -1,
     * the template's max timestamp and offset range.
     */
    static ByteBuffer emptyLike(RecordBatchView template) {
        ByteBuffer batch = ByteBuffer.allocate(RecordBatchView.HEADER_SIZE);
        new BatchWriter(template).writeHeader(batch, template.attributes() & EMPTY_ATTRIBUTES_KEPT,
                RecordBatchView.NO_TIMESTAMP, template.maxTimestamp(), 0, 0);
        return sealed(batch);
    }

    private void writeHeader(ByteBuffer batch, int attributes, long base, long max, int records, int bodyBytes) {
        batch.putLong(RecordBatchView.BASE_OFFSET, template.baseOffset());
        batch.putInt(RecordBatchView.BATCH_LENGTH,
                RecordBatchView.HEADER_SIZE - RecordBatchView.LOG_OVERHEAD + bodyBytes);
        batch.putInt(RecordBatchView.PARTITION_LEADER_EPOCH, template.partitionLeaderEpoch());
        batch.put(RecordBatchView.MAGIC, RecordBatchView.MAGIC_V2);
        batch.putShort(RecordBatchView.ATTRIBUTES, (short) attributes);
        batch.putInt(RecordBatchView.LAST_OFFSET_DELTA, template.lastOffsetDelta());
        batch.putLong(RecordBatchView.BASE_TIMESTAMP, base);
        batch.putLong(RecordBatchView.MAX_TIMESTAMP, max);
        batch.putLong(RecordBatchView.PRODUCER_ID, template.producerId());
        batch.putShort(RecordBatchView.PRODUCER_EPOCH, template.producerEpoch());
        batch.putInt(RecordBatchView.BASE_SEQUENCE, template.baseSequence());
        batch.putInt(RecordBatchView.RECORDS_COUNT, records);
    }

    private static ByteBuffer sealed(ByteBuffer batch) {
        batch.putInt(RecordBatchView.CRC, RecordBatchView.at(batch, 0).computeCrc());
        return batch.clear();
    }
}
