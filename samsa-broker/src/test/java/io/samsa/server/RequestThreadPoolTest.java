package io.samsa.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RequestThreadPoolTest {

    @Test
    void addsUpTheTimeItsThreadsSpendInTasks() throws Exception {
        AtomicLong clock = new AtomicLong();
        RequestThreadPool pool = new RequestThreadPool(1, Thread.ofPlatform().daemon().factory(), clock::get);
        try {
            pool.submit(() -> clock.addAndGet(250)).get();
            pool.submit(() -> clock.addAndGet(1_000)).get();
            // Time between tasks is idle.
            clock.addAndGet(5_000);
            pool.submit(() -> {
                throw new IllegalStateException("a failing task is busy time too");
            });
            pool.submit(() -> clock.addAndGet(7)).get();
            assertThat(pool.busyNanos()).isEqualTo(1_257);
        } finally {
            pool.shutdown();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }
}
