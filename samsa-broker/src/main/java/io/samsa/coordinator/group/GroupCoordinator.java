package io.samsa.coordinator.group;

import io.samsa.coordinator.PartitionWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group coordinator: the classic protocol (JoinGroup, SyncGroup, Heartbeat, LeaveGroup), the consumer protocol of
 * KIP-848 (ConsumerGroupHeartbeat, in {@link ConsumerGroups}) and committed offsets. A group id names either a classic
 * or a consumer-protocol group; an empty group of one kind becomes the other when a member of the other kind joins.
 * The classic protocol follows Kafka's semantics: rebalances on join, leave and session expiry; {@code group.initial.rebalance.delay.ms};
 * rebalance timeouts; static members that rejoin without a rebalance; fencing with ILLEGAL_GENERATION,
 * UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS and FENCED_INSTANCE_ID.
 *
 * <p>Committed offsets and each group's membership are records on {@code __consumer_offsets} (partition = hash of
 * the group id); a commit, a completed SyncGroup and a consumer-protocol heartbeat that changed the group are answered
 * only once their records are committed to the log, and {@link #load()} rebuilds offsets and groups by replaying the
 * topic, so members carry on across a broker restart. Offsets committed in a transaction (TxnOffsetCommit) are written
 * as the producer's transactional records and stay pending until the transaction coordinator's marker in that
 * partition commits or aborts them.
 *
 * <p>Thread-safe: all state is guarded by this object's lock; futures are completed under it.
 */
public final class GroupCoordinator {

    private static final Logger LOG = LoggerFactory.getLogger(GroupCoordinator.class);

    /**
     * Limits, under Kafka's names.
     *
     * @param partitions offsets.topic.num.partitions
     * @param minSessionTimeoutMs group.min.session.timeout.ms
     * @param maxSessionTimeoutMs group.max.session.timeout.ms
     * @param initialRebalanceDelayMs group.initial.rebalance.delay.ms
     * @param maxGroupSize group.max.size
     * @param offsetMetadataMaxBytes offset.metadata.max.bytes
     * @param offsetsRetentionMs offsets.retention.minutes, in milliseconds
     * @param consumer the consumer protocol's limits
     */
    public record Settings(int partitions, int minSessionTimeoutMs, int maxSessionTimeoutMs,
            int initialRebalanceDelayMs, int maxGroupSize, int offsetMetadataMaxBytes, long offsetsRetentionMs,
            ConsumerProtocol consumer) {}

    /**
     * The consumer protocol's settings, under Kafka's names.
     *
     * @param sessionTimeoutMs group.consumer.session.timeout.ms
     * @param heartbeatIntervalMs group.consumer.heartbeat.interval.ms
     * @param maxSize group.consumer.max.size
     * @param assignors group.consumer.assignors; the first is the default
     */
    public record ConsumerProtocol(int sessionTimeoutMs, int heartbeatIntervalMs, int maxSize, List<String> assignors) {

        public ConsumerProtocol {
            assignors = List.copyOf(assignors);
            if (assignors.isEmpty() || !assignors.stream().allMatch(ConsumerProtocol::isKnownAssignor)) {
                throw new IllegalArgumentException("Assignors must be some of uniform, range: " + assignors);
            }
        }

        /** Whether a server-side assignor of this name exists (group.consumer.assignors, group.remote.assignor). */
        public static boolean isKnownAssignor(String name) {
            return ConsumerGroups.isKnownAssignor(name);
        }
    }

    /** A member to remove in a LeaveGroup. */
    public record Leaving(String memberId, String groupInstanceId) {}

    /**
     * A group as ListGroups shows it.
     *
     * @param state Kafka's name of the state
     * @param type "classic" or "consumer"
     */
    public record GroupListing(String groupId, String protocolType, String state, String type) {}

    /** A member as DescribeGroups shows it. */
    public record MemberDescription(String memberId, String groupInstanceId, String clientId, String clientHost,
            byte[] metadata, byte[] assignment) {}

    /** A group as DescribeGroups shows it; {@code state} is DEAD for an unknown group. */
    public record GroupDescription(String groupId, GroupState state, String protocolType, String protocolName,
            List<MemberDescription> members) {}

    private final Settings settings;
    private final PartitionWriter writer;
    private final ScheduledExecutorService scheduler;
    private final Map<String, ClassicGroup> groups = new HashMap<>();
    private final Map<OffsetKey, CommittedOffset> offsets = new HashMap<>();
    private final ConsumerGroups consumerGroups;
    /** Classic groups that reached Stable with their leader's assignment: Kafka's group-completed-rebalance-count. */
    private final LongAdder completedClassicRebalances = new LongAdder();
    private final LongSupplier clock;
    private final PendingTransactionalOffsets pendingTransactionalOffsets = new PendingTransactionalOffsets();
    /**
     * Every offset write (plain or transactional) gets the next number, in log order; {@link #committedBy} holds the
     * number of the write that set each committed offset. A transaction that commits later applies its offset only
     * if that offset was written after the current one, as Kafka compares log positions.
     */
    private long writeSequence;
    private final Map<OffsetKey, Long> committedBy = new HashMap<>();

    /**
     * @param topics every topic's partition count, as the metadata has it now (the consumer protocol assigns them)
     * @param clock wall-clock milliseconds (commit timestamps and offset expiry)
     */
    public GroupCoordinator(Settings settings, PartitionWriter writer, ScheduledExecutorService scheduler,
            Supplier<Map<String, Integer>> topics, LongSupplier clock) {
        this.settings = settings;
        this.writer = writer;
        this.scheduler = scheduler;
        this.clock = clock;
        this.consumerGroups = new ConsumerGroups(this, settings.consumer(), scheduler, topics, clock, this::persist);
    }

    /** The partition of {@code __consumer_offsets} that holds a group, as Kafka computes it. */
    public int partitionFor(String groupId) {
        int hash = groupId.hashCode();
        return (hash == Integer.MIN_VALUE ? 0 : Math.abs(hash)) % settings.partitions();
    }

    /**
     * Rebuilds committed offsets and group membership by replaying every partition of the offsets topic;
     * transactional offsets follow their transaction's markers. Members of groups that were active carry on where
     * they were: their sessions start again now.
     */
    public synchronized void load() {
        Map<String, byte[]> groupRecords = new HashMap<>();
        for (int p = 0; p < settings.partitions(); p++) {
            int partition = p;
            writer.replay(p, new PartitionWriter.ReplayVisitor() {
                @Override
                public void record(long producerId, byte[] key, byte[] value) {
                    String groupId = GroupRecords.readKey(key);
                    if (groupId != null) {
                        if (value == null) {
                            groupRecords.remove(groupId);
                        } else {
                            groupRecords.put(groupId, value);
                        }
                        return;
                    }
                    OffsetKey k = OffsetRecords.readKey(key);
                    if (k == null) {
                        return;
                    }
                    long sequence = ++writeSequence;
                    if (producerId >= 0) {
                        pendingTransactionalOffsets.add(producerId, k, OffsetRecords.readValue(value), sequence);
                    } else if (value == null) {
                        offsets.remove(k);
                        committedBy.put(k, sequence);
                    } else {
                        offsets.put(k, OffsetRecords.readValue(value));
                        committedBy.put(k, sequence);
                        groups.computeIfAbsent(k.group(), id -> new ClassicGroup(id, clock.getAsLong()));
                    }
                }

                @Override
                public void marker(long producerId, boolean commit) {
                    endTransaction(partition, producerId, commit);
                }
            });
        }
        groupRecords.forEach((groupId, value) -> {
            GroupRecords.Loaded loaded = GroupRecords.read(groupId, value, clock);
            if (loaded.classic() != null) {
                groups.put(groupId, loaded.classic());
                loaded.classic().members.values().forEach(m -> scheduleSession(loaded.classic(), m));
            } else {
                groups.remove(groupId);
                consumerGroups.restore(loaded.consumer(), value);
            }
        });
        groups.values().removeIf(g -> g.members.isEmpty() && offsetsOf(g.groupId).isEmpty());
        LOG.debug("Loaded {} committed offsets of {} classic and {} consumer-protocol groups", offsets.size(),
                groups.size(), consumerGroups.groups.size());
    }

    /** Makes sure a group exists to own committed offsets: an empty classic group unless a consumer group does. */
    private void holdOffsetsOf(String groupId) {
        if (consumerGroups.active(groupId) == null) {
            groups.computeIfAbsent(groupId, id -> new ClassicGroup(id, clock.getAsLong()));
        }
    }

    /**
     * The answer to a request whose write failed, as Kafka's coordinator gives it: NOT_COORDINATOR when the disk
     * refused it, COORDINATOR_NOT_AVAILABLE when the partition could not take it; clients retry both.
     */
    private static GroupError writeError(Throwable failure) {
        PartitionWriter.WriteFailure write = PartitionWriter.failureOf(failure);
        return write == null ? GroupError.KAFKA_STORAGE_ERROR : GroupError.valueOf(write.name());
    }

    /** Writes a group's membership record; the future completes when it is durable. */
    CompletableFuture<Void> persist(String groupId, byte[] record) {
        return writer.append(partitionFor(groupId), List.of(new PartitionWriter.KeyValue(GroupRecords.key(groupId),
                record)));
    }

    // ---- JoinGroup -----------------------------------------------------------------------------------------------

    public synchronized CompletableFuture<JoinResult> join(JoinRequest request) {
        String memberId = request.memberId();
        if (request.groupId() == null || request.groupId().isEmpty()) {
            return done(JoinResult.error(GroupError.INVALID_GROUP_ID, memberId));
        }
        if (request.sessionTimeoutMs() < settings.minSessionTimeoutMs()
                || request.sessionTimeoutMs() > settings.maxSessionTimeoutMs()) {
            return done(JoinResult.error(GroupError.INVALID_SESSION_TIMEOUT, memberId));
        }
        ConsumerGroup consumerGroup = consumerGroups.active(request.groupId());
        if (consumerGroup != null) {
            if (!consumerGroup.members.isEmpty()) {
                return done(JoinResult.error(GroupError.INCONSISTENT_GROUP_PROTOCOL, memberId));
            }
            consumerGroups.groups.remove(request.groupId());
        }
        ClassicGroup group = groups.computeIfAbsent(request.groupId(), id -> new ClassicGroup(id, clock.getAsLong()));
        if (group.state == GroupState.DEAD) {
            return done(JoinResult.error(GroupError.COORDINATOR_NOT_AVAILABLE, memberId));
        }
        if (!group.supportsProtocols(request.protocolType(), request.protocols())) {
            return done(JoinResult.error(GroupError.INCONSISTENT_GROUP_PROTOCOL, memberId));
        }
        if (memberId.isEmpty()) {
            return joinNewMember(group, request);
        }
        return joinKnownMember(group, request);
    }

    private CompletableFuture<JoinResult> joinNewMember(ClassicGroup group, JoinRequest request) {
        String instanceId = request.groupInstanceId();
        if (instanceId != null && group.staticMembers.containsKey(instanceId)) {
            return rejoinStaticMember(group, request, group.staticMembers.get(instanceId));
        }
        String newId = (request.clientId() == null ? "" : request.clientId()) + "-" + UUID.randomUUID();
        if (group.members.size() + group.pendingMembers.size() >= settings.maxGroupSize()) {
            return done(JoinResult.error(GroupError.GROUP_MAX_SIZE_REACHED, ""));
        }
        if (request.requireKnownMemberId() && instanceId == null) {
            // KIP-394: hand out the id first, so a member that retries its join is not counted twice.
            group.pendingMembers.add(newId);
            return done(JoinResult.error(GroupError.MEMBER_ID_REQUIRED, newId));
        }
        return addMemberAndRebalance(group, newId, request);
    }

    private CompletableFuture<JoinResult> rejoinStaticMember(ClassicGroup group, JoinRequest request, String oldId) {
        Member old = group.members.get(oldId);
        String newId = (request.clientId() == null ? "" : request.clientId()) + "-" + UUID.randomUUID();
        // The old id is fenced: a zombie with it gets FENCED_INSTANCE_ID from now on.
        Member replacement = new Member(newId, request);
        replacement.assignment = old.assignment;
        cancelSession(old);
        if (old.awaitingJoin != null) {
            old.awaitingJoin.complete(JoinResult.error(GroupError.FENCED_INSTANCE_ID, oldId));
        }
        if (old.awaitingSync != null) {
            old.awaitingSync.complete(SyncResult.error(GroupError.FENCED_INSTANCE_ID));
        }
        group.members.remove(oldId);
        group.members.put(newId, replacement);
        group.staticMembers.put(request.groupInstanceId(), newId);
        if (group.leaderId != null && group.leaderId.equals(oldId)) {
            group.leaderId = newId;
        }
        if (group.state == GroupState.STABLE && group.selectProtocol().equals(group.protocolName)) {
            // KIP-345: a static member that comes back within its session timeout causes no rebalance, as long as the
            // group's protocol stays the one selected (as in Kafka; its metadata may differ, e.g. owned partitions).
            scheduleSession(group, replacement);
            JoinResult rejoined = new JoinResult(GroupError.NONE, group.generationId, group.protocolType,
                    group.protocolName, group.leaderId, newId, List.of(), newId.equals(group.leaderId));
            return persist(group.groupId, GroupRecords.classic(group)).thenApply(ok -> rejoined);
        }
        CompletableFuture<JoinResult> future = new CompletableFuture<>();
        replacement.awaitingJoin = future;
        prepareRebalance(group, "static member " + request.groupInstanceId() + " rejoined");
        return future;
    }

    private CompletableFuture<JoinResult> joinKnownMember(ClassicGroup group, JoinRequest request) {
        String memberId = request.memberId();
        if (group.pendingMembers.remove(memberId)) {
            return addMemberAndRebalance(group, memberId, request);
        }
        Member member = group.members.get(memberId);
        if (member == null) {
            return done(JoinResult.error(fencedOrUnknown(group, request.groupInstanceId()), memberId));
        }
        if (request.groupInstanceId() != null
                && !memberId.equals(group.staticMembers.get(request.groupInstanceId()))) {
            return done(JoinResult.error(GroupError.FENCED_INSTANCE_ID, memberId));
        }
        CompletableFuture<JoinResult> future = new CompletableFuture<>();
        switch (group.state) {
            case PREPARING_REBALANCE -> {
                member.update(request);
                park(member, future);
                tryCompleteJoin(group);
            }
            case COMPLETING_REBALANCE, STABLE -> {
                boolean unchanged = member.sameProtocols(request.protocols());
                if (unchanged && !memberId.equals(group.leaderId)) {
                    // A follower that lost the join response: give it the current generation again.
                    return done(joinResult(group, member));
                }
                member.update(request);
                park(member, future);
                prepareRebalance(group, "member " + memberId + " rejoined");
            }
            default -> {
                return done(JoinResult.error(GroupError.UNKNOWN_MEMBER_ID, memberId));
            }
        }
        return future;
    }

    private CompletableFuture<JoinResult> addMemberAndRebalance(ClassicGroup group, String memberId,
            JoinRequest request) {
        Member member = new Member(memberId, request);
        if (group.members.isEmpty()) {
            group.protocolType = request.protocolType();
        }
        group.members.put(memberId, member);
        if (request.groupInstanceId() != null) {
            group.staticMembers.put(request.groupInstanceId(), memberId);
        }
        CompletableFuture<JoinResult> future = new CompletableFuture<>();
        park(member, future);
        prepareRebalance(group, "member " + memberId + " joined");
        return future;
    }

    private static void park(Member member, CompletableFuture<JoinResult> future) {
        if (member.awaitingJoin != null && member.awaitingJoin != future) {
            // The member sent a new JoinGroup while its previous one was waiting: the old one is superseded.
            member.awaitingJoin.complete(JoinResult.error(GroupError.REBALANCE_IN_PROGRESS, member.memberId));
        }
        member.awaitingJoin = future;
    }

    private void prepareRebalance(ClassicGroup group, String reason) {
        // Members waiting in SyncGroup must rejoin.
        for (Member m : group.members.values()) {
            if (m.awaitingSync != null) {
                m.awaitingSync.complete(SyncResult.error(GroupError.REBALANCE_IN_PROGRESS));
                m.awaitingSync = null;
            }
        }
        boolean wasEmpty = group.state == GroupState.EMPTY;
        if (group.state != GroupState.PREPARING_REBALANCE) {
            LOG.debug("Group {} rebalancing: {}", group.groupId, reason);
            group.state = GroupState.PREPARING_REBALANCE;
            cancel(group);
            if (wasEmpty && settings.initialRebalanceDelayMs() > 0) {
                // Let the other members of a starting group arrive before the first generation.
                group.initialDelayRunning = true;
                group.joinDeadline = scheduler.schedule(() -> initialDelayElapsed(group),
                        Math.min(settings.initialRebalanceDelayMs(), Math.max(group.rebalanceTimeoutMs(), 1)),
                        TimeUnit.MILLISECONDS);
                return;
            }
            group.joinDeadline = scheduler.schedule(() -> joinDeadlineElapsed(group),
                    Math.max(group.rebalanceTimeoutMs(), 1), TimeUnit.MILLISECONDS);
        }
        tryCompleteJoin(group);
    }

    private synchronized void initialDelayElapsed(ClassicGroup group) {
        group.initialDelayRunning = false;
        if (group.state == GroupState.PREPARING_REBALANCE) {
            if (group.allMembersJoined()) {
                completeJoin(group);
            } else {
                group.joinDeadline = scheduler.schedule(() -> joinDeadlineElapsed(group),
                        Math.max(group.rebalanceTimeoutMs(), 1), TimeUnit.MILLISECONDS);
            }
        }
    }

    private synchronized void joinDeadlineElapsed(ClassicGroup group) {
        if (group.state == GroupState.PREPARING_REBALANCE) {
            completeJoin(group);
        }
    }

    private void tryCompleteJoin(ClassicGroup group) {
        if (group.state == GroupState.PREPARING_REBALANCE && !group.initialDelayRunning && group.allMembersJoined()) {
            completeJoin(group);
        }
    }

    /** Ends the join phase: members that did not rejoin are dropped, and a new generation starts. */
    private void completeJoin(ClassicGroup group) {
        cancel(group);
        for (Member m : List.copyOf(group.members.values())) {
            if (m.awaitingJoin == null) {
                LOG.debug("Group {}: member {} did not rejoin in time and is removed", group.groupId, m.memberId);
                removeMember(group, m);
            }
        }
        group.generationId++;
        if (group.members.isEmpty()) {
            group.state = GroupState.EMPTY;
            group.emptySinceMs = clock.getAsLong();
            group.protocolName = null;
            group.leaderId = null;
            persist(group.groupId, GroupRecords.classic(group));
            return;
        }
        group.protocolName = group.selectProtocol();
        if (group.leaderId == null || !group.members.containsKey(group.leaderId)) {
            group.leaderId = group.members.keySet().iterator().next();
        }
        group.state = GroupState.COMPLETING_REBALANCE;
        for (Member m : group.members.values()) {
            CompletableFuture<JoinResult> waiting = m.awaitingJoin;
            m.awaitingJoin = null;
            scheduleSession(group, m);
            waiting.complete(joinResult(group, m));
        }
    }

    private JoinResult joinResult(ClassicGroup group, Member member) {
        List<JoinResult.MemberMetadata> members = new ArrayList<>();
        if (member.memberId.equals(group.leaderId)) {
            for (Member m : group.members.values()) {
                members.add(new JoinResult.MemberMetadata(m.memberId, m.groupInstanceId,
                        m.metadata(group.protocolName)));
            }
        }
        return new JoinResult(GroupError.NONE, group.generationId, group.protocolType, group.protocolName,
                group.leaderId, member.memberId, members, false);
    }

    // ---- SyncGroup, Heartbeat, LeaveGroup --------------------------------------------------------------------------

    public synchronized CompletableFuture<SyncResult> sync(SyncRequest request) {
        ClassicGroup group = groups.get(request.groupId());
        GroupError error = checkMember(group, request.memberId(), request.groupInstanceId(), request.generationId());
        if (error != GroupError.NONE) {
            return done(SyncResult.error(error));
        }
        if ((request.protocolType() != null && !request.protocolType().equals(group.protocolType))
                || (request.protocolName() != null && !request.protocolName().equals(group.protocolName))) {
            return done(SyncResult.error(GroupError.INCONSISTENT_GROUP_PROTOCOL));
        }
        Member member = group.members.get(request.memberId());
        switch (group.state) {
            case PREPARING_REBALANCE -> {
                return done(SyncResult.error(GroupError.REBALANCE_IN_PROGRESS));
            }
            case STABLE -> {
                scheduleSession(group, member);
                return done(new SyncResult(GroupError.NONE, group.protocolType, group.protocolName,
                        member.assignment));
            }
            case COMPLETING_REBALANCE -> {
                CompletableFuture<SyncResult> future = new CompletableFuture<>();
                member.awaitingSync = future;
                scheduleSession(group, member);
                if (request.memberId().equals(group.leaderId)) {
                    for (Member m : group.members.values()) {
                        m.assignment = request.assignments().getOrDefault(m.memberId, new byte[0]);
                    }
                    group.state = GroupState.STABLE;
                    completedClassicRebalances.increment();
                    int generation = group.generationId;
                    // The members learn their assignments once the group's record with them is durable.
                    persist(group.groupId, GroupRecords.classic(group)).whenComplete((ok, failure) ->
                            completeSyncs(group, generation, failure));
                }
                return future;
            }
            default -> {
                return done(SyncResult.error(GroupError.UNKNOWN_MEMBER_ID));
            }
        }
    }

    private synchronized void completeSyncs(ClassicGroup group, int generation, Throwable failure) {
        for (Member m : group.members.values()) {
            if (m.awaitingSync != null && group.generationId == generation) {
                m.awaitingSync.complete(failure == null ? new SyncResult(GroupError.NONE, group.protocolType,
                        group.protocolName, m.assignment) : SyncResult.error(writeError(failure)));
                m.awaitingSync = null;
            }
        }
        if (failure != null) {
            if (PartitionWriter.failureOf(failure) == PartitionWriter.WriteFailure.NOT_COORDINATOR) {
                // A full or failed disk: its data directory has logged it once.
                LOG.debug("Group {}: could not write its membership; members rejoin: {}", group.groupId,
                        failure.getMessage());
            } else {
                LOG.warn("Group {}: could not write its membership; members rejoin", group.groupId, failure);
            }
            prepareRebalance(group, "membership record not written");
        }
    }

    public synchronized GroupError heartbeat(String groupId, String memberId, String groupInstanceId,
            int generationId) {
        ClassicGroup group = groups.get(groupId);
        GroupError error = checkMember(group, memberId, groupInstanceId, generationId);
        if (error != GroupError.NONE) {
            return error;
        }
        scheduleSession(group, group.members.get(memberId));
        return group.state == GroupState.PREPARING_REBALANCE ? GroupError.REBALANCE_IN_PROGRESS : GroupError.NONE;
    }

    /** Removes members; the result lists one error per member, in order, after the group-level error. */
    public synchronized List<GroupError> leave(String groupId, List<Leaving> leaving) {
        ClassicGroup group = groups.get(groupId);
        List<GroupError> results = new ArrayList<>();
        if (group == null || group.state == GroupState.DEAD) {
            leaving.forEach(l -> results.add(GroupError.UNKNOWN_MEMBER_ID));
            return results;
        }
        boolean removed = false;
        for (Leaving l : leaving) {
            String memberId = l.memberId();
            if (l.groupInstanceId() != null) {
                String current = group.staticMembers.get(l.groupInstanceId());
                if (current == null) {
                    results.add(GroupError.UNKNOWN_MEMBER_ID);
                    continue;
                }
                if (memberId != null && !memberId.isEmpty() && !memberId.equals(current)) {
                    results.add(GroupError.FENCED_INSTANCE_ID);
                    continue;
                }
                memberId = current;
            }
            if (group.pendingMembers.remove(memberId)) {
                results.add(GroupError.NONE);
                continue;
            }
            Member member = group.members.get(memberId);
            if (member == null) {
                results.add(GroupError.UNKNOWN_MEMBER_ID);
                continue;
            }
            removeMember(group, member);
            removed = true;
            results.add(GroupError.NONE);
        }
        if (removed) {
            afterRemoval(group, "members left");
        }
        return results;
    }

    private synchronized void sessionExpired(ClassicGroup group, Member member) {
        if (group.members.get(member.memberId) != member) {
            return;
        }
        LOG.debug("Group {}: member {} expired after {} ms without heartbeat", group.groupId, member.memberId,
                member.sessionTimeoutMs);
        removeMember(group, member);
        afterRemoval(group, "member " + member.memberId + " expired");
    }

    private void afterRemoval(ClassicGroup group, String reason) {
        switch (group.state) {
            case STABLE, COMPLETING_REBALANCE -> prepareRebalance(group, reason);
            case PREPARING_REBALANCE -> {
                if (group.members.isEmpty()) {
                    completeJoin(group);
                } else {
                    tryCompleteJoin(group);
                }
            }
            default -> {
                // EMPTY or DEAD: nothing to rebalance
            }
        }
    }

    private void removeMember(ClassicGroup group, Member member) {
        cancelSession(member);
        group.members.remove(member.memberId);
        if (member.groupInstanceId != null && member.memberId.equals(group.staticMembers.get(member.groupInstanceId))) {
            group.staticMembers.remove(member.groupInstanceId);
        }
        if (member.awaitingJoin != null) {
            member.awaitingJoin.complete(JoinResult.error(GroupError.UNKNOWN_MEMBER_ID, member.memberId));
        }
        if (member.awaitingSync != null) {
            member.awaitingSync.complete(SyncResult.error(GroupError.UNKNOWN_MEMBER_ID));
        }
        if (member.memberId.equals(group.leaderId)) {
            group.leaderId = group.members.isEmpty() ? null : group.members.keySet().iterator().next();
        }
    }

    private GroupError checkMember(ClassicGroup group, String memberId, String groupInstanceId, int generationId) {
        if (group == null || group.state == GroupState.DEAD) {
            return GroupError.UNKNOWN_MEMBER_ID;
        }
        if (groupInstanceId != null && group.staticMembers.containsKey(groupInstanceId)
                && !group.staticMembers.get(groupInstanceId).equals(memberId)) {
            return GroupError.FENCED_INSTANCE_ID;
        }
        if (!group.members.containsKey(memberId)) {
            return fencedOrUnknown(group, groupInstanceId);
        }
        if (generationId != group.generationId) {
            return GroupError.ILLEGAL_GENERATION;
        }
        return GroupError.NONE;
    }

    private static GroupError fencedOrUnknown(ClassicGroup group, String groupInstanceId) {
        return groupInstanceId != null && group.staticMembers.containsKey(groupInstanceId)
                ? GroupError.FENCED_INSTANCE_ID : GroupError.UNKNOWN_MEMBER_ID;
    }

    private void scheduleSession(ClassicGroup group, Member member) {
        cancelSession(member);
        member.sessionExpiry = scheduler.schedule(() -> sessionExpired(group, member), member.sessionTimeoutMs,
                TimeUnit.MILLISECONDS);
    }

    private static void cancelSession(Member member) {
        if (member.sessionExpiry != null) {
            member.sessionExpiry.cancel(false);
            member.sessionExpiry = null;
        }
    }

    private static void cancel(ClassicGroup group) {
        if (group.joinDeadline != null) {
            group.joinDeadline.cancel(false);
            group.joinDeadline = null;
        }
    }

    // ---- Offsets ---------------------------------------------------------------------------------------------------

    /**
     * Commits offsets. {@code generationId} -1 with no member id commits for a group that only stores offsets here.
     *
     * @return the error of each partition
     */
    public synchronized CompletableFuture<Map<OffsetKey, GroupError>> commitOffsets(String groupId, String memberId,
            String groupInstanceId, int generationId, Map<OffsetKey, CommittedOffset> commits) {
        Map<OffsetKey, GroupError> results = new HashMap<>();
        GroupError error = checkCommit(groupId, memberId, groupInstanceId, generationId, commits.keySet());
        if (error != GroupError.NONE) {
            commits.keySet().forEach(k -> results.put(k, error));
            return done(results);
        }
        List<PartitionWriter.KeyValue> records = new ArrayList<>();
        Map<OffsetKey, CommittedOffset> accepted = new HashMap<>();
        for (Map.Entry<OffsetKey, CommittedOffset> e : commits.entrySet()) {
            CommittedOffset offset = e.getValue();
            if (offset.metadata().length() > settings.offsetMetadataMaxBytes()) {
                results.put(e.getKey(), GroupError.OFFSET_METADATA_TOO_LARGE);
                continue;
            }
            accepted.put(e.getKey(), offset);
            records.add(new PartitionWriter.KeyValue(OffsetRecords.key(e.getKey()), OffsetRecords.value(offset)));
        }
        if (records.isEmpty()) {
            return done(results);
        }
        holdOffsetsOf(groupId);
        long sequence = ++writeSequence;
        return writer.append(partitionFor(groupId), records).handle((ok, failure) -> {
            synchronized (this) {
                for (OffsetKey key : accepted.keySet()) {
                    if (failure == null) {
                        applyCommitted(key, accepted.get(key), sequence);
                        results.put(key, GroupError.NONE);
                    } else {
                        results.put(key, writeError(failure));
                    }
                }
                return results;
            }
        });
    }

    /**
     * Kafka's checks of a commit, in Kafka's order. The empty group id is a group like any other here, as in Kafka.
     * A commit with a generation to a group that does not exist gets GROUP_ID_NOT_FOUND (OffsetCommit v9+; older
     * versions say ILLEGAL_GENERATION instead).
     */
    private GroupError checkCommit(String groupId, String memberId, String groupInstanceId, int generationId,
            java.util.Set<OffsetKey> partitions) {
        ConsumerGroup consumerGroup = consumerGroups.active(groupId);
        if (consumerGroup != null) {
            return ConsumerGroups.checkCommit(consumerGroup, memberId, generationId, partitions);
        }
        ClassicGroup group = groups.get(groupId);
        if (group == null) {
            return generationId < 0 ? GroupError.NONE : GroupError.GROUP_ID_NOT_FOUND;
        }
        if (group.state == GroupState.DEAD) {
            // Being deleted: the client retries and then finds the group gone.
            return GroupError.COORDINATOR_NOT_AVAILABLE;
        }
        if (generationId < 0 && group.state == GroupState.EMPTY) {
            return GroupError.NONE;
        }
        GroupError error = checkMember(group, memberId, groupInstanceId, generationId);
        if (error != GroupError.NONE) {
            return error;
        }
        // A current member that commits before SyncGroup completed is told to finish the rebalance first.
        return group.state == GroupState.COMPLETING_REBALANCE ? GroupError.REBALANCE_IN_PROGRESS : GroupError.NONE;
    }

    // ---- Transactional offsets (TxnOffsetCommit) ---------------------------------------------------------------

    /**
     * Commits offsets inside {@code producerId}'s transaction: written as its transactional records, they become
     * the group's committed offsets when the commit marker follows, and are dropped by an abort. A member that gives
     * its id or generation (TxnOffsetCommit v3+) is checked as for OffsetCommit; group state is not.
     *
     * @param check run under the partition's append lock (the transaction must still hold this partition)
     * @return the error of each partition; fails with the write's exception (the check's, or the log's, such as
     *     INVALID_PRODUCER_EPOCH for a fenced producer)
     */
    public synchronized CompletableFuture<Map<OffsetKey, GroupError>> commitTransactionalOffsets(String groupId,
            long producerId, short producerEpoch, String memberId, String groupInstanceId, int generationId,
            Map<OffsetKey, CommittedOffset> commits, Runnable check) {
        Map<OffsetKey, GroupError> results = new HashMap<>();
        GroupError error = checkTransactionalCommit(groupId, memberId, groupInstanceId, generationId,
                commits.keySet());
        if (error != GroupError.NONE) {
            commits.keySet().forEach(k -> results.put(k, error));
            return done(results);
        }
        List<PartitionWriter.KeyValue> records = new ArrayList<>();
        Map<OffsetKey, CommittedOffset> accepted = new HashMap<>();
        commits.forEach((key, offset) -> {
            if (offset.metadata().length() > settings.offsetMetadataMaxBytes()) {
                results.put(key, GroupError.OFFSET_METADATA_TOO_LARGE);
            } else {
                accepted.put(key, offset);
                records.add(new PartitionWriter.KeyValue(OffsetRecords.key(key), OffsetRecords.value(offset)));
            }
        });
        if (records.isEmpty()) {
            return done(results);
        }
        holdOffsetsOf(groupId);
        long sequence = ++writeSequence;
        return writer.appendTransactional(partitionFor(groupId), producerId, producerEpoch, records, check)
                .thenApply(ok -> {
                    synchronized (this) {
                        accepted.forEach((key, offset) -> {
                            pendingTransactionalOffsets.add(producerId, key, offset, sequence);
                            results.put(key, GroupError.NONE);
                        });
                        return results;
                    }
                });
    }

    /** Kafka's validation of a transactional commit (ClassicGroup.validateOffsetCommit with isTransactional). */
    private GroupError checkTransactionalCommit(String groupId, String memberId, String groupInstanceId,
            int generationId, java.util.Set<OffsetKey> partitions) {
        if (groupId == null || groupId.isEmpty()) {
            return GroupError.INVALID_GROUP_ID;
        }
        ConsumerGroup consumerGroup = consumerGroups.active(groupId);
        if (consumerGroup != null) {
            // TxnOffsetCommit has no STALE_MEMBER_EPOCH: a wrong epoch is an illegal generation to the producer.
            GroupError error = ConsumerGroups.checkCommit(consumerGroup, memberId, generationId, partitions);
            return error == GroupError.STALE_MEMBER_EPOCH ? GroupError.ILLEGAL_GENERATION : error;
        }
        ClassicGroup group = groups.get(groupId);
        if (group == null) {
            return generationId < 0 ? GroupError.NONE : GroupError.ILLEGAL_GENERATION;
        }
        if (group.state == GroupState.DEAD) {
            return GroupError.COORDINATOR_NOT_AVAILABLE;
        }
        boolean identified = generationId >= 0 || (memberId != null && !memberId.isEmpty())
                || groupInstanceId != null;
        if (!identified || (generationId < 0 && group.state == GroupState.EMPTY)) {
            return GroupError.NONE;
        }
        return checkMember(group, memberId, groupInstanceId, generationId);
    }

    /**
     * A transaction marker was written to partition {@code offsetsPartition} of {@code __consumer_offsets}: the
     * offsets {@code producerId} committed there in the transaction become committed, or are dropped.
     */
    public synchronized void endTransaction(int offsetsPartition, long producerId, boolean commit) {
        Map<OffsetKey, PendingTransactionalOffsets.Pending> ended = pendingTransactionalOffsets.end(producerId,
                group -> partitionFor(group) == offsetsPartition);
        if (commit) {
            ended.forEach((key, pending) -> {
                applyCommitted(key, pending.offset(), pending.writeSequence());
                holdOffsetsOf(key.group());
            });
        }
    }

    /** Makes {@code offset} the committed one unless a later write already set it. */
    private void applyCommitted(OffsetKey key, CommittedOffset offset, long sequence) {
        if (sequence > committedBy.getOrDefault(key, -1L)) {
            offsets.put(key, offset);
            committedBy.put(key, sequence);
        }
    }

    /** Whether an open transaction has committed an offset for this partition (OffsetFetch require_stable). */
    public synchronized boolean hasPendingTransactionalOffset(OffsetKey key) {
        return pendingTransactionalOffsets.isPending(key);
    }

    /**
     * Committed offsets of a group.
     *
     * @param topics the topics to return, or null for every topic the group committed for
     */
    public synchronized Map<OffsetKey, CommittedOffset> fetchOffsets(String groupId, List<String> topics) {
        Map<OffsetKey, CommittedOffset> result = new TreeMap<>(java.util.Comparator.comparing(OffsetKey::topic)
                .thenComparingInt(OffsetKey::partition));
        for (Map.Entry<OffsetKey, CommittedOffset> e : offsetsOf(groupId).entrySet()) {
            if (topics == null || topics.contains(e.getKey().topic())) {
                result.put(e.getKey(), e.getValue());
            }
        }
        return result;
    }

    private Map<OffsetKey, CommittedOffset> offsetsOf(String groupId) {
        Map<OffsetKey, CommittedOffset> result = new HashMap<>();
        offsets.forEach((k, v) -> {
            if (k.group().equals(groupId)) {
                result.put(k, v);
            }
        });
        return result;
    }

    /**
     * Deletes committed offsets of a group (OffsetDelete). Partitions of a topic that an active member subscribes to
     * are refused with GROUP_SUBSCRIBED_TO_TOPIC.
     *
     * @param subscribedTopics reads the topics out of a member's protocol metadata (the client's subscription)
     * @return the error of each partition, or the group-level error under a null key
     */
    public synchronized CompletableFuture<Map<OffsetKey, GroupError>> deleteOffsets(String groupId,
            List<OffsetKey> partitions, java.util.function.Function<byte[], java.util.Set<String>> subscribedTopics) {
        ClassicGroup group = groups.get(groupId);
        ConsumerGroup consumerGroup = consumerGroups.active(groupId);
        Map<OffsetKey, GroupError> results = new HashMap<>();
        if (consumerGroup == null && (group == null || group.state == GroupState.DEAD)) {
            results.put(null, GroupError.GROUP_ID_NOT_FOUND);
            return done(results);
        }
        java.util.Set<String> subscribed = new java.util.HashSet<>();
        if (consumerGroup != null) {
            subscribed.addAll(consumerGroups.subscribedTopicNames(consumerGroup));
        } else if (!group.members.isEmpty() && "consumer".equals(group.protocolType) && group.protocolName != null) {
            group.members.values().forEach(m -> subscribed.addAll(subscribedTopics.apply(
                    m.metadata(group.protocolName))));
        }
        List<PartitionWriter.KeyValue> tombstones = new ArrayList<>();
        for (OffsetKey key : partitions) {
            if (subscribed.contains(key.topic())) {
                results.put(key, GroupError.GROUP_SUBSCRIBED_TO_TOPIC);
            } else {
                results.put(key, GroupError.NONE);
                if (offsets.containsKey(key)) {
                    tombstones.add(new PartitionWriter.KeyValue(OffsetRecords.key(key), null));
                }
            }
        }
        if (tombstones.isEmpty()) {
            return done(results);
        }
        return writer.append(partitionFor(groupId), tombstones).handle((ok, failure) -> {
            synchronized (this) {
                for (Map.Entry<OffsetKey, GroupError> e : results.entrySet()) {
                    if (e.getValue() == GroupError.NONE) {
                        if (failure == null) {
                            offsets.remove(e.getKey());
                        } else {
                            e.setValue(writeError(failure));
                        }
                    }
                }
                return results;
            }
        });
    }

    /** A copy of every group's committed offsets, for consumer lag (read at each metrics scrape). */
    public synchronized Map<OffsetKey, CommittedOffset> allCommittedOffsets() {
        return new HashMap<>(offsets);
    }

    // ---- ListGroups, DescribeGroups, DeleteGroups --------------------------------------------------------------------

    public synchronized List<GroupListing> listGroups() {
        List<GroupListing> result = new ArrayList<>();
        groups.values().stream().filter(g -> g.state != GroupState.DEAD).forEach(g -> result.add(new GroupListing(
                g.groupId, g.protocolType == null ? "" : g.protocolType, g.state.kafkaName(), "classic")));
        consumerGroups.groups.values().stream().filter(g -> !g.dead).forEach(g -> result.add(new GroupListing(
                g.groupId, "consumer", g.state().kafkaName(), "consumer")));
        result.sort(java.util.Comparator.comparing(GroupListing::groupId));
        return result;
    }

    public synchronized GroupDescription describe(String groupId) {
        ClassicGroup group = groups.get(groupId);
        if (group == null) {
            return new GroupDescription(groupId, GroupState.DEAD, "", "", List.of());
        }
        boolean stable = group.state == GroupState.STABLE;
        List<MemberDescription> members = new ArrayList<>();
        for (Member m : group.members.values()) {
            members.add(new MemberDescription(m.memberId, m.groupInstanceId, m.clientId, m.clientHost,
                    stable ? m.metadata(group.protocolName) : new byte[0], stable ? m.assignment : new byte[0]));
        }
        return new GroupDescription(groupId, group.state, group.protocolType == null ? "" : group.protocolType,
                stable && group.protocolName != null ? group.protocolName : "", members);
    }

    /** Deletes an empty group and its committed offsets. */
    public synchronized CompletableFuture<GroupError> deleteGroup(String groupId) {
        ConsumerGroup consumerGroup = consumerGroups.active(groupId);
        if (consumerGroup != null) {
            if (!consumerGroup.members.isEmpty()) {
                return done(GroupError.NON_EMPTY_GROUP);
            }
            consumerGroups.groups.remove(groupId);
            groups.put(groupId, new ClassicGroup(groupId, clock.getAsLong())); // deleted below like an empty group
        }
        ClassicGroup group = groups.get(groupId);
        if (group == null || group.state == GroupState.DEAD) {
            return done(GroupError.GROUP_ID_NOT_FOUND);
        }
        if (group.state != GroupState.EMPTY) {
            return done(GroupError.NON_EMPTY_GROUP);
        }
        List<PartitionWriter.KeyValue> tombstones = new ArrayList<>();
        Map<OffsetKey, CommittedOffset> owned = offsetsOf(groupId);
        owned.keySet().forEach(k -> tombstones.add(new PartitionWriter.KeyValue(OffsetRecords.key(k), null)));
        tombstones.add(new PartitionWriter.KeyValue(GroupRecords.key(groupId), null));
        group.state = GroupState.DEAD;
        return writer.append(partitionFor(groupId), tombstones).handle((ok, failure) -> {
            synchronized (this) {
                if (failure != null) {
                    group.state = GroupState.EMPTY;
                    return writeError(failure);
                }
                owned.keySet().forEach(offsets::remove);
                groups.remove(groupId, group);
                return GroupError.NONE;
            }
        });
    }

    // ---- Offset expiry ---------------------------------------------------------------------------------------------

    /** Runs {@link #expireOffsets()} every {@code intervalMs} (offsets.retention.check.interval.ms). */
    public void scheduleOffsetExpiry(long intervalMs) {
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                expireOffsets();
            } catch (RuntimeException e) {
                LOG.warn("Offset expiry failed; it runs again in {} ms", intervalMs, e);
            }
        }, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    /**
     * Deletes (with tombstones) the committed offsets of empty groups that are older than offsets.retention.minutes,
     * counted from the later of the commit and the moment the group became empty, as Kafka does (KIP-211); a group
     * left empty and without offsets is deleted. Groups with members keep their offsets.
     *
     * @return the number of offsets expired, once their tombstones are written
     */
    public synchronized CompletableFuture<Integer> expireOffsets() {
        long now = clock.getAsLong();
        Map<Integer, List<OffsetKey>> byPartition = new TreeMap<>();
        offsets.forEach((key, offset) -> {
            Long emptySince = emptySince(key.group());
            if (emptySince != null && now - Math.max(offset.commitTimestamp(), emptySince)
                    >= settings.offsetsRetentionMs()) {
                byPartition.computeIfAbsent(partitionFor(key.group()), p -> new ArrayList<>()).add(key);
            }
        });
        List<CompletableFuture<Integer>> writes = new ArrayList<>();
        byPartition.forEach((partition, keys) -> {
            List<PartitionWriter.KeyValue> tombstones = keys.stream()
                    .map(k -> new PartitionWriter.KeyValue(OffsetRecords.key(k), null)).toList();
            writes.add(writer.append(partition, tombstones).thenApply(ok -> {
                synchronized (this) {
                    keys.forEach(offsets::remove);
                    keys.stream().map(OffsetKey::group).distinct().forEach(this::dropIfEmptyWithoutOffsets);
                    LOG.info("Expired {} committed offsets of empty groups", keys.size());
                    return keys.size();
                }
            }));
        });
        return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new))
                .thenApply(ok -> writes.stream().mapToInt(CompletableFuture::join).sum());
    }

    /** When a group's offsets started to age: null while it has members. */
    private Long emptySince(String groupId) {
        ConsumerGroup consumer = consumerGroups.active(groupId);
        if (consumer != null) {
            return consumer.members.isEmpty() ? consumer.emptySinceMs : null;
        }
        ClassicGroup classic = groups.get(groupId);
        if (classic != null && classic.state != GroupState.DEAD) {
            return classic.state == GroupState.EMPTY ? classic.emptySinceMs : null;
        }
        return Long.MIN_VALUE;
    }

    private void dropIfEmptyWithoutOffsets(String groupId) {
        if (!offsetsOf(groupId).isEmpty()) {
            return;
        }
        ClassicGroup classic = groups.get(groupId);
        ConsumerGroup consumer = consumerGroups.active(groupId);
        if (classic != null && classic.state == GroupState.EMPTY
                || consumer != null && consumer.members.isEmpty()) {
            groups.remove(groupId);
            consumerGroups.groups.remove(groupId);
            persist(groupId, null);
        }
    }

    // ---- Consumer protocol (KIP-848) ----------------------------------------------------------------------------

    /** A ConsumerGroupHeartbeat; answered once the group's changed membership record is durable. */
    public synchronized CompletableFuture<ConsumerHeartbeatResult> consumerHeartbeat(ConsumerHeartbeat request) {
        ClassicGroup classic = groups.get(request.groupId());
        boolean classicInTheWay = false;
        if (classic != null && classic.state != GroupState.DEAD) {
            if (classic.members.isEmpty()) {
                groups.remove(request.groupId()); // an empty classic group (maybe just offsets) converts
            } else {
                classicInTheWay = true;
            }
        }
        ConsumerHeartbeatResult result = consumerGroups.heartbeat(request, classicInTheWay);
        ConsumerGroup group = consumerGroups.active(request.groupId());
        if (result.error() != GroupError.NONE || group == null) {
            return done(result);
        }
        return consumerGroups.persistIfChanged(group).handle((ok, failure) -> failure == null ? result
                : ConsumerHeartbeatResult.error(GroupError.COORDINATOR_NOT_AVAILABLE, "The group's membership could"
                        + " not be written: " + failure.getMessage(), request.memberId(), request.memberEpoch()));
    }

    public synchronized ConsumerGroupDescription describeConsumerGroup(String groupId) {
        ClassicGroup classic = groups.get(groupId);
        return consumerGroups.describe(groupId, classic != null && classic.state != GroupState.DEAD);
    }

    private static <T> CompletableFuture<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }

    /** Rebalances of classic groups completed since the start (the leader's SyncGroup made the group Stable). */
    public long completedClassicRebalances() {
        return completedClassicRebalances.sum();
    }

    /** Group epoch bumps of consumer-protocol groups since the start (each starts a rebalance of the group). */
    public long consumerGroupRebalances() {
        return consumerGroups.rebalances.sum();
    }
}
