package io.samsa.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class IdleRatioTest {

    private final AtomicLong clock = new AtomicLong(1_000);
    private final AtomicLong busy = new AtomicLong(500);
    private final IdleRatio ratio = new IdleRatio(4, busy::get, clock::get);

    @Test
    void idleShareOfTheTimeSinceThePreviousReading() {
        clock.addAndGet(1_000_000_000L);
        busy.addAndGet(1_000_000_000L); // one of four threads busy the whole second
        assertThat(ratio.read()).isEqualTo(0.75);
        clock.addAndGet(500_000_000L);
        busy.addAndGet(1_500_000_000L); // three of four busy for half a second
        assertThat(ratio.read()).isEqualTo(0.25);
        clock.addAndGet(2_000_000_000L);
        assertThat(ratio.read()).isEqualTo(1.0);
    }

    @Test
    void staysInZeroToOneAndRepeatsWhenNoTimePassed() {
        clock.addAndGet(1_000_000L);
        busy.addAndGet(10_000_000L); // a long task's time added when it ended, more than the window holds
        assertThat(ratio.read()).isEqualTo(0.0);
        busy.addAndGet(1_000_000L);
        assertThat(ratio.read()).isEqualTo(0.0); // no time passed: the previous value, the busy time carried over
        clock.addAndGet(4_000_000L);
        assertThat(ratio.read()).isEqualTo(1.0 - 1_000_000.0 / (4_000_000.0 * 4));
    }
}
