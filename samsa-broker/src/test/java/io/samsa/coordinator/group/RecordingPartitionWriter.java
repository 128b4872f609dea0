package io.samsa.coordinator.group;

import io.samsa.coordinator.PartitionWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** An offsets topic for coordinator unit tests: appends are kept in a list and succeed at once; replay is empty. */
final class RecordingPartitionWriter implements PartitionWriter {

    final List<KeyValue> appended = new ArrayList<>();

    @Override
    public synchronized CompletableFuture<Void> append(int partition, List<KeyValue> records) {
        appended.addAll(records);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> appendTransactional(int partition, long producerId, short producerEpoch,
            List<KeyValue> records, Runnable check) {
        return append(partition, records);
    }

    @Override
    public void replay(int partition, ReplayVisitor visitor) {}
}
