package io.samsa.metadata.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.samsa.metadata.ConfigResource;
import io.samsa.metadata.MetadataException;
import io.samsa.metadata.MetadataImage;
import io.samsa.metadata.MetadataImage.PartitionImage;
import io.samsa.metadata.MetadataRecord;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The controller's broker lifecycle on a fake clock: every step of time is explicit, nothing sleeps. */
class BrokerLifecycleControlTest {

    private static final UUID TOPIC = new UUID(0, 7);

    private final AtomicLong clock = new AtomicLong(1_000_000);
    private BrokerLifecycleControl control = new BrokerLifecycleControl(
            new BrokerLifecycleControl.Settings(1000, 100, false), clock::get);
    private MetadataImage image = MetadataImage.EMPTY;
    private final Map<Integer, UUID> incarnations = new HashMap<>();
    private final Map<Integer, Long> epochs = new HashMap<>();

    @Test
    void aRegisteredBrokerGetsAnEpochAndStaysFencedUntilItHasCaughtUp() {
        long epoch = register(1);
        assertThat(epoch).isZero();
        assertThat(broker(1).fenced()).isTrue();
        assertThat(broker(1).incarnationId()).isEqualTo(incarnations.get(1));

        assertThat(heartbeat(1, false, false)).isEqualTo(new BrokerLifecycleControl.HeartbeatReply(true, false));
        assertThat(broker(1).fenced()).isTrue();
        assertThat(heartbeat(1, true, false)).isEqualTo(new BrokerLifecycleControl.HeartbeatReply(false, false));
        assertThat(broker(1).fenced()).isFalse();
        assertThat(broker(1).active()).isTrue();

        assertThat(register(2)).isEqualTo(1);
        assertThat(image.nextBrokerEpoch()).isEqualTo(2);
    }

    @Test
    void theBrokerInTheControllersProcessIsUnfencedByItsRegistrationAndLeadsAgain() {
        register(1);
        heartbeat(1, true, false);
        topic(List.of(1), List.of(1), 1);
        for (int i = 0; i < 11; i++) { // killed: fenced, its partition has no leader
            clock.addAndGet(100);
            expire();
        }
        assertThat(partition().leader()).isEqualTo(MetadataImage.NO_LEADER);
        incarnations.put(1, UUID.randomUUID());
        long epoch = apply(control.registerInProcess(image, registration(1)));
        assertThat(epoch).isEqualTo(1);
        assertThat(broker(1).active()).isTrue();
        assertThat(partition().leader()).isEqualTo(1);
        assertThat(partition().leaderEpoch()).isEqualTo(2);
    }

    @Test
    void theSameIncarnationKeepsItsEpochAndANewOneGetsAHigherEpoch() {
        long first = register(1);
        unfence(1);
        assertThat(apply(control.register(image, registration(1)))).isEqualTo(first);
        assertThat(broker(1).fenced()).as("re-registering the same process changes nothing").isFalse();

        clock.addAndGet(1001); // the first incarnation died: its session ended
        incarnations.put(1, UUID.randomUUID());
        long second = register(1);
        assertThat(second).isGreaterThan(first);
        assertThat(broker(1).fenced()).isTrue();
    }

    @Test
    void anotherLiveProcessWithTheSameBrokerIdIsRefused() {
        register(1);
        unfence(1);
        incarnations.put(1, UUID.randomUUID());
        assertThatThrownBy(() -> control.register(image, registration(1)))
                .isInstanceOfSatisfying(MetadataException.class, e -> assertThat(e.kind())
                        .isEqualTo(MetadataException.Kind.DUPLICATE_BROKER_REGISTRATION))
                .hasMessage("Another broker is registered with that broker id.");
    }

    @Test
    void heartbeatsWithAStaleEpochOrFromAnUnknownBrokerAreRefused() {
        register(1);
        assertThatThrownBy(() -> control.heartbeat(image, new BrokerLifecycleControl.Heartbeat(1, 5, true, false)))
                .isInstanceOfSatisfying(MetadataException.class, e -> assertThat(e.kind())
                        .isEqualTo(MetadataException.Kind.STALE_BROKER_EPOCH))
                .hasMessage("Expected broker epoch 0, but got broker epoch 5");
        assertThatThrownBy(() -> control.heartbeat(image, new BrokerLifecycleControl.Heartbeat(9, 0, true, false)))
                .isInstanceOfSatisfying(MetadataException.class, e -> assertThat(e.kind())
                        .isEqualTo(MetadataException.Kind.BROKER_ID_NOT_REGISTERED));
    }

    @Test
    void heartbeatsKeepABrokerUnfencedAndASessionWithoutOneEndsInAFencingAndAnElection() {
        threeBrokers();
        topic(List.of(1, 2, 3), List.of(1, 2, 3), 1);
        for (int i = 0; i < 30; i++) { // three seconds of heartbeats from everyone
            clock.addAndGet(100);
            heartbeatAll(1, 2, 3);
            assertThat(expire()).isEmpty();
        }
        for (int i = 0; i < 10; i++) { // broker 1 falls silent: nothing happens within its session
            clock.addAndGet(100);
            heartbeatAll(2, 3);
            assertThat(expire()).isEmpty();
        }
        clock.addAndGet(1);
        List<MetadataRecord> fencing = expire();
        assertThat(fencing.getFirst()).isEqualTo(new MetadataRecord.FenceBroker(1, epochs.get(1)));
        assertThat(broker(1).fenced()).isTrue();
        PartitionImage p = partition();
        assertThat(p.leader()).isEqualTo(2);
        assertThat(p.leaderEpoch()).isEqualTo(1);
        assertThat(p.isr()).containsExactly(2, 3);
        assertThat(p.partitionEpoch()).isEqualTo(1);
    }

    @Test
    void aFencedFollowerOnlyLeavesTheIsrAndTheLeaderEpochStays() {
        threeBrokers();
        topic(List.of(1, 2, 3), List.of(1, 2, 3), 1);
        fenceByExpiry(3, 1, 2);
        PartitionImage p = partition();
        assertThat(p.leader()).isEqualTo(1);
        assertThat(p.leaderEpoch()).isZero();
        assertThat(p.isr()).containsExactly(1, 2);
    }

    @Test
    void leadersAreElectedFromTheIsrOnlyAndTheLastIsrMemberStays() {
        threeBrokers();
        topic(List.of(1, 2, 3), List.of(1), 1); // 2 and 3 are out of sync
        fenceByExpiry(1, 2, 3);
        PartitionImage p = partition();
        assertThat(p.leader()).as("no unclean election").isEqualTo(MetadataImage.NO_LEADER);
        assertThat(p.leaderEpoch()).isEqualTo(1);
        assertThat(p.isr()).as("the last member stays: it has every acknowledged record").containsExactly(1);
    }

    @Test
    void anUncleanElectionHappensOnlyWhereTheTopicAllowsIt() {
        threeBrokers();
        topic(List.of(1, 2, 3), List.of(1), 1);
        image = image.apply(List.of(new MetadataRecord.Config(ConfigResource.Type.TOPIC, "t",
                PartitionElections.UNCLEAN_KEY, "true")));
        fenceByExpiry(1, 2, 3);
        PartitionImage p = partition();
        assertThat(p.leader()).isEqualTo(2);
        assertThat(p.isr()).containsExactly(2);
        assertThat(p.leaderEpoch()).isEqualTo(1);
    }

    @Test
    void aReturningBrokerLeadsAgainThePartitionsThatHadNoLeaderOnceItIsUnfenced() {
        threeBrokers();
        topic(List.of(1, 2), List.of(1), 1);
        fenceByExpiry(1, 2, 3);
        assertThat(partition().leader()).isEqualTo(MetadataImage.NO_LEADER);

        incarnations.put(1, UUID.randomUUID()); // restarted
        register(1);
        assertThat(partition().leader()).as("still fenced").isEqualTo(MetadataImage.NO_LEADER);
        heartbeat(1, true, false);
        PartitionImage p = partition();
        assertThat(p.leader()).isEqualTo(1);
        assertThat(p.leaderEpoch()).isEqualTo(2);
        assertThat(p.isr()).containsExactly(1);
    }

    @Test
    void aRestartedBrokerThatWasNeverFencedHandsOverWhatItLedWhenItRegistersAgain() {
        threeBrokers();
        topic(List.of(1, 2, 3), List.of(1, 2, 3), 1);
        clock.addAndGet(1001); // its session is over, the check has not run yet
        heartbeatAll(2, 3);
        incarnations.put(1, UUID.randomUUID());
        register(1);
        assertThat(partition().leader()).isEqualTo(2);
        assertThat(partition().isr()).containsExactly(2, 3);
    }

    @Test
    void aControlledShutdownMovesLeadershipAwayBeforeTheBrokerMayStop() {
        threeBrokers();
        topic(List.of(1, 2, 3), List.of(1, 2, 3), 1);
        BrokerLifecycleControl.HeartbeatReply reply = heartbeat(1, true, true);
        assertThat(reply.shouldShutDown()).isTrue();
        assertThat(reply.fenced()).isTrue();
        PartitionImage p = partition();
        assertThat(p.leader()).isEqualTo(2);
        assertThat(p.leaderEpoch()).isEqualTo(1);
        assertThat(p.isr()).containsExactly(2, 3);
        assertThat(PartitionElections.leaderships(image, 1)).isZero();
        clock.addAndGet(5000);
        heartbeatAll(2, 3);
        assertThat(expire()).as("a broker that shut down is not fenced twice").isEmpty();
    }

    @Test
    void aShuttingDownBrokerKeepsWhatNobodyElseCanLeadAndLeadsItAgainWhenItReturns() {
        threeBrokers();
        topic(List.of(1, 2), List.of(1), 1); // 2 is out of sync
        BrokerLifecycleControl.HeartbeatReply reply = heartbeat(1, true, true);
        assertThat(reply.shouldShutDown()).isTrue();
        assertThat(broker(1).fenced()).as("it still leads until it stops").isFalse();
        assertThat(broker(1).inControlledShutdown()).isTrue();
        assertThat(partition().leader()).as("no clean successor: no unavailability before it stops").isEqualTo(1);
        assertThat(partition().partitionEpoch()).isZero();
        assertThat(PartitionElections.needsLeader(image, partition())).as("its leader still serves").isFalse();
        heartbeatAll(2, 3); // 2 is active but not in the ISR: no unclean election
        assertThat(partition().leader()).isEqualTo(1);

        incarnations.put(1, UUID.randomUUID());
        register(1);
        assertThat(partition().leader()).as("the new incarnation is fenced yet").isEqualTo(MetadataImage.NO_LEADER);
        heartbeat(1, true, false);
        assertThat(partition().leader()).isEqualTo(1);
        assertThat(partition().leaderEpoch()).isEqualTo(2);
    }

    @Test
    void aBrokerThatShutDownLeavesTheIsrAndIsNotElected() {
        threeBrokers();
        topic(List.of(2, 1, 3), List.of(2, 1, 3), 2);
        assertThat(heartbeat(1, true, true).shouldShutDown()).as("it led nothing").isTrue();
        assertThat(partition().isr()).containsExactly(2, 3);
        assertThat(partition().leaderEpoch()).isZero();
        fenceByExpiry(2, 3);
        assertThat(partition().leader()).isEqualTo(3);
    }

    @Test
    void aPauseOfTheControllerItselfFencesNobody() {
        threeBrokers();
        topic(List.of(1, 2, 3), List.of(1, 2, 3), 1);
        clock.addAndGet(100);
        expire();
        clock.addAndGet(5000); // a GC pause: no tick, no heartbeat processed
        assertThat(expire()).isEmpty();
        heartbeatAll(1, 2, 3);
        clock.addAndGet(100);
        assertThat(expire()).isEmpty();
        assertThat(partition().leader()).isEqualTo(1);
    }

    @Test
    void aNewControllerCountsTheSilenceTheQuorumSawAndGivesLiveBrokersAFullSession() {
        threeBrokers();
        topic(List.of(3, 1, 2), List.of(3, 1, 2), 3);
        // Broker 3 was the old controller's node and died; this node last heard from it 900 ms ago.
        control = new BrokerLifecycleControl(new BrokerLifecycleControl.Settings(1000, 100, false), clock::get);
        control.activate(image, nodeId -> nodeId == 3 ? 900 : 0);
        clock.addAndGet(100);
        assertThat(expire()).isEmpty();
        clock.addAndGet(100);
        assertThat(expire()).as("within the grace of two heartbeat intervals").isEmpty();
        clock.addAndGet(1); // 3 has now been silent for 1101 ms, and not heard from for the grace
        assertThat(expire()).containsExactly(new MetadataRecord.FenceBroker(3, epochs.get(3)),
                new MetadataRecord.PartitionChange(TOPIC, 0, 0, 1, 1, List.of(1, 2)));
        for (int i = 0; i < 7; i++) {
            clock.addAndGet(100);
            assertThat(expire()).as("brokers 1 and 2 have a full session from activation").isEmpty();
        }
        clock.addAndGet(100);
        assertThat(expire()).filteredOn(r -> r instanceof MetadataRecord.FenceBroker)
                .extracting(r -> ((MetadataRecord.FenceBroker) r).brokerId()).containsExactly(1, 2);
    }

    @Test
    void aNewControllerWithoutKnowledgeOfTheQuorumGivesEveryBrokerAFullSession() {
        threeBrokers();
        control = new BrokerLifecycleControl(new BrokerLifecycleControl.Settings(1000, 100, false), clock::get);
        control.activate(image, PeerContact.NONE);
        for (int i = 0; i < 10; i++) {
            clock.addAndGet(100);
            assertThat(expire()).isEmpty();
        }
        clock.addAndGet(1);
        assertThat(expire()).hasSize(3);
    }

    @Test
    void aDeposedControllersLateChangesAreIgnored() {
        threeBrokers();
        topic(List.of(1, 2, 3), List.of(1, 2, 3), 1);
        MetadataImage seenByOldController = image;
        fenceByExpiry(1, 2, 3); // the new controller moved leadership to 2
        // The old controller, from its stale image, fences 2 and unfences... whatever it computed.
        List<MetadataRecord> late = PartitionElections.removeBroker(seenByOldController.apply(List.of(
                new MetadataRecord.FenceBroker(2, epochs.get(2)))), 2, false);
        assertThat(late).isNotEmpty();
        MetadataImage before = image;
        image = image.apply(late);
        assertThat(partition()).isEqualTo(before.topic(TOPIC).partitions().get(0));
        image = image.apply(List.of(new MetadataRecord.UnfenceBroker(1, epochs.get(1) - 1),
                new MetadataRecord.FenceBroker(2, epochs.get(2) + 7)));
        assertThat(broker(1).fenced()).isTrue();
        assertThat(broker(2).fenced()).isFalse();
    }

    // --- helpers ---

    private void threeBrokers() {
        for (int id = 1; id <= 3; id++) {
            register(id);
            unfence(id);
        }
    }

    private void topic(List<Integer> replicas, List<Integer> isr, int leader) {
        image = image.apply(List.of(new MetadataRecord.Topic("t", TOPIC),
                new MetadataRecord.Partition(TOPIC, 0, replicas, isr, leader, 0)));
    }

    private PartitionImage partition() {
        return image.topic(TOPIC).partitions().get(0);
    }

    /** Broker {@code silent} misses its session while the others heartbeat. */
    private void fenceByExpiry(int silent, int... others) {
        for (int i = 0; i < 11; i++) {
            clock.addAndGet(100);
            heartbeatAll(others);
            expire();
        }
        assertThat(broker(silent).fenced()).isTrue();
    }

    private MetadataImage.BrokerImage broker(int id) {
        return image.brokers().get(id);
    }

    private BrokerLifecycleControl.Registration registration(int id) {
        return new BrokerLifecycleControl.Registration(id, incarnations.computeIfAbsent(id, k -> UUID.randomUUID()),
                List.of(new MetadataRecord.BrokerEndpoint("PLAINTEXT", "h" + id, 9092)), null);
    }

    private long register(int id) {
        long epoch = apply(control.register(image, registration(id)));
        epochs.put(id, epoch);
        return epoch;
    }

    private void unfence(int id) {
        assertThat(heartbeat(id, true, false).fenced()).isFalse();
    }

    private BrokerLifecycleControl.HeartbeatReply heartbeat(int id, boolean caughtUp, boolean wantShutDown) {
        return apply(control.heartbeat(image, new BrokerLifecycleControl.Heartbeat(id, epochs.get(id), caughtUp,
                wantShutDown)));
    }

    private void heartbeatAll(int... ids) {
        for (int id : ids) {
            heartbeat(id, true, false);
        }
    }

    private List<MetadataRecord> expire() {
        List<MetadataRecord> records = control.expireSessions(image);
        image = image.apply(records);
        return records;
    }

    private <T> T apply(BrokerLifecycleControl.Decision<T> decision) {
        image = image.apply(decision.records());
        return decision.reply();
    }
}
