package io.samsa.log;

import static io.samsa.log.TestRecords.batch;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Readers run without the append lock: they must only ever see whole, valid batches in offset order. */
class LogConcurrencyTest {

    @TempDir
    Path dataDir;

    @Test
    void readersSeeOnlyCompleteBatchesWhileAppendsAndRollsHappen() throws Exception {
        TopicPartition tp = new TopicPartition("busy", 0);
        TestRecords.Config config = new TestRecords.Config();
        config.segmentBytes = 4096;
        try (Log log = Log.open(dataDir.resolve(tp.dirName()), tp, config.build(), () -> 0L)) {
            AtomicBoolean done = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread reader = new Thread(() -> {
                try {
                    long next = 0;
                    while (!done.get() || next < log.logEndOffset()) {
                        if (next == log.logEndOffset()) {
                            Thread.onSpinWait();
                            continue;
                        }
                        for (TestRecords.Read r : TestRecords.readRecords(
                                log.read(next, 1024, Long.MAX_VALUE, true).records())) {
                            if (r.offset() >= next) {
                                assertThat(r.offset()).isEqualTo(next);
                                assertThat(r.value()).isEqualTo("v" + next);
                                next++;
                            }
                        }
                    }
                    assertThat(next).isEqualTo(2000);
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            reader.start();
            for (int i = 0; i < 2000; i++) {
                log.appendAsLeader(batch(0, "v" + i), 0);
            }
            done.set(true);
            reader.join(20_000);
            assertThat(failure.get()).isNull();
            assertThat(log.segmentCount()).isGreaterThan(10);
        }
    }
}
