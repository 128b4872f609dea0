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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group coordinator for the classic protocol (JoinGroup, SyncGroup, Heartbeat, LeaveGroup) and committed offsets,
 * with Kafka's semantics: rebalances on join, leave and session expiry; {@code group.initial.rebalance.delay.ms};
 * rebalance timeouts; static members that rejoin without a rebalance; fencing with ILLEGAL_GENERATION,
 * UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS and FENCED_INSTANCE_ID.
 *
 * <p>Committed offsets are records on {@code __consumer_offsets} (partition = hash of the group id); a commit is
 * answered only once its records are committed to the log, and {@link #load()} rebuilds them by replaying the topic.
 * Offsets committed in a transaction (TxnOffsetCommit) are written as the producer's transactional records and stay
 * pending until the transaction coordinator's marker in that partition commits or aborts them.
 * Membership is in memory: after a broker restart members rejoin.
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
     */
    public record Settings(int partitions, int minSessionTimeoutMs, int maxSessionTimeoutMs,
            int initialRebalanceDelayMs, int maxGroupSize, int offsetMetadataMaxBytes) {}

    /** A member to remove in a LeaveGroup. */
    public record Leaving(String memberId, String groupInstanceId) {}

    /** A group as ListGroups shows it. */
    public record GroupListing(String groupId, String protocolType, GroupState state) {}

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
    private final PendingTransactionalOffsets pendingTransactionalOffsets = new PendingTransactionalOffsets();

    public GroupCoordinator(Settings settings, PartitionWriter writer, ScheduledExecutorService scheduler) {
        this.settings = settings;
        this.writer = writer;
        this.scheduler = scheduler;
    }

    /** The partition of {@code __consumer_offsets} that holds a group, as Kafka computes it. */
    public int partitionFor(String groupId) {
        int hash = groupId.hashCode();
        return (hash == Integer.MIN_VALUE ? 0 : Math.abs(hash)) % settings.partitions();
    }

    /**
     * Rebuilds committed offsets by replaying every partition of the offsets topic; transactional offsets follow
     * their transaction's markers.
     */
    public synchronized void load() {
        for (int p = 0; p < settings.partitions(); p++) {
            int partition = p;
            writer.replay(p, new PartitionWriter.ReplayVisitor() {
                @Override
                public void record(long producerId, byte[] key, byte[] value) {
                    OffsetKey k = OffsetRecords.readKey(key);
                    if (k == null) {
                        return;
                    }
                    if (producerId >= 0) {
                        pendingTransactionalOffsets.add(producerId, k, OffsetRecords.readValue(value));
                    } else if (value == null) {
                        offsets.remove(k);
                    } else {
                        offsets.put(k, OffsetRecords.readValue(value));
                        groups.computeIfAbsent(k.group(), ClassicGroup::new);
                    }
                }

                @Override
                public void marker(long producerId, boolean commit) {
                    endTransaction(partition, producerId, commit);
                }
            });
        }
        groups.values().removeIf(g -> g.members.isEmpty() && offsetsOf(g.groupId).isEmpty());
        LOG.debug("Loaded {} committed offsets of {} groups", offsets.size(), groups.size());
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
        ClassicGroup group = groups.computeIfAbsent(request.groupId(), ClassicGroup::new);
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
        boolean unchanged = old.sameProtocols(request.protocols());
        if (group.state == GroupState.STABLE && unchanged) {
            // KIP-345: a static member that comes back within its session timeout causes no rebalance.
            scheduleSession(group, replacement);
            return done(new JoinResult(GroupError.NONE, group.generationId, group.protocolType, group.protocolName,
                    group.leaderId, newId, List.of(), newId.equals(group.leaderId)));
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
            group.protocolName = null;
            group.leaderId = null;
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
                    for (Member m : group.members.values()) {
                        if (m.awaitingSync != null) {
                            m.awaitingSync.complete(new SyncResult(GroupError.NONE, group.protocolType,
                                    group.protocolName, m.assignment));
                            m.awaitingSync = null;
                        }
                    }
                }
                return future;
            }
            default -> {
                return done(SyncResult.error(GroupError.UNKNOWN_MEMBER_ID));
            }
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
        GroupError error = checkCommit(groupId, memberId, groupInstanceId, generationId);
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
        groups.computeIfAbsent(groupId, ClassicGroup::new);
        return writer.append(partitionFor(groupId), records).handle((ok, failure) -> {
            synchronized (this) {
                for (OffsetKey key : accepted.keySet()) {
                    if (failure == null) {
                        offsets.put(key, accepted.get(key));
                        results.put(key, GroupError.NONE);
                    } else {
                        results.put(key, GroupError.KAFKA_STORAGE_ERROR);
                    }
                }
                return results;
            }
        });
    }

    private GroupError checkCommit(String groupId, String memberId, String groupInstanceId, int generationId) {
        if (groupId == null || groupId.isEmpty()) {
            return GroupError.INVALID_GROUP_ID;
        }
        ClassicGroup group = groups.get(groupId);
        if (group == null || group.state == GroupState.DEAD) {
            return generationId < 0 ? GroupError.NONE : GroupError.ILLEGAL_GENERATION;
        }
        if (generationId < 0 && group.state == GroupState.EMPTY) {
            return GroupError.NONE;
        }
        if (group.state == GroupState.COMPLETING_REBALANCE) {
            return GroupError.REBALANCE_IN_PROGRESS;
        }
        return checkMember(group, memberId, groupInstanceId, generationId);
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
        GroupError error = checkTransactionalCommit(groupId, memberId, groupInstanceId, generationId);
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
        groups.computeIfAbsent(groupId, ClassicGroup::new);
        return writer.appendTransactional(partitionFor(groupId), producerId, producerEpoch, records, check)
                .thenApply(ok -> {
                    synchronized (this) {
                        accepted.forEach((key, offset) -> {
                            pendingTransactionalOffsets.add(producerId, key, offset);
                            results.put(key, GroupError.NONE);
                        });
                        return results;
                    }
                });
    }

    /** Kafka's validation of a transactional commit (ClassicGroup.validateOffsetCommit with isTransactional). */
    private GroupError checkTransactionalCommit(String groupId, String memberId, String groupInstanceId,
            int generationId) {
        if (groupId == null || groupId.isEmpty()) {
            return GroupError.INVALID_GROUP_ID;
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
        Map<OffsetKey, CommittedOffset> ended = pendingTransactionalOffsets.end(producerId,
                group -> partitionFor(group) == offsetsPartition);
        if (commit) {
            ended.forEach((key, offset) -> {
                offsets.put(key, offset);
                groups.computeIfAbsent(key.group(), ClassicGroup::new);
            });
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
        Map<OffsetKey, GroupError> results = new HashMap<>();
        if (group == null || group.state == GroupState.DEAD) {
            results.put(null, GroupError.GROUP_ID_NOT_FOUND);
            return done(results);
        }
        java.util.Set<String> subscribed = new java.util.HashSet<>();
        if (!group.members.isEmpty() && "consumer".equals(group.protocolType) && group.protocolName != null) {
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
                            e.setValue(GroupError.KAFKA_STORAGE_ERROR);
                        }
                    }
                }
                return results;
            }
        });
    }

    // ---- ListGroups, DescribeGroups, DeleteGroups --------------------------------------------------------------------

    public synchronized List<GroupListing> listGroups() {
        List<GroupListing> result = new ArrayList<>();
        groups.values().stream().filter(g -> g.state != GroupState.DEAD).sorted(java.util.Comparator.comparing(
                g -> g.groupId)).forEach(g -> result.add(new GroupListing(g.groupId,
                        g.protocolType == null ? "" : g.protocolType, g.state)));
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
        group.state = GroupState.DEAD;
        CompletableFuture<Void> written = tombstones.isEmpty() ? CompletableFuture.completedFuture(null)
                : writer.append(partitionFor(groupId), tombstones);
        return written.handle((ok, failure) -> {
            synchronized (this) {
                if (failure != null) {
                    group.state = GroupState.EMPTY;
                    return GroupError.KAFKA_STORAGE_ERROR;
                }
                owned.keySet().forEach(offsets::remove);
                groups.remove(groupId, group);
                return GroupError.NONE;
            }
        });
    }

    private static <T> CompletableFuture<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }
}
