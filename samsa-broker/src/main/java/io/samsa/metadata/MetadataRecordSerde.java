package io.samsa.metadata;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The binary form of {@link MetadataRecord}s: a type byte, a version byte, then the fields. Versioned per type so
 * that a record can gain fields without a new type. Thread-safe (stateless).
 */
public final class MetadataRecordSerde {

    private static final byte BROKER = 1;
    private static final byte TOPIC = 2;
    private static final byte PARTITION = 3;
    private static final byte REMOVE_TOPIC = 4;
    private static final byte CONFIG = 5;
    private static final byte PRODUCER_IDS = 6;
    private static final byte SCRAM_CREDENTIAL = 7;
    private static final byte REMOVE_SCRAM_CREDENTIAL = 8;
    private static final byte ACL = 9;
    private static final byte REMOVE_ACL = 10;
    private static final byte REGISTER_BROKER = 11;
    private static final byte FENCE_BROKER = 12;
    private static final byte UNFENCE_BROKER = 13;
    private static final byte BROKER_CONTROLLED_SHUTDOWN = 14;
    private static final byte PARTITION_CHANGE = 15;
    private static final byte VERSION = 0;
    /** The version of {@link MetadataRecord.Partition} that carries a partition epoch. */
    private static final byte PARTITION_WITH_EPOCH = 1;

    private MetadataRecordSerde() {}

    public static byte[] serialize(MetadataRecord record) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            switch (record) {
                case MetadataRecord.BrokerRegistration r -> {
                    header(out, BROKER);
                    out.writeInt(r.brokerId());
                    out.writeUTF(r.host());
                    out.writeInt(r.port());
                    writeNullable(out, r.rack());
                }
                case MetadataRecord.Topic r -> {
                    header(out, TOPIC);
                    out.writeUTF(r.name());
                    writeUuid(out, r.topicId());
                }
                case MetadataRecord.Partition r -> {
                    // Version 1 adds the partition epoch; a new partition (epoch 0) keeps version 0's bytes.
                    out.writeByte(PARTITION);
                    out.writeByte(r.partitionEpoch() == 0 ? VERSION : PARTITION_WITH_EPOCH);
                    writeUuid(out, r.topicId());
                    out.writeInt(r.partition());
                    writeInts(out, r.replicas());
                    writeInts(out, r.isr());
                    out.writeInt(r.leader());
                    out.writeInt(r.leaderEpoch());
                    if (r.partitionEpoch() != 0) {
                        out.writeInt(r.partitionEpoch());
                    }
                }
                case MetadataRecord.RemoveTopic r -> {
                    header(out, REMOVE_TOPIC);
                    writeUuid(out, r.topicId());
                }
                case MetadataRecord.ProducerIds r -> {
                    header(out, PRODUCER_IDS);
                    out.writeLong(r.nextBlockStart());
                }
                case MetadataRecord.UserScramCredential r -> {
                    header(out, SCRAM_CREDENTIAL);
                    out.writeUTF(r.user());
                    out.writeByte(r.mechanism());
                    writeBytes(out, r.salt());
                    writeBytes(out, r.storedKey());
                    writeBytes(out, r.serverKey());
                    out.writeInt(r.iterations());
                }
                case MetadataRecord.RemoveUserScramCredential r -> {
                    header(out, REMOVE_SCRAM_CREDENTIAL);
                    out.writeUTF(r.user());
                    out.writeByte(r.mechanism());
                }
                case MetadataRecord.AccessControlEntry r -> {
                    header(out, ACL);
                    writeUuid(out, r.id());
                    out.writeByte(r.resourceType());
                    out.writeUTF(r.resourceName());
                    out.writeByte(r.patternType());
                    out.writeUTF(r.principal());
                    out.writeUTF(r.host());
                    out.writeByte(r.operation());
                    out.writeByte(r.permission());
                }
                case MetadataRecord.RemoveAccessControlEntry r -> {
                    header(out, REMOVE_ACL);
                    writeUuid(out, r.id());
                }
                case MetadataRecord.Config r -> {
                    header(out, CONFIG);
                    out.writeByte(r.resourceType().ordinal());
                    out.writeUTF(r.resourceName());
                    out.writeUTF(r.name());
                    writeNullable(out, r.value());
                }
                case MetadataRecord.RegisterBroker r -> {
                    header(out, REGISTER_BROKER);
                    out.writeInt(r.brokerId());
                    writeUuid(out, r.incarnationId());
                    out.writeLong(r.brokerEpoch());
                    out.writeInt(r.endpoints().size());
                    for (MetadataRecord.BrokerEndpoint e : r.endpoints()) {
                        out.writeUTF(e.listener());
                        out.writeUTF(e.host());
                        out.writeInt(e.port());
                    }
                    writeNullable(out, r.rack());
                }
                case MetadataRecord.FenceBroker r -> {
                    header(out, FENCE_BROKER);
                    out.writeInt(r.brokerId());
                    out.writeLong(r.brokerEpoch());
                }
                case MetadataRecord.UnfenceBroker r -> {
                    header(out, UNFENCE_BROKER);
                    out.writeInt(r.brokerId());
                    out.writeLong(r.brokerEpoch());
                }
                case MetadataRecord.BrokerControlledShutdown r -> {
                    header(out, BROKER_CONTROLLED_SHUTDOWN);
                    out.writeInt(r.brokerId());
                    out.writeLong(r.brokerEpoch());
                }
                case MetadataRecord.PartitionChange r -> {
                    header(out, PARTITION_CHANGE);
                    writeUuid(out, r.topicId());
                    out.writeInt(r.partition());
                    out.writeInt(r.expectedPartitionEpoch());
                    out.writeInt(r.leader());
                    out.writeInt(r.leaderEpoch());
                    writeInts(out, r.isr());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** @throws IOException when the bytes are not a record this version knows */
    public static MetadataRecord deserialize(DataInputStream in) throws IOException {
        byte type = in.readByte();
        byte version = in.readByte();
        if (type == PARTITION && version == PARTITION_WITH_EPOCH) {
            return new MetadataRecord.Partition(readUuid(in), in.readInt(), readInts(in), readInts(in), in.readInt(),
                    in.readInt(), in.readInt());
        }
        if (version != VERSION) {
            throw new IOException("unknown version " + version + " of metadata record type " + type);
        }
        return switch (type) {
            case BROKER -> new MetadataRecord.BrokerRegistration(in.readInt(), in.readUTF(), in.readInt(),
                    readNullable(in));
            case TOPIC -> new MetadataRecord.Topic(in.readUTF(), readUuid(in));
            case PARTITION -> new MetadataRecord.Partition(readUuid(in), in.readInt(), readInts(in), readInts(in),
                    in.readInt(), in.readInt());
            case REMOVE_TOPIC -> new MetadataRecord.RemoveTopic(readUuid(in));
            case CONFIG -> new MetadataRecord.Config(ConfigResource.Type.values()[in.readByte()], in.readUTF(),
                    in.readUTF(), readNullable(in));
            case PRODUCER_IDS -> new MetadataRecord.ProducerIds(in.readLong());
            case SCRAM_CREDENTIAL -> new MetadataRecord.UserScramCredential(in.readUTF(), in.readByte(),
                    readBytes(in), readBytes(in), readBytes(in), in.readInt());
            case ACL -> new MetadataRecord.AccessControlEntry(readUuid(in), in.readByte(), in.readUTF(),
                    in.readByte(), in.readUTF(), in.readUTF(), in.readByte(), in.readByte());
            case REMOVE_ACL -> new MetadataRecord.RemoveAccessControlEntry(readUuid(in));
            case REMOVE_SCRAM_CREDENTIAL -> new MetadataRecord.RemoveUserScramCredential(in.readUTF(), in.readByte());
            case REGISTER_BROKER -> new MetadataRecord.RegisterBroker(in.readInt(), readUuid(in), in.readLong(),
                    readEndpoints(in), readNullable(in));
            case FENCE_BROKER -> new MetadataRecord.FenceBroker(in.readInt(), in.readLong());
            case UNFENCE_BROKER -> new MetadataRecord.UnfenceBroker(in.readInt(), in.readLong());
            case BROKER_CONTROLLED_SHUTDOWN -> new MetadataRecord.BrokerControlledShutdown(in.readInt(), in.readLong());
            case PARTITION_CHANGE -> new MetadataRecord.PartitionChange(readUuid(in), in.readInt(), in.readInt(),
                    in.readInt(), in.readInt(), readInts(in));
            default -> throw new IOException("unknown metadata record type " + type);
        };
    }

    private static void header(DataOutputStream out, byte type) throws IOException {
        out.writeByte(type);
        out.writeByte(VERSION);
    }

    private static void writeUuid(DataOutputStream out, UUID id) throws IOException {
        out.writeLong(id.getMostSignificantBits());
        out.writeLong(id.getLeastSignificantBits());
    }

    private static UUID readUuid(DataInputStream in) throws IOException {
        return new UUID(in.readLong(), in.readLong());
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

    private static void writeBytes(DataOutputStream out, byte[] value) throws IOException {
        out.writeShort(value.length);
        out.write(value);
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        byte[] value = new byte[in.readUnsignedShort()];
        in.readFully(value);
        return value;
    }

    private static void writeInts(DataOutputStream out, List<Integer> values) throws IOException {
        out.writeInt(values.size());
        for (int v : values) {
            out.writeInt(v);
        }
    }

    private static List<Integer> readInts(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > 100_000) {
            throw new IOException("invalid list length " + n);
        }
        List<Integer> values = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            values.add(in.readInt());
        }
        return values;
    }

    private static List<MetadataRecord.BrokerEndpoint> readEndpoints(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 1 || n > 1_000) {
            throw new IOException("invalid endpoint count " + n);
        }
        List<MetadataRecord.BrokerEndpoint> endpoints = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            endpoints.add(new MetadataRecord.BrokerEndpoint(in.readUTF(), in.readUTF(), in.readInt()));
        }
        return endpoints;
    }
}
