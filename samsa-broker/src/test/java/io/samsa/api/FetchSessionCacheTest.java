package io.samsa.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

/** The fetch session cache's bound and Kafka's eviction rules, on a clock the test steps. */
class FetchSessionCacheTest {

    private final AtomicLong clock = new AtomicLong(1_000_000);

    private static List<FetchSession.CachedPartition> partitions(int n) {
        List<FetchSession.CachedPartition> parts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            parts.add(new FetchSession.CachedPartition(FetchSession.Key.of(true, new Uuid(1, 2), null, i), null, 0,
                    1024, -1));
        }
        return parts;
    }

    @Test
    void aFullCacheOfYoungConsumerSessionsTurnsAwayAnotherConsumerButAFollowerEvictsTheSmallest() {
        FetchSessionCache cache = new FetchSessionCache(2, clock::get);
        int big = cache.maybeCreate(false, true, partitions(5));
        int small = cache.maybeCreate(false, true, partitions(2));
        assertThat(big).isNotZero();
        assertThat(small).isNotZero();

        assertThat(cache.maybeCreate(false, true, partitions(100))).as("no slot, nothing old enough").isZero();
        int follower = cache.maybeCreate(true, true, partitions(1));
        assertThat(follower).isNotZero();
        assertThat(cache.get(small)).as("the least valuable consumer session went").isNull();
        assertThat(cache.get(big)).isNotNull();
        assertThat(cache.size()).isEqualTo(2);
    }

    @Test
    void aSessionUnusedForTheEvictionTimeMakesRoomForAnyone() {
        FetchSessionCache cache = new FetchSessionCache(1, clock::get);
        int follower = cache.maybeCreate(true, true, partitions(10));
        clock.addAndGet(FetchSessionCache.EVICTION_MS);
        assertThat(cache.maybeCreate(false, true, partitions(1))).as("used exactly the eviction time ago").isZero();
        clock.incrementAndGet();
        int consumer = cache.maybeCreate(false, true, partitions(1));
        assertThat(consumer).isNotZero();
        assertThat(cache.get(follower)).isNull();
    }

    @Test
    void aYoungFollowerSessionIsKeptFromEveryoneAndAnOldBusyOneOnlyFromConsumersAndSmallerFollowers() {
        FetchSessionCache cache = new FetchSessionCache(1, clock::get);
        int follower = cache.maybeCreate(true, true, partitions(3));
        assertThat(cache.maybeCreate(true, true, partitions(50))).as("a young follower session").isZero();
        // Used all along, but older than the eviction time: evictable, by value.
        for (int i = 0; i < 3; i++) {
            clock.addAndGet(FetchSessionCache.EVICTION_MS / 2);
            cache.touch(cache.get(follower), clock.get());
        }
        assertThat(cache.maybeCreate(false, true, partitions(50))).as("consumers are worth less").isZero();
        assertThat(cache.maybeCreate(true, true, partitions(2))).as("a smaller follower session").isZero();
        int bigger = cache.maybeCreate(true, true, partitions(4));
        assertThat(bigger).isNotZero();
        assertThat(cache.get(follower)).isNull();
    }

    @Test
    void zeroSlotsMeansNoSessions() {
        FetchSessionCache cache = new FetchSessionCache(0, clock::get);
        assertThat(cache.maybeCreate(true, true, partitions(1))).isZero();
        assertThat(cache.size()).isZero();
    }

    @Test
    void epochsFollowKafkasSequenceAndAnUpdateAtTheWrongEpochChangesNothing() {
        FetchSessionCache cache = new FetchSessionCache(1, clock::get);
        FetchSession session = cache.get(cache.maybeCreate(false, true, partitions(2)));
        assertThat(session.epoch()).isEqualTo(1);
        assertThat(session.update(3, partitions(3), List.of())).isNull();
        assertThat(session.size()).isEqualTo(2);
        assertThat(session.update(1, partitions(3), List.of(partitions(1).get(0).key))).hasSize(2);
        assertThat(session.epoch()).isEqualTo(2);
        assertThat(FetchSession.nextEpoch(Integer.MAX_VALUE)).isEqualTo(1);
        assertThat(FetchSession.nextEpoch(-1)).isEqualTo(-1);
    }
}
