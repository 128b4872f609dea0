package io.samsa.metadata.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StuckFollowerWatchTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final StuckFollowerWatch watch = new StuckFollowerWatch(5_000, now::get);

    @Test
    void aFollowerThatAnswersButNeverCatchesUpHandsLeadershipToACaughtUpOne() {
        List<StuckFollowerWatch.Follower> state = List.of(new StuckFollowerWatch.Follower(2, 118, 50),
                new StuckFollowerWatch.Follower(3, 200, 40));
        assertThat(watch.check(200, state)).isEqualTo(-1);
        now.addAndGet(4_999);
        assertThat(watch.check(200, state)).isEqualTo(-1);
        now.addAndGet(1);
        assertThat(watch.check(200, state)).isEqualTo(3);
        // Handed over once; the clock starts again.
        assertThat(watch.check(200, state)).isEqualTo(-1);
    }

    @Test
    void progressASilentFollowerOrNoCaughtUpSuccessorIsNotStuckness() {
        assertThat(watch.check(200, List.of(new StuckFollowerWatch.Follower(2, 100, 50),
                new StuckFollowerWatch.Follower(3, 200, 40)))).isEqualTo(-1);
        now.addAndGet(4_000);
        // It moved: patience starts again.
        assertThat(watch.check(200, List.of(new StuckFollowerWatch.Follower(2, 150, 50),
                new StuckFollowerWatch.Follower(3, 200, 40)))).isEqualTo(-1);
        now.addAndGet(4_000);
        assertThat(watch.check(200, List.of(new StuckFollowerWatch.Follower(2, 150, 50),
                new StuckFollowerWatch.Follower(3, 200, 40)))).isEqualTo(-1);
        // A follower that does not answer (down) is waited for, not worked around.
        now.addAndGet(10_000);
        assertThat(watch.check(200, List.of(new StuckFollowerWatch.Follower(2, 150, 5_000),
                new StuckFollowerWatch.Follower(3, 200, 40)))).isEqualTo(-1);
        // Stuck, but nobody is caught up to take over.
        StuckFollowerWatch alone = new StuckFollowerWatch(5_000, now::get);
        List<StuckFollowerWatch.Follower> behind = List.of(new StuckFollowerWatch.Follower(2, 150, 50),
                new StuckFollowerWatch.Follower(3, 190, 40));
        alone.check(200, behind);
        now.addAndGet(6_000);
        assertThat(alone.check(200, List.of(new StuckFollowerWatch.Follower(2, 150, 50),
                new StuckFollowerWatch.Follower(3, 199, 40)))).isEqualTo(-1);
    }
}
