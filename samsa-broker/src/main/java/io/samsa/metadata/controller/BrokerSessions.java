package io.samsa.metadata.controller;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The active controller's view of broker liveness: a deadline per broker, pushed to {@code now + session timeout} by
 * each heartbeat. Kept in memory only, on the active controller; a new controller builds it anew in {@link #activate}.
 *
 * <h2>Why a new controller does not grant a full fresh session</h2>
 *
 * <p>Kafka's controller, on activation, starts every unfenced broker's session at that moment. A broker that died
 * just before (typically together with the old controller, when one machine fails) then stays "alive" for another full
 * session, and the failover takes the old detection time plus a session (up to 17 s with Kafka's 9 s sessions). The
 * opposite mistake, fencing every broker that has not heartbeated the new controller within a few hundred
 * milliseconds, would fence live brokers that have simply not found the new controller yet; and fencing a live
 * broker is an election, a leader epoch bump and a client-visible hiccup, so it must never rest on less evidence than
 * in steady state, where a broker is fenced after a full session without a heartbeat.
 *
 * <p>The rule here keeps exactly that standard of evidence: <em>a broker is fenced when nothing has been heard from it
 * for a full session</em>. What is new is that silence observed before activation counts, when this node knows of it:
 * the metadata quorum reports ({@link PeerContact}) how long it has certainly not heard from each node. A live node
 * answers the quorum leader's appends continuously, so its silence is about zero and it gets a full session, as in
 * Kafka. A node that died before the failover has not answered since the new quorum leadership began (Ratis counts
 * from there; the election timeout this node waited without hearing from a dead old leader would be more evidence,
 * not counted yet), so its session is already partly or wholly used up when this controller activates. On top of that, no broker is fenced within {@code grace} of activation (a couple of heartbeat intervals),
 * so that a broker whose quorum connection is down but whose heartbeats can still reach the controller proves itself
 * before anything happens; a broker fenced at that point has then been silent on the quorum for a session and has not
 * heartbeated since this controller took over, which is more evidence than steady state asks for. With no knowledge
 * ({@link PeerContact#NONE}) the rule is Kafka's: a full session from activation.
 *
 * <h2>Pauses of the controller itself</h2>
 *
 * <p>If the controller's own process stalls (a GC pause, a long write under the controller's lock) its timer fires
 * late, heartbeats wait in queues, and every session would appear expired at once although the brokers did nothing
 * wrong. {@link #tick} therefore measures how late it runs and extends every deadline by the time the controller was
 * not running: only time during which the controller could have received a heartbeat counts against a broker. A GC
 * pause thus never turns into elections.
 *
 * <p>Time comes from the injected clock (milliseconds, monotonic). Not thread-safe: the controller calls it under its
 * lock.
 */
public final class BrokerSessions {

    /** A broker's session: the epoch it belongs to, when it ends, whether a heartbeat was received in it. */
    private record Session(long brokerEpoch, long deadlineMs, boolean heard) {}

    private final LongSupplier clockMs;
    private final long sessionTimeoutMs;
    private final long graceMs;
    private final long tickIntervalMs;
    private final Map<Integer, Session> sessions = new HashMap<>();
    private long lastTickMs;

    /**
     * @param tickIntervalMs how often {@link #tick} is meant to run; a tick later than twice that is a stall
     * @param graceMs after activation, how long every broker may take to reach the new controller
     */
    public BrokerSessions(LongSupplier clockMs, long sessionTimeoutMs, long tickIntervalMs, long graceMs) {
        this.clockMs = clockMs;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.tickIntervalMs = tickIntervalMs;
        this.graceMs = graceMs;
        this.lastTickMs = clockMs.getAsLong();
    }

    /**
     * Forgets every session and starts one for each unfenced broker (id → broker epoch), ending a session after the
     * broker's last sign of life known to the quorum, but not within the grace.
     */
    public void activate(Map<Integer, Long> unfenced, PeerContact contact) {
        long now = clockMs.getAsLong();
        sessions.clear();
        lastTickMs = now;
        unfenced.forEach((brokerId, epoch) -> {
            long silent = Math.max(0, contact.silentForMs(brokerId));
            long deadline = Math.max(now - silent + sessionTimeoutMs, now + graceMs);
            sessions.put(brokerId, new Session(epoch, deadline, false));
        });
    }

    /** A heartbeat (or registration) of that broker epoch arrived: a full session from now. */
    public void touch(int brokerId, long brokerEpoch) {
        sessions.put(brokerId, new Session(brokerEpoch, clockMs.getAsLong() + sessionTimeoutMs, true));
    }

    /** Whether a heartbeat of this broker epoch was received and its session has not ended. */
    public boolean heardWithinSession(int brokerId, long brokerEpoch) {
        Session s = sessions.get(brokerId);
        return s != null && s.heard() && s.brokerEpoch() == brokerEpoch && clockMs.getAsLong() <= s.deadlineMs();
    }

    public void remove(int brokerId) {
        sessions.remove(brokerId);
    }

    /**
     * Accounts for the time since the previous tick (extending every session by any stall of the controller), then
     * returns the brokers whose session has ended, with the epoch it belonged to, in id order.
     */
    public Map<Integer, Long> tick() {
        long now = clockMs.getAsLong();
        long stall = now - lastTickMs - tickIntervalMs;
        lastTickMs = now;
        if (stall > tickIntervalMs) {
            sessions.replaceAll((id, s) -> new Session(s.brokerEpoch(), s.deadlineMs() + stall, s.heard()));
        }
        Map<Integer, Long> expired = new java.util.TreeMap<>();
        List<Integer> ended = new ArrayList<>();
        sessions.forEach((id, s) -> {
            if (now > s.deadlineMs()) {
                expired.put(id, s.brokerEpoch());
                ended.add(id);
            }
        });
        ended.forEach(sessions::remove);
        return expired;
    }
}
