package io.samsa.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.samsa.log.LogSlice;
import io.samsa.log.TopicPartition;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A waiting fetch re-reads only the partitions that moved, within the budget the others leave. */
class DelayedFetchTest {

    private static final List<FetchPartition> REQUESTED = List.of(
            new FetchPartition(new TopicPartition("t", 0), 0, 1000, -1),
            new FetchPartition(new TopicPartition("t", 1), 0, 1000, -1),
            new FetchPartition(new TopicPartition("t", 2), 0, 1000, -1));

    private static FetchResult empty(FetchPartition p) {
        return new FetchResult(p, null, 0, 0, 0, LogSlice.EMPTY, List.of());
    }

    @Test
    void aWakeUpReadsOnlyThePartitionThatMovedAndTheTimeoutReadsNothing() {
        List<String> reads = new ArrayList<>();
        AtomicInteger done = new AtomicInteger();
        DelayedFetch fetch = new DelayedFetch(new FetchParams(500, 1, 1500, false), REQUESTED,
                REQUESTED.stream().map(DelayedFetchTest::empty).toList(), (p, maxBytes, minOne) -> {
                    reads.add(p.topicPartition() + " budget " + maxBytes + " minOne " + minOne);
                    return empty(p); // still nothing: the fetch keeps waiting
                }, done::incrementAndGet);

        fetch.onMoved(new TopicPartition("t", 1));
        assertThat(reads).containsExactly("t-1 budget 1000 minOne true");
        assertThat(fetch.future()).isNotDone();

        fetch.expire();
        assertThat(reads).as("the timeout answers with what is held").hasSize(1);
        assertThat(fetch.future()).isCompleted();
        assertThat(fetch.future().join()).hasSize(3);
        assertThat(done).hasValue(1);

        fetch.onMoved(new TopicPartition("t", 2));
        assertThat(reads).as("nothing is read after the answer").hasSize(1);
    }
}
