package io.samsa.coordinator.group;

import io.samsa.coordinator.RecordBytes;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * Group membership records on {@code __consumer_offsets}: one record per group, keyed by the group id, holding the
 * whole membership (a snapshot), so that compaction keeps the latest and a coordinator that restarts picks members
 * up where they were instead of making them rejoin; a tombstone deletes the group. Offsets have their own records
 * ({@link OffsetRecords}); the key's version tells the two apart. Our own versioned binary format. Thread-safe
 * (stateless); the groups it reads and writes are guarded by the coordinator's lock.
 */
final class GroupRecords {

    static final short GROUP_KEY_VERSION = 2;
    private static final byte CLASSIC = 0;
    private static final byte CONSUMER = 1;

    private GroupRecords() {}

    static byte[] key(String groupId) {
        return RecordBytes.write(out -> {
            out.writeShort(GROUP_KEY_VERSION);
            out.writeUTF(groupId);
        });
    }

    /** @return the group id of a group record's key, or null for another record type */
    static String readKey(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            return in.readShort() == GROUP_KEY_VERSION ? in.readUTF() : null;
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt __consumer_offsets key", e);
        }
    }

    // ---- Classic groups ---------------------------------------------------------------------------------------------

    static byte[] classic(ClassicGroup group) {
        return RecordBytes.write(out -> {
            out.writeByte(CLASSIC);
            out.writeInt(group.generationId);
            writeNullable(out, group.protocolType);
            writeNullable(out, group.protocolName);
            writeNullable(out, group.leaderId);
            out.writeInt(group.members.size());
            for (Member m : group.members.values()) {
                out.writeUTF(m.memberId);
                writeNullable(out, m.groupInstanceId);
                out.writeUTF(m.clientId);
                out.writeUTF(m.clientHost);
                out.writeInt(m.sessionTimeoutMs);
                out.writeInt(m.rebalanceTimeoutMs);
                out.writeInt(m.protocols.size());
                for (JoinRequest.Protocol p : m.protocols) {
                    out.writeUTF(p.name());
                    writeBytes(out, p.metadata());
                }
                writeBytes(out, m.assignment);
            }
        });
    }

    // ---- Consumer-protocol groups ----------------------------------------------------------------------------------

    static byte[] consumer(ConsumerGroup group) {
        return RecordBytes.write(out -> {
            out.writeByte(CONSUMER);
            out.writeInt(group.groupEpoch);
            out.writeInt(group.assignmentEpoch);
            out.writeInt(group.subscribedTopics.size());
            for (Map.Entry<String, Integer> e : group.subscribedTopics.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeInt(e.getValue());
            }
            out.writeInt(group.members.size());
            for (ConsumerMember m : group.members.values()) {
                out.writeUTF(m.memberId);
                writeNullable(out, m.instanceId);
                writeNullable(out, m.rackId);
                out.writeUTF(m.clientId == null ? "" : m.clientId);
                out.writeUTF(m.clientHost == null ? "" : m.clientHost);
                out.writeInt(m.rebalanceTimeoutMs);
                out.writeInt(m.subscribedTopicNames.size());
                for (String topic : m.subscribedTopicNames) {
                    out.writeUTF(topic);
                }
                writeNullable(out, m.subscribedTopicRegex);
                writeNullable(out, m.serverAssignor);
                out.writeInt(m.memberEpoch);
                out.writeInt(m.previousMemberEpoch);
                out.writeByte(m.state.ordinal());
                writeAssignment(out, m.assigned);
                writeAssignment(out, m.pendingRevocation);
                writeAssignment(out, group.targetOf(m.memberId));
            }
        });
    }

    // ---- Reading ---------------------------------------------------------------------------------------------------

    /** A group read back: exactly one of the two is set. */
    record Loaded(ClassicGroup classic, ConsumerGroup consumer) {}

    static Loaded read(String groupId, byte[] value, LongSupplier clock) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
            byte kind = in.readByte();
            return switch (kind) {
                case CLASSIC -> new Loaded(readClassic(groupId, in, clock), null);
                case CONSUMER -> new Loaded(null, readConsumer(groupId, in, clock));
                default -> throw new IOException("unknown group record kind " + kind);
            };
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt group record of " + groupId, e);
        }
    }

    private static ClassicGroup readClassic(String groupId, DataInputStream in, LongSupplier clock)
            throws IOException {
        ClassicGroup group = new ClassicGroup(groupId, clock.getAsLong());
        group.generationId = in.readInt();
        group.protocolType = readNullable(in);
        group.protocolName = readNullable(in);
        group.leaderId = readNullable(in);
        int members = in.readInt();
        for (int i = 0; i < members; i++) {
            String memberId = in.readUTF();
            String instanceId = readNullable(in);
            String clientId = in.readUTF();
            String clientHost = in.readUTF();
            int sessionTimeoutMs = in.readInt();
            int rebalanceTimeoutMs = in.readInt();
            int protocolCount = in.readInt();
            List<JoinRequest.Protocol> protocols = new ArrayList<>();
            for (int p = 0; p < protocolCount; p++) {
                protocols.add(new JoinRequest.Protocol(in.readUTF(), readBytes(in)));
            }
            Member member = new Member(memberId, new JoinRequest(groupId, memberId, instanceId, clientId, clientHost,
                    sessionTimeoutMs, rebalanceTimeoutMs, group.protocolType, protocols, false));
            member.assignment = readBytes(in);
            group.members.put(memberId, member);
            if (instanceId != null) {
                group.staticMembers.put(instanceId, memberId);
            }
        }
        group.state = group.members.isEmpty() ? GroupState.EMPTY : GroupState.STABLE;
        return group;
    }

    private static ConsumerGroup readConsumer(String groupId, DataInputStream in, LongSupplier clock)
            throws IOException {
        ConsumerGroup group = new ConsumerGroup(groupId, clock.getAsLong());
        group.groupEpoch = in.readInt();
        group.assignmentEpoch = in.readInt();
        int topics = in.readInt();
        Map<String, Integer> subscribed = new TreeMap<>();
        for (int i = 0; i < topics; i++) {
            subscribed.put(in.readUTF(), in.readInt());
        }
        group.subscribedTopics = subscribed;
        int members = in.readInt();
        for (int i = 0; i < members; i++) {
            ConsumerMember m = new ConsumerMember(in.readUTF());
            m.instanceId = readNullable(in);
            m.rackId = readNullable(in);
            m.clientId = in.readUTF();
            m.clientHost = in.readUTF();
            m.rebalanceTimeoutMs = in.readInt();
            int names = in.readInt();
            List<String> subscribedNames = new ArrayList<>();
            for (int n = 0; n < names; n++) {
                subscribedNames.add(in.readUTF());
            }
            m.subscribedTopicNames = List.copyOf(subscribedNames);
            m.subscribedTopicRegex = readNullable(in);
            m.compiledRegex = m.subscribedTopicRegex == null ? null : Pattern.compile(m.subscribedTopicRegex);
            m.serverAssignor = readNullable(in);
            m.memberEpoch = in.readInt();
            m.previousMemberEpoch = in.readInt();
            m.state = ConsumerMember.State.values()[in.readByte()];
            m.assigned = readAssignment(in);
            m.pendingRevocation = readAssignment(in);
            group.target.put(m.memberId, readAssignment(in));
            group.members.put(m.memberId, m);
            if (m.instanceId != null) {
                group.staticMembers.put(m.instanceId, m.memberId);
            }
        }
        return group;
    }

    // ---- Encoding helpers ------------------------------------------------------------------------------------------

    private static void writeAssignment(DataOutputStream out, Assignment assignment) throws IOException {
        out.writeInt(assignment.partitions().size());
        for (Map.Entry<String, java.util.SortedSet<Integer>> e : assignment.partitions().entrySet()) {
            out.writeUTF(e.getKey());
            out.writeInt(e.getValue().size());
            for (int p : e.getValue()) {
                out.writeInt(p);
            }
        }
    }

    private static Assignment readAssignment(DataInputStream in) throws IOException {
        int topics = in.readInt();
        Map<String, Set<Integer>> partitions = new TreeMap<>();
        for (int t = 0; t < topics; t++) {
            String topic = in.readUTF();
            int count = in.readInt();
            Set<Integer> ps = new TreeSet<>();
            for (int i = 0; i < count; i++) {
                ps.add(in.readInt());
            }
            partitions.put(topic, ps);
        }
        return Assignment.of(partitions);
    }

    private static void writeNullable(DataOutputStream out, String value) throws IOException {
        out.writeBoolean(value != null);
        if (value != null) {
            out.writeUTF(value);
        }
    }

    private static String readNullable(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }

    private static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return bytes;
    }
}
