package io.samsa.coordinator.group;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiFunction;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer group protocol of KIP-848 (ConsumerGroupHeartbeat, ConsumerGroupDescribe): the coordinator computes
 * assignments with a server-side assignor and each member reconciles towards its target through heartbeats.
 *
 * <p>Every membership or subscription change, and every change in the partitions of a subscribed topic, bumps the
 * group epoch; the next heartbeat computes the target assignment for it. Members are fenced with FENCED_MEMBER_EPOCH
 * when their epoch is off, removed when their session times out or when they keep partitions past their rebalance
 * timeout. A static member that leaves with epoch -2 keeps its partitions until its session times out, and a new
 * member with the same instance id takes them over without a rebalance.
 *
 * <p>Not thread-safe on its own: every method runs under the coordinator's lock, and the timers take it.
 */
final class ConsumerGroups {

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerGroups.class);

    private final Object lock;
    private final GroupCoordinator.ConsumerProtocol settings;
    private final ScheduledExecutorService scheduler;
    private final Supplier<Map<String, Integer>> topics;
    private final LongSupplier clock;
    private final BiFunction<String, byte[], CompletableFuture<Void>> persist;
    private final Map<String, ServerAssignor> assignors = new LinkedHashMap<>();
    final Map<String, ConsumerGroup> groups = new HashMap<>();
    /** Group epoch bumps: Kafka's consumer-group-rebalance-count. */
    final LongAdder rebalances = new LongAdder();

    /**
     * @param topics every topic's partition count, as the metadata has it now
     */
    ConsumerGroups(Object lock, GroupCoordinator.ConsumerProtocol settings, ScheduledExecutorService scheduler,
            Supplier<Map<String, Integer>> topics, LongSupplier clock,
            BiFunction<String, byte[], CompletableFuture<Void>> persist) {
        this.lock = lock;
        this.clock = clock;
        this.persist = persist;
        this.settings = settings;
        this.scheduler = scheduler;
        this.topics = topics;
        for (String name : settings.assignors()) {
            ServerAssignor assignor = switch (name) {
                case UniformAssignor.NAME -> new UniformAssignor();
                case RangeAssignor.NAME -> new RangeAssignor();
                default -> throw new IllegalArgumentException("Unknown assignor " + name);
            };
            assignors.put(name, assignor);
        }
    }

    static boolean isKnownAssignor(String name) {
        return UniformAssignor.NAME.equals(name) || RangeAssignor.NAME.equals(name);
    }

    // ---- ConsumerGroupHeartbeat ------------------------------------------------------------------------------------

    ConsumerHeartbeatResult heartbeat(ConsumerHeartbeat request, boolean classicGroupInTheWay) {
        String invalid = invalidRequest(request);
        if (invalid != null) {
            return ConsumerHeartbeatResult.error(GroupError.INVALID_REQUEST, invalid, request.memberId(),
                    request.memberEpoch());
        }
        if (request.serverAssignor() != null && !assignors.containsKey(request.serverAssignor())) {
            return ConsumerHeartbeatResult.error(GroupError.UNSUPPORTED_ASSIGNOR, "ServerAssignor "
                    + request.serverAssignor() + " is not supported. Supported assignors: "
                    + String.join(", ", assignors.keySet()) + ".", request.memberId(), request.memberEpoch());
        }
        Pattern regex = null;
        if (request.subscribedTopicRegex() != null && !request.subscribedTopicRegex().isEmpty()) {
            try {
                regex = Pattern.compile(request.subscribedTopicRegex());
            } catch (PatternSyntaxException e) {
                return ConsumerHeartbeatResult.error(GroupError.INVALID_REGULAR_EXPRESSION, e.getDescription(),
                        request.memberId(), request.memberEpoch());
            }
        }
        if (request.memberEpoch() == ConsumerMember.LEAVE_EPOCH
                || request.memberEpoch() == ConsumerMember.STATIC_LEAVE_EPOCH) {
            return leave(request);
        }
        if (classicGroupInTheWay) {
            return ConsumerHeartbeatResult.error(GroupError.GROUP_ID_NOT_FOUND, "Group " + request.groupId()
                    + " is a classic group with members; it cannot use the consumer protocol until it is empty.",
                    request.memberId(), request.memberEpoch());
        }
        ConsumerGroup group = groups.get(request.groupId());
        if (group == null || group.dead) {
            if (request.memberEpoch() != 0) {
                // Kafka keeps group state across restarts; here it is in memory, so the member must rejoin.
                return ConsumerHeartbeatResult.error(GroupError.UNKNOWN_MEMBER_ID, "Member " + request.memberId()
                        + " is not a member of group " + request.groupId() + ".", request.memberId(),
                        request.memberEpoch());
            }
            group = new ConsumerGroup(request.groupId(), clock.getAsLong());
            groups.put(group.groupId, group);
        }
        String memberId = request.memberId().isEmpty() ? UUID.randomUUID().toString() : request.memberId();
        boolean known = group.members.containsKey(memberId)
                || request.instanceId() != null && group.staticMembers.containsKey(request.instanceId());
        if (!known && group.members.size() >= settings.maxSize()) {
            return ConsumerHeartbeatResult.error(GroupError.GROUP_MAX_SIZE_REACHED, "The consumer group has reached"
                    + " its maximum capacity of " + settings.maxSize() + " members.", memberId,
                    request.memberEpoch());
        }

        MemberLookup lookup = request.instanceId() == null ? dynamicMember(group, memberId, request)
                : staticMember(group, memberId, request);
        if (lookup.error != null) {
            return lookup.error;
        }
        ConsumerMember member = lookup.member;
        boolean bump = lookup.joined;
        bump |= update(member, request, regex);
        member.clientId = request.clientId();
        member.clientHost = request.clientHost();

        Map<String, Integer> subscribed = subscribedTopics(group);
        if (!subscribed.equals(group.subscribedTopics)) {
            group.subscribedTopics = subscribed;
            bump = true;
        }
        if (bump) {
            group.groupEpoch++;
            rebalances.increment();
            LOG.info("Group {} moves to epoch {}", group.groupId, group.groupEpoch);
        }
        if (group.groupEpoch > group.assignmentEpoch) {
            computeTargetAssignment(group);
        }

        Assignment before = member.assigned;
        ConsumerGroup reconciling = group;
        Reconciliation.advance(member, group.assignmentEpoch, group.targetOf(member.memberId), request.owned(),
                (topic, p) -> reconciling.heldByOther(member.memberId, topic, p));
        if (member.state == ConsumerMember.State.UNREVOKED_PARTITIONS) {
            scheduleRevocationDeadline(group, member);
        } else {
            member.cancelRevocationDeadline();
        }
        scheduleSession(group, member);

        boolean full = request.memberEpoch() == 0 || request.rebalanceTimeoutMs() != -1
                && request.subscribedTopicNames() != null && request.owned() != null;
        return new ConsumerHeartbeatResult(GroupError.NONE, null, member.memberId, member.memberEpoch,
                settings.heartbeatIntervalMs(), full || !before.equals(member.assigned) ? member.assigned : null);
    }

    private static String invalidRequest(ConsumerHeartbeat r) {
        if (r.groupId() == null || r.groupId().isEmpty()) {
            return "GroupId can't be empty.";
        }
        if (r.instanceId() != null && r.instanceId().isEmpty()) {
            return "InstanceId can't be empty.";
        }
        if (r.rackId() != null && r.rackId().isEmpty()) {
            return "RackId can't be empty.";
        }
        int epoch = r.memberEpoch();
        if (epoch > 0 || epoch == ConsumerMember.LEAVE_EPOCH || epoch == ConsumerMember.STATIC_LEAVE_EPOCH
                || r.memberIdFromClient()) {
            if (r.memberId() == null || r.memberId().isEmpty()) {
                return "MemberId can't be empty.";
            }
        }
        if (epoch == 0) {
            if (r.rebalanceTimeoutMs() == -1) {
                return "RebalanceTimeoutMs must be provided in first request.";
            }
            if (r.owned() == null || !r.owned().isEmpty()) {
                return "TopicPartitions must be empty when (re-)joining.";
            }
            boolean names = r.subscribedTopicNames() != null && !r.subscribedTopicNames().isEmpty();
            boolean regex = r.subscribedTopicRegex() != null && !r.subscribedTopicRegex().isEmpty();
            if (!names && !regex) {
                return "SubscribedTopicNames or SubscribedTopicRegex must be set in first request.";
            }
        } else if (epoch == ConsumerMember.STATIC_LEAVE_EPOCH && r.instanceId() == null) {
            return "InstanceId can't be null.";
        } else if (epoch < ConsumerMember.STATIC_LEAVE_EPOCH) {
            return "MemberEpoch is invalid.";
        }
        return null;
    }

    /** The member a heartbeat is for, whether it just joined, or the error that refuses it. */
    private record MemberLookup(ConsumerMember member, boolean joined, ConsumerHeartbeatResult error) {

        static MemberLookup refused(GroupError error, String message, ConsumerHeartbeat request) {
            return new MemberLookup(null, false, ConsumerHeartbeatResult.error(error, message, request.memberId(),
                    request.memberEpoch()));
        }
    }

    private MemberLookup dynamicMember(ConsumerGroup group, String memberId, ConsumerHeartbeat request) {
        ConsumerMember member = group.members.get(memberId);
        if (member == null) {
            if (request.memberEpoch() != 0) {
                return MemberLookup.refused(GroupError.UNKNOWN_MEMBER_ID, "Member " + memberId
                        + " is not a member of group " + group.groupId + ".", request);
            }
            member = new ConsumerMember(memberId);
            group.members.put(memberId, member);
            LOG.info("Member {} joins group {} (consumer protocol)", memberId, group.groupId);
            return new MemberLookup(member, true, null);
        }
        if (request.memberEpoch() == 0) {
            rejoin(member);
            return new MemberLookup(member, false, null);
        }
        GroupError fenced = checkEpoch(member, request);
        return fenced == null ? new MemberLookup(member, false, null)
                : MemberLookup.refused(fenced, fencedMessage(member, request), request);
    }

    private MemberLookup staticMember(ConsumerGroup group, String memberId, ConsumerHeartbeat request) {
        String existingId = group.staticMembers.get(request.instanceId());
        ConsumerMember existing = existingId == null ? null : group.members.get(existingId);
        if (request.memberEpoch() == 0) {
            if (existing == null) {
                ConsumerMember member = new ConsumerMember(memberId);
                member.instanceId = request.instanceId();
                group.members.put(memberId, member);
                group.staticMembers.put(request.instanceId(), memberId);
                LOG.info("Static member {} ({}) joins group {} (consumer protocol)", memberId, request.instanceId(),
                        group.groupId);
                return new MemberLookup(member, true, null);
            }
            if (existing.memberId.equals(memberId)) {
                rejoin(existing);
                return new MemberLookup(existing, false, null);
            }
            if (existing.memberEpoch != ConsumerMember.STATIC_LEAVE_EPOCH) {
                return MemberLookup.refused(GroupError.UNRELEASED_INSTANCE_ID, "Static member "
                        + existing.memberId + " with instance id " + request.instanceId()
                        + " is still active in group " + group.groupId + ".", request);
            }
            // The static member comes back under a new member id: it takes over the assignment, no rebalance.
            ConsumerMember member = new ConsumerMember(memberId, existing);
            existing.cancelTimers();
            group.members.remove(existing.memberId);
            group.members.put(memberId, member);
            group.staticMembers.put(request.instanceId(), memberId);
            Assignment target = group.target.remove(existing.memberId);
            if (target != null) {
                group.target.put(memberId, target);
            }
            LOG.info("Static member {} replaces {} ({}) in group {}", memberId, existing.memberId,
                    request.instanceId(), group.groupId);
            return new MemberLookup(member, false, null);
        }
        if (existing == null) {
            return MemberLookup.refused(GroupError.UNKNOWN_MEMBER_ID, "Instance id " + request.instanceId()
                    + " is unknown.", request);
        }
        if (!existing.memberId.equals(memberId)) {
            return MemberLookup.refused(GroupError.FENCED_INSTANCE_ID, "Static member " + memberId
                    + " with instance id " + request.instanceId() + " is fenced by " + existing.memberId + ".",
                    request);
        }
        GroupError fenced = checkEpoch(existing, request);
        return fenced == null ? new MemberLookup(existing, false, null)
                : MemberLookup.refused(fenced, fencedMessage(existing, request), request);
    }

    /**
     * A member that comes back with epoch 0 under its own id (after being fenced) starts over: it owns nothing now,
     * so it is reconciled from scratch towards its target.
     */
    private static void rejoin(ConsumerMember member) {
        member.cancelRevocationDeadline();
        member.memberEpoch = 0;
        member.previousMemberEpoch = 0;
        member.state = ConsumerMember.State.STABLE;
        member.assigned = Assignment.EMPTY;
        member.pendingRevocation = Assignment.EMPTY;
    }

    /**
     * FENCED_MEMBER_EPOCH unless the epoch is the member's, or its previous one with owned partitions it still may
     * have (the response that moved it on may have been lost).
     */
    private static GroupError checkEpoch(ConsumerMember member, ConsumerHeartbeat request) {
        int epoch = request.memberEpoch();
        if (epoch == member.memberEpoch) {
            return null;
        }
        boolean lostResponse = epoch < member.memberEpoch && epoch == member.previousMemberEpoch
                && request.owned() != null && request.owned().isSubsetOf(member.assigned);
        return lostResponse ? null : GroupError.FENCED_MEMBER_EPOCH;
    }

    private static String fencedMessage(ConsumerMember member, ConsumerHeartbeat request) {
        return "The consumer group member has epoch " + request.memberEpoch() + " but the coordinator expects "
                + member.memberEpoch + ". The member must abandon all its partitions and rejoin.";
    }

    /** Applies the fields a heartbeat sets; true if the subscription changed (which bumps the group epoch). */
    private static boolean update(ConsumerMember member, ConsumerHeartbeat request, Pattern regex) {
        boolean changed = false;
        if (request.rackId() != null) {
            member.rackId = request.rackId();
        }
        if (request.rebalanceTimeoutMs() != -1) {
            member.rebalanceTimeoutMs = request.rebalanceTimeoutMs();
        }
        if (request.subscribedTopicNames() != null) {
            List<String> names = List.copyOf(new TreeSet<>(request.subscribedTopicNames()));
            changed |= !names.equals(member.subscribedTopicNames);
            member.subscribedTopicNames = names;
        }
        if (request.subscribedTopicRegex() != null) {
            String newRegex = request.subscribedTopicRegex().isEmpty() ? null : request.subscribedTopicRegex();
            changed |= !java.util.Objects.equals(newRegex, member.subscribedTopicRegex);
            member.subscribedTopicRegex = newRegex;
            member.compiledRegex = regex;
        }
        if (request.serverAssignor() != null) {
            changed |= !request.serverAssignor().equals(member.serverAssignor);
            member.serverAssignor = request.serverAssignor();
        }
        return changed;
    }

    /** Every existing topic some member subscribes to, with its partition count. */
    private Map<String, Integer> subscribedTopics(ConsumerGroup group) {
        Map<String, Integer> result = new TreeMap<>();
        topics.get().forEach((topic, partitions) -> {
            if (group.members.values().stream().anyMatch(m -> m.subscribesTo(topic))) {
                result.put(topic, partitions);
            }
        });
        return result;
    }

    private void computeTargetAssignment(ConsumerGroup group) {
        SortedMap<String, ServerAssignor.MemberSpec> specs = new TreeMap<>();
        for (ConsumerMember m : group.members.values()) {
            Set<String> subscribed = new TreeSet<>();
            group.subscribedTopics.keySet().forEach(topic -> {
                if (m.subscribesTo(topic)) {
                    subscribed.add(topic);
                }
            });
            specs.put(m.memberId, new ServerAssignor.MemberSpec(subscribed, group.targetOf(m.memberId)));
        }
        Map<String, Assignment> target = assignor(group).assign(specs, group.subscribedTopics);
        group.target.clear();
        group.target.putAll(target);
        group.assignmentEpoch = group.groupEpoch;
    }

    /** The assignor most members ask for; the first configured one when none asks. */
    private ServerAssignor assignor(ConsumerGroup group) {
        Map<String, Integer> votes = new HashMap<>();
        group.members.values().forEach(m -> {
            if (m.serverAssignor != null) {
                votes.merge(m.serverAssignor, 1, Integer::sum);
            }
        });
        String chosen = votes.entrySet().stream()
                .max(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry::getKey,
                        java.util.Comparator.reverseOrder()))
                .map(Map.Entry::getKey).orElse(assignors.keySet().iterator().next());
        return assignors.get(chosen);
    }

    // ---- Leaving, session and revocation timeouts -----------------------------------------------------------------

    private ConsumerHeartbeatResult leave(ConsumerHeartbeat request) {
        ConsumerGroup group = groups.get(request.groupId());
        ConsumerMember member = null;
        if (group != null) {
            member = request.instanceId() == null ? group.members.get(request.memberId())
                    : group.members.get(group.staticMembers.get(request.instanceId()));
        }
        if (member == null) {
            return ConsumerHeartbeatResult.error(GroupError.UNKNOWN_MEMBER_ID, "Member " + request.memberId()
                    + " is not a member of group " + request.groupId() + ".", request.memberId(),
                    request.memberEpoch());
        }
        if (request.instanceId() != null && !member.memberId.equals(request.memberId())) {
            return ConsumerHeartbeatResult.error(GroupError.FENCED_INSTANCE_ID, "Static member "
                    + request.memberId() + " with instance id " + request.instanceId() + " is fenced by "
                    + member.memberId + ".", request.memberId(), request.memberEpoch());
        }
        if (request.memberEpoch() == ConsumerMember.STATIC_LEAVE_EPOCH) {
            // Keeps its partitions until its session times out, so that a restart moves nothing.
            member.cancelRevocationDeadline();
            member.memberEpoch = ConsumerMember.STATIC_LEAVE_EPOCH;
            member.pendingRevocation = Assignment.EMPTY;
            LOG.info("Static member {} ({}) leaves group {} for now", member.memberId, member.instanceId,
                    group.groupId);
        } else {
            remove(group, member, "left");
        }
        return new ConsumerHeartbeatResult(GroupError.NONE, null, request.memberId(), request.memberEpoch(), 0,
                null);
    }

    private void remove(ConsumerGroup group, ConsumerMember member, String reason) {
        member.cancelTimers();
        group.members.remove(member.memberId);
        if (member.instanceId != null) {
            group.staticMembers.remove(member.instanceId, member.memberId);
        }
        group.target.remove(member.memberId);
        group.subscribedTopics = subscribedTopics(group);
        group.groupEpoch++;
        rebalances.increment();
        if (group.members.isEmpty()) {
            group.emptySinceMs = clock.getAsLong();
        }
        LOG.info("Member {} {} group {}; group epoch {}", member.memberId, reason, group.groupId, group.groupEpoch);
    }

    // ---- Durability ------------------------------------------------------------------------------------------------

    /** Writes the group's membership record if it changed since the last one; completes when durable. */
    CompletableFuture<Void> persistIfChanged(ConsumerGroup group) {
        byte[] record = GroupRecords.consumer(group);
        if (java.util.Arrays.equals(record, group.lastRecord)) {
            return CompletableFuture.completedFuture(null);
        }
        group.lastRecord = record;
        return persist.apply(group.groupId, record);
    }

    /** Takes a group read back from its record at start-up; its members' sessions start now. */
    void restore(ConsumerGroup group, byte[] record) {
        group.lastRecord = record;
        groups.put(group.groupId, group);
        for (ConsumerMember m : group.members.values()) {
            scheduleSession(group, m);
            if (m.state == ConsumerMember.State.UNREVOKED_PARTITIONS) {
                scheduleRevocationDeadline(group, m);
            }
        }
    }

    private void scheduleSession(ConsumerGroup group, ConsumerMember member) {
        if (member.sessionExpiry != null) {
            member.sessionExpiry.cancel(false);
        }
        member.sessionExpiry = scheduler.schedule(() -> {
            synchronized (lock) {
                if (group.members.get(member.memberId) == member) {
                    remove(group, member, "timed out of (session)");
                    persistIfChanged(group);
                }
            }
        }, settings.sessionTimeoutMs(), TimeUnit.MILLISECONDS);
    }

    private void scheduleRevocationDeadline(ConsumerGroup group, ConsumerMember member) {
        if (member.revocationDeadline != null) {
            return;
        }
        int epoch = member.memberEpoch;
        member.revocationDeadline = scheduler.schedule(() -> {
            synchronized (lock) {
                if (group.members.get(member.memberId) == member && member.memberEpoch == epoch
                        && member.state == ConsumerMember.State.UNREVOKED_PARTITIONS) {
                    remove(group, member, "did not revoke its partitions within its rebalance timeout and leaves");
                    persistIfChanged(group);
                }
            }
        }, member.rebalanceTimeoutMs, TimeUnit.MILLISECONDS);
    }

    // ---- Queries used by the coordinator ---------------------------------------------------------------------------

    ConsumerGroup active(String groupId) {
        ConsumerGroup group = groups.get(groupId);
        return group == null || group.dead ? null : group;
    }

    /** The topics the members of a group subscribe to (for OffsetDelete's GROUP_SUBSCRIBED_TO_TOPIC). */
    Set<String> subscribedTopicNames(ConsumerGroup group) {
        Set<String> result = new TreeSet<>(subscribedTopics(group).keySet());
        group.members.values().forEach(m -> result.addAll(m.subscribedTopicNames));
        return result;
    }

    /**
     * OffsetCommit from a member of a consumer-protocol group: UNKNOWN_MEMBER_ID or STALE_MEMBER_EPOCH if off. Better
     * than Kafka 4.1 (in the spirit of KIP-1251): a commit made with the member's previous epoch is accepted for
     * partitions the member still holds, so a commit racing the heartbeat response that moved the member on does not
     * fail.
     */
    static GroupError checkCommit(ConsumerGroup group, String memberId, int memberEpoch, Set<OffsetKey> partitions) {
        if (memberEpoch < 0 && group.members.isEmpty()) {
            return GroupError.NONE;
        }
        ConsumerMember member = group.members.get(memberId);
        if (member == null) {
            return GroupError.UNKNOWN_MEMBER_ID;
        }
        if (member.memberEpoch == memberEpoch) {
            return GroupError.NONE;
        }
        boolean stillHeld = memberEpoch == member.previousMemberEpoch && memberEpoch > 0
                && partitions.stream().allMatch(k -> member.assigned.contains(k.topic(), k.partition()));
        return stillHeld ? GroupError.NONE : GroupError.STALE_MEMBER_EPOCH;
    }

    ConsumerGroupDescription describe(String groupId, boolean classic) {
        ConsumerGroup group = active(groupId);
        if (group == null) {
            return ConsumerGroupDescription.notFound(groupId, classic);
        }
        List<ConsumerGroupDescription.Member> members = new ArrayList<>();
        for (ConsumerMember m : group.members.values()) {
            members.add(new ConsumerGroupDescription.Member(m.memberId, m.instanceId, m.rackId, m.memberEpoch,
                    m.clientId, m.clientHost, m.subscribedTopicNames, m.subscribedTopicRegex, m.assigned,
                    group.targetOf(m.memberId)));
        }
        return new ConsumerGroupDescription(groupId, GroupError.NONE, null, group.state().kafkaName(),
                group.groupEpoch,
                group.assignmentEpoch, assignor(group).name(), members);
    }
}
