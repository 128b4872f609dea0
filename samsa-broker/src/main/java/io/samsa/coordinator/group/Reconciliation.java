package io.samsa.coordinator.group;

import java.util.function.BiPredicate;

/**
 * Moves one consumer-protocol member towards its target assignment, as KIP-848 defines it: a member first revokes
 * what it must give up and stays at its epoch until it reports those partitions gone; then it moves to the assignment
 * epoch and gets every target partition that no other member still holds; the rest follow as they are released. A
 * partition is therefore never owned by two members at once. Stateless.
 */
final class Reconciliation {

    private Reconciliation() {}

    /**
     * @param owned the partitions the member reports owning, or null when its heartbeat left them out (unchanged)
     * @param heldByOther whether another member still holds a partition
     */
    static void advance(ConsumerMember member, int assignmentEpoch, Assignment target, Assignment owned,
            BiPredicate<String, Integer> heldByOther) {
        switch (member.state) {
            case STABLE -> {
                if (member.memberEpoch != assignmentEpoch) {
                    next(member, member.memberEpoch, assignmentEpoch, target, owned, heldByOther);
                }
            }
            case UNREVOKED_PARTITIONS -> {
                if (!stillOwnsAny(owned, member.pendingRevocation)) {
                    next(member, member.memberEpoch + 1, assignmentEpoch, target, owned, heldByOther);
                }
            }
            case UNRELEASED_PARTITIONS -> next(member, member.memberEpoch, assignmentEpoch, target, owned,
                    heldByOther);
        }
    }

    private static void next(ConsumerMember member, int epochIfRevoking, int assignmentEpoch, Assignment target,
            Assignment owned, BiPredicate<String, Integer> heldByOther) {
        Assignment kept = member.assigned.intersect(target);
        Assignment toRevoke = member.assigned.minus(kept);
        Assignment wanted = target.minus(kept);
        Assignment free = wanted.filter((topic, p) -> !heldByOther.test(topic, p));
        boolean unreleased = free.size() < wanted.size();

        if (!toRevoke.isEmpty() && stillOwnsAny(owned, toRevoke)) {
            member.moveTo(ConsumerMember.State.UNREVOKED_PARTITIONS, epochIfRevoking, kept, toRevoke);
        } else {
            member.moveTo(unreleased ? ConsumerMember.State.UNRELEASED_PARTITIONS : ConsumerMember.State.STABLE,
                    assignmentEpoch, kept.union(free), Assignment.EMPTY);
        }
    }

    /** Whether the member may still own any of {@code partitions}; unknown (null) counts as yes. */
    private static boolean stillOwnsAny(Assignment owned, Assignment partitions) {
        return owned == null || !owned.intersect(partitions).isEmpty();
    }
}
