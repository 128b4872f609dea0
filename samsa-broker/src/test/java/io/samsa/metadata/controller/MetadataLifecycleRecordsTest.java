package io.samsa.metadata.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.samsa.metadata.MetadataImage;
import io.samsa.metadata.MetadataRecord;
import io.samsa.metadata.MetadataRecordSerde;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The lifecycle records: their binary form, and how the image applies them (stale epochs change nothing). */
class MetadataLifecycleRecordsTest {

    private static final UUID TOPIC = new UUID(1, 2);
    private static final UUID INCARNATION = new UUID(3, 4);
    private static final List<MetadataRecord.BrokerEndpoint> ENDPOINTS = List.of(
            new MetadataRecord.BrokerEndpoint("PLAINTEXT", "10.0.0.1", 9092),
            new MetadataRecord.BrokerEndpoint("SSL", "b1.example.com", 9093));

    @Test
    void everyLifecycleRecordSurvivesItsBinaryForm() throws IOException {
        for (MetadataRecord record : List.of(
                new MetadataRecord.RegisterBroker(1, INCARNATION, 42, ENDPOINTS, "rack-a"),
                new MetadataRecord.RegisterBroker(2, INCARNATION, 0, ENDPOINTS.subList(0, 1), null),
                new MetadataRecord.FenceBroker(1, 42), new MetadataRecord.UnfenceBroker(1, 42),
                new MetadataRecord.BrokerControlledShutdown(1, 42),
                new MetadataRecord.PartitionChange(TOPIC, 3, 7, -1, 9, List.of(1, 2)))) {
            byte[] bytes = MetadataRecordSerde.serialize(record);
            assertThat(MetadataRecordSerde.deserialize(new DataInputStream(new ByteArrayInputStream(bytes))))
                    .isEqualTo(record);
        }
    }

    @Test
    void aRegistrationStartsFencedAndOnlyRecordsOfItsEpochChangeIt() {
        MetadataImage image = MetadataImage.EMPTY.apply(List.of(
                new MetadataRecord.RegisterBroker(1, INCARNATION, 5, ENDPOINTS, "rack-a")));
        MetadataImage.BrokerImage broker = image.brokers().get(1);
        assertThat(broker.fenced()).isTrue();
        assertThat(broker.host()).isEqualTo("10.0.0.1");
        assertThat(broker.endpoint("SSL").host()).isEqualTo("b1.example.com");
        assertThat(image.nextBrokerEpoch()).isEqualTo(6);

        image = image.apply(List.of(new MetadataRecord.UnfenceBroker(1, 4)));
        assertThat(image.brokers().get(1).fenced()).isTrue();
        image = image.apply(List.of(new MetadataRecord.UnfenceBroker(1, 5)));
        assertThat(image.brokers().get(1).fenced()).isFalse();
        image = image.apply(List.of(new MetadataRecord.BrokerControlledShutdown(1, 5)));
        assertThat(image.brokers().get(1).active()).isFalse();
        assertThat(image.brokers().get(1).fenced()).isFalse();
        image = image.apply(List.of(new MetadataRecord.FenceBroker(1, 5)));
        assertThat(image.brokers().get(1).fenced()).isTrue();
        assertThat(image.brokers().get(1).inControlledShutdown()).isFalse();

        MetadataImage older = image.apply(List.of(new MetadataRecord.RegisterBroker(1, UUID.randomUUID(), 3,
                ENDPOINTS, null)));
        assertThat(older.brokers().get(1)).as("a late registration with a lower epoch").isEqualTo(
                image.brokers().get(1));
    }

    @Test
    void theSameRegistrationAgainKeepsTheBrokersState() {
        MetadataImage image = MetadataImage.EMPTY.apply(List.of(
                new MetadataRecord.RegisterBroker(1, INCARNATION, 5, ENDPOINTS, null),
                new MetadataRecord.UnfenceBroker(1, 5),
                new MetadataRecord.RegisterBroker(1, INCARNATION, 5, ENDPOINTS.subList(1, 2), null)));
        assertThat(image.brokers().get(1).fenced()).isFalse();
        assertThat(image.brokers().get(1).host()).isEqualTo("b1.example.com");
    }

    @Test
    void aLegacyRegistrationIsAnUnfencedBrokerWithoutEpochThatANewRegistrationReplaces() {
        MetadataImage image = MetadataImage.EMPTY.apply(List.of(
                new MetadataRecord.BrokerRegistration(1, "127.0.0.1", 9092, null)));
        assertThat(image.brokers().get(1).active()).isTrue();
        assertThat(image.brokers().get(1).brokerEpoch()).isEqualTo(-1);
        assertThat(image.nextBrokerEpoch()).isZero();
        image = image.apply(List.of(new MetadataRecord.RegisterBroker(1, INCARNATION, 0, ENDPOINTS, null)));
        assertThat(image.brokers().get(1).incarnationId()).isEqualTo(INCARNATION);
        MetadataImage late = image.apply(List.of(new MetadataRecord.BrokerRegistration(1, "elsewhere", 1, null)));
        assertThat(late.brokers().get(1)).as("a legacy record is stale next to an epoch")
                .isEqualTo(image.brokers().get(1));
    }

    @Test
    void aPartitionChangeAppliesOnlyAtTheEpochItExpectsAndCountsIt() {
        MetadataImage image = MetadataImage.EMPTY.apply(List.of(new MetadataRecord.Topic("t", TOPIC),
                new MetadataRecord.Partition(TOPIC, 0, List.of(1, 2), List.of(1, 2), 1, 0)));
        assertThat(image.topic(TOPIC).partitions().get(0).partitionEpoch()).isZero();
        image = image.apply(List.of(new MetadataRecord.PartitionChange(TOPIC, 0, 0, 2, 1, List.of(2))));
        assertThat(image.topic(TOPIC).partitions().get(0))
                .isEqualTo(new MetadataImage.PartitionImage(0, List.of(1, 2), List.of(2), 2, 1, 1));
        MetadataImage stale = image.apply(List.of(new MetadataRecord.PartitionChange(TOPIC, 0, 0, 1, 1,
                List.of(1, 2))));
        assertThat(stale.topic(TOPIC)).isEqualTo(image.topic(TOPIC));
        MetadataImage deleted = image.apply(List.of(new MetadataRecord.RemoveTopic(TOPIC),
                new MetadataRecord.PartitionChange(TOPIC, 0, 1, 1, 2, List.of(1))));
        assertThat(deleted.topics()).isEmpty();
    }

    @Test
    void aPartitionRecordCarriesItsEpochOnlyWhenThereIsOne() throws IOException {
        MetadataRecord.Partition created = new MetadataRecord.Partition(TOPIC, 0, List.of(1), List.of(1), 1, 0);
        assertThat(MetadataRecordSerde.serialize(created)[1]).as("version 0, as before partition epochs").isZero();
        MetadataRecord.Partition snapshot = new MetadataRecord.Partition(TOPIC, 0, List.of(1, 2), List.of(2), 2, 4,
                9);
        byte[] bytes = MetadataRecordSerde.serialize(snapshot);
        assertThat(bytes[1]).isEqualTo((byte) 1);
        assertThat(MetadataRecordSerde.deserialize(new DataInputStream(new ByteArrayInputStream(bytes))))
                .isEqualTo(snapshot);
    }

    @Test
    void theSnapshotRecordsOfBrokersAndPartitionsRebuildThemExactly() {
        MetadataImage image = MetadataImage.EMPTY.apply(List.of(
                new MetadataRecord.BrokerRegistration(9, "old", 9092, null),
                new MetadataRecord.RegisterBroker(1, INCARNATION, 5, ENDPOINTS, "rack-a"),
                new MetadataRecord.RegisterBroker(2, UUID.randomUUID(), 6, ENDPOINTS, null),
                new MetadataRecord.UnfenceBroker(2, 6),
                new MetadataRecord.RegisterBroker(3, UUID.randomUUID(), 7, ENDPOINTS, null),
                new MetadataRecord.UnfenceBroker(3, 7), new MetadataRecord.BrokerControlledShutdown(3, 7),
                new MetadataRecord.Topic("t", TOPIC),
                new MetadataRecord.Partition(TOPIC, 0, List.of(1, 2), List.of(1, 2), 1, 0),
                new MetadataRecord.PartitionChange(TOPIC, 0, 0, 2, 1, List.of(2)),
                new MetadataRecord.PartitionChange(TOPIC, 0, 1, 2, 1, List.of(2, 1))));
        List<MetadataRecord> snapshot = new java.util.ArrayList<>();
        image.brokers().values().forEach(b -> snapshot.addAll(MetadataImage.records(b)));
        snapshot.add(new MetadataRecord.Topic("t", TOPIC));
        image.topic(TOPIC).partitions().values().forEach(p -> snapshot.add(MetadataImage.record(TOPIC, p)));
        MetadataImage rebuilt = MetadataImage.EMPTY.apply(snapshot);
        assertThat(rebuilt.brokers()).isEqualTo(image.brokers());
        assertThat(rebuilt.topic(TOPIC)).isEqualTo(image.topic(TOPIC));
        assertThat(rebuilt.topic(TOPIC).partitions().get(0).partitionEpoch()).isEqualTo(2);
        assertThat(rebuilt.nextBrokerEpoch()).isEqualTo(8);
    }
}
