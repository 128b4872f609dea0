package io.samsa.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
            // A task's future completes before the pool's afterExecute reads the clock: the idle time below may
            // only pass once the second task's end is counted.
            await().until(() -> pool.busyNanos() == 1_250);
            // Time between tasks is idle.
            clock.addAndGet(5_000);
            pool.submit(() -> {
                throw new IllegalStateException("a failing task is busy time too");
            });
            pool.submit(() -> clock.addAndGet(7)).get();
            await().untilAsserted(() -> assertThat(pool.busyNanos()).isEqualTo(1_257));
        } finally {
            pool.shutdown();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }
}
