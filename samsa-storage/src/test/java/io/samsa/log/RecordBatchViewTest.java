package io.samsa.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.record.DefaultRecordBatch;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class RecordBatchViewTest {

    private static final long T0 = 1_700_000_000_000L;

    @Test
    void readsTheHeaderFieldsKafkaWrote() {
        ByteBuffer buffer = TestRecords.idempotentBatch(77L, (short) 4, 100, T0, "a", "b", "c");
        RecordBatch kafka = MemoryRecords.readableRecords(buffer.duplicate()).batches().iterator().next();
        RecordBatchView view = RecordBatchView.validateAll(buffer, Integer.MAX_VALUE).get(0);

        assertThat(view.sizeInBytes()).isEqualTo(kafka.sizeInBytes()).isEqualTo(buffer.remaining());
        assertThat(view.baseOffset()).isEqualTo(kafka.baseOffset());
        assertThat(view.lastOffset()).isEqualTo(kafka.lastOffset());
        assertThat(view.magic()).isEqualTo(kafka.magic());
        assertThat(Integer.toUnsignedLong(view.crc())).isEqualTo(kafka.checksum());
        assertThat(view.isCrcValid()).isTrue();
        assertThat(view.producerId()).isEqualTo(77L);
        assertThat(view.producerEpoch()).isEqualTo((short) 4);
        assertThat(view.baseSequence()).isEqualTo(100);
        assertThat(view.lastSequence()).isEqualTo(kafka.lastSequence()).isEqualTo(102);
        assertThat(view.recordsCount()).isEqualTo(3);
        assertThat(view.baseTimestamp()).isEqualTo(T0);
        assertThat(view.maxTimestamp()).isEqualTo(kafka.maxTimestamp()).isEqualTo(T0 + 2);
        assertThat(view.isTransactional()).isFalse();
        assertThat(view.isControl()).isFalse();
        assertThat(view.compressionCodec()).isZero();
        assertThat(RecordBatchView.HEADER_SIZE).isEqualTo(DefaultRecordBatch.RECORD_BATCH_OVERHEAD);

        List<long[]> records = new ArrayList<>();
        view.forEachRecord((offset, timestamp) -> records.add(new long[] {offset, timestamp}));
        assertThat(records).containsExactly(new long[] {0, T0}, new long[] {1, T0 + 1}, new long[] {2, T0 + 2});
    }

    @Test
    void patchesOffsetsEpochAndLogAppendTimeAsKafkaReadsThem() {
        ByteBuffer buffer = TestRecords.gzipBatch(T0, "a", "b");
        RecordBatchView view = RecordBatchView.at(buffer, 0);
        view.setBaseOffset(1000);
        view.setPartitionLeaderEpoch(9);
        view.setLogAppendTime(T0 + 42);
        RecordBatch kafka = MemoryRecords.readableRecords(buffer.duplicate()).batches().iterator().next();
        assertThat(kafka.isValid()).isTrue();
        assertThat(kafka.baseOffset()).isEqualTo(1000);
        assertThat(kafka.lastOffset()).isEqualTo(1001);
        assertThat(kafka.partitionLeaderEpoch()).isEqualTo(9);
        assertThat(kafka.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
        assertThat(kafka.maxTimestamp()).isEqualTo(T0 + 42);
        assertThat(view.compressionCodec()).isEqualTo(1);
        assertThatThrownBy(() -> view.forEachRecord((o, t) -> true)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void sequenceWrapsLikeTheProducer() {
        assertThat(RecordBatchView.incrementSequence(Integer.MAX_VALUE, 1)).isZero();
        assertThat(RecordBatchView.incrementSequence(Integer.MAX_VALUE - 1, 3)).isEqualTo(1);
        assertThat(RecordBatchView.incrementSequence(5, 3)).isEqualTo(8);
        assertThat(DefaultRecordBatch.incrementSequence(Integer.MAX_VALUE - 1, 3)).isEqualTo(1);
    }

    @Test
    void truncatedHeaderIsCorrupt() {
        ByteBuffer buffer = ByteBuffer.allocate(10);
        assertThatThrownBy(() -> RecordBatchView.validateAll(buffer, 1000))
                .isInstanceOfSatisfying(StorageException.class,
                        e -> assertThat(e.kind()).isEqualTo(StorageException.Kind.CORRUPT_MESSAGE));
    }
}
