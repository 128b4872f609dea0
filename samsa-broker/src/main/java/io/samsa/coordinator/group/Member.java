package io.samsa.coordinator.group;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/** A member of a classic group. Mutated only under the coordinator's lock. */
final class Member {

    final String memberId;
    final String groupInstanceId;
    final String clientId;
    final String clientHost;
    int sessionTimeoutMs;
    int rebalanceTimeoutMs;
    List<JoinRequest.Protocol> protocols;
    byte[] assignment = new byte[0];
    /** The member's JoinGroup waiting for the rebalance to complete, or null. */
    CompletableFuture<JoinResult> awaitingJoin;
    /** The member's SyncGroup waiting for the leader's assignment, or null. */
    CompletableFuture<SyncResult> awaitingSync;
    ScheduledFuture<?> sessionExpiry;

    Member(String memberId, JoinRequest join) {
        this.memberId = memberId;
        this.groupInstanceId = join.groupInstanceId();
        this.clientId = join.clientId();
        this.clientHost = join.clientHost();
        update(join);
    }

    void update(JoinRequest join) {
        this.sessionTimeoutMs = join.sessionTimeoutMs();
        this.rebalanceTimeoutMs = join.rebalanceTimeoutMs();
        this.protocols = List.copyOf(join.protocols());
    }

    boolean supports(String protocolName) {
        return protocols.stream().anyMatch(p -> p.name().equals(protocolName));
    }

    byte[] metadata(String protocolName) {
        return protocols.stream().filter(p -> p.name().equals(protocolName)).findFirst()
                .map(JoinRequest.Protocol::metadata).orElse(new byte[0]);
    }

    boolean sameProtocols(List<JoinRequest.Protocol> other) {
        if (other.size() != protocols.size()) {
            return false;
        }
        for (int i = 0; i < other.size(); i++) {
            if (!other.get(i).name().equals(protocols.get(i).name())
                    || !java.util.Arrays.equals(other.get(i).metadata(), protocols.get(i).metadata())) {
                return false;
            }
        }
        return true;
    }
}
