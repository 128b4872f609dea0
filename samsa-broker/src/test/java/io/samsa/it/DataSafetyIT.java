package io.samsa.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreateTopicsResponse;
import org.apache.kafka.common.requests.DeleteTopicsResponse;
import org.apache.kafka.common.requests.MetadataResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Requests any client can send must never destroy data or keep the broker from starting again: names that collide
 * with what the broker keeps in its data directory are refused with Kafka's errors, deletion works for every legal
 * name, and a restart on the same data directory keeps every topic and its records whatever the directory holds.
 */
class DataSafetyIT {

    private static final int RECORDS = 20;

    private BrokerFixture samsa;

    @BeforeEach
    void start() {
        samsa = BrokerFixture.start();
        samsa.createTopic("keep", 2, Map.of());
        produce("keep", 2);
    }

    @AfterEach
    void stop() {
        samsa.close();
    }

    @Test
    void theMetadataTopicCanBeNeitherCreatedNorDeletedAndARestartKeepsEverything() throws Exception {
        try (RawClient raw = new RawClient(samsa.bootstrap())) {
            CreateTopicsResponseData.CreatableTopicResult created = create(raw, "__cluster_metadata", 1, false);
            assertThat(Errors.forCode(created.errorCode())).isEqualTo(Errors.INVALID_REQUEST);
            assertThat(created.errorMessage()).isEqualTo("Creation of internal topic __cluster_metadata is prohibited.");
            assertThat(Errors.forCode(create(raw, "__cluster_metadata", 1, true).errorCode()))
                    .isEqualTo(Errors.INVALID_REQUEST);

            MetadataRequestData autoCreate = new MetadataRequestData().setAllowAutoTopicCreation(true);
            autoCreate.topics().add(new MetadataRequestData.MetadataRequestTopic().setName("__cluster_metadata"));
            MetadataResponseData metadata = ((MetadataResponse) raw.call(ApiKeys.METADATA, (short) 12, autoCreate))
                    .data();
            assertThat(Errors.forCode(metadata.topics().find("__cluster_metadata").errorCode()))
                    .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);

            assertThat(delete(raw, "__cluster_metadata")).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
            // The broker's internal topics are its own: created on first use, never by or for a client.
            assertThat(Errors.forCode(create(raw, "__consumer_offsets", 3, false).errorCode()))
                    .isEqualTo(Errors.INVALID_REQUEST);
        }
        try (RawClient raw = new RawClient(samsa.bootstrap())) {
            MetadataRequestData offsets = new MetadataRequestData().setAllowAutoTopicCreation(true);
            offsets.topics().add(new MetadataRequestData.MetadataRequestTopic().setName("__consumer_offsets"));
            MetadataResponseData.MetadataResponseTopic internal = ((MetadataResponse) raw.call(ApiKeys.METADATA,
                    (short) 12, offsets)).data().topics().find("__consumer_offsets");
            assertThat(Errors.forCode(internal.errorCode())).isEqualTo(Errors.NONE);
            assertThat(internal.isInternal()).isTrue();
            assertThat(internal.partitions()).hasSize(50); // offsets.topic.num.partitions, as Kafka auto-creates it
            assertThat(delete(raw, "__consumer_offsets")).isEqualTo(Errors.TOPIC_DELETION_DISABLED);
        }

        samsa.restart();

        assertKept();
        // The metadata lives in the Raft log of the metadata quorum, in __cluster_metadata-0.
        try (java.util.stream.Stream<Path> files = Files.walk(samsa.dataDir().resolve("__cluster_metadata-0"))) {
            assertThat(files.filter(f -> f.getFileName().toString().startsWith("log_")).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).sum()).isPositive();
        }
        try (Admin admin = samsa.admin()) {
            assertThat(admin.listTopics().names().get()).contains("keep").doesNotContain("__cluster_metadata");
        }
    }

    @Test
    void aTopicWithTheLongestLegalNameIsDeletedAndTheBrokerStartsAgain() throws Exception {
        String longest = "l".repeat(249);
        samsa.createTopic(longest, 3, Map.of());
        produce(longest, 3);
        try (RawClient raw = new RawClient(samsa.bootstrap())) {
            assertThat(delete(raw, longest)).isEqualTo(Errors.NONE);
        }
        // The next, unrelated metadata change is not disturbed by it.
        samsa.createTopic("after", 1, Map.of());
        await().atMost(Duration.ofSeconds(30)).until(() -> dirsStartingWith("lll").isEmpty());

        samsa.restart();

        assertKept();
        try (Admin admin = samsa.admin()) {
            assertThat(admin.listTopics().names().get()).contains("keep", "after").doesNotContain(longest);
        }
    }

    @Test
    void startsWhateverTheDataDirectoryHoldsAndSetsStrayLogsAside() throws Exception {
        samsa.createTopic("s".repeat(249), 1, Map.of());
        produce("s".repeat(249), 1);
        samsa.broker().close();
        Path data = samsa.dataDir();
        // A partition log the metadata does not know (a crash during a deletion, or metadata lost): set aside.
        copyDir(data.resolve("keep-0"), data.resolve("ghost-0"));
        Files.move(data.resolve("s".repeat(249) + "-0"), data.resolve("t".repeat(249) + "-0"));
        // Leftovers and directories that are not Samsa's: logged and left alone.
        Files.createDirectories(data.resolve("lost+found"));
        Files.createDirectories(data.resolve("keep-0.not-a-uuid-delete"));
        Files.createDirectories(data.resolve("keep-007"));
        Files.createDirectories(data.resolve("x".repeat(200) + "-0." + "b".repeat(32) + "-delete"));

        samsa.restart();

        assertKept();
        assertThat(dirsStartingWith("ghost-0.")).singleElement().asString().endsWith("-stray");
        assertThat(dirsStartingWith("tttt")).singleElement().asString().endsWith("-stray");
        assertThat(dirsStartingWith("lost+found")).hasSize(1);
        assertThat(dirsStartingWith("keep-0.not-a-uuid-delete")).hasSize(1);
        assertThat(dirsStartingWith("keep-007")).hasSize(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> dirsStartingWith("xxx").isEmpty());
        // The topic whose directory went missing is still in the metadata: it is hosted again, empty.
        try (Admin admin = samsa.admin()) {
            assertThat(admin.listTopics().names().get()).contains("keep", "s".repeat(249));
        }
    }

    private void assertKept() {
        for (int p = 0; p < 2; p++) {
            List<ConsumerRecord<String, String>> records = samsa.readAll("keep", p, RECORDS);
            assertThat(records).extracting(ConsumerRecord::value)
                    .containsExactlyElementsOf(expectedValues(p));
            assertThat(records).extracting(ConsumerRecord::offset).startsWith(0L).endsWith((long) RECORDS - 1);
        }
    }

    private void produce(String topic, int partitions) {
        try (KafkaProducer<String, String> producer = samsa.producer(Map.of())) {
            for (int p = 0; p < partitions; p++) {
                for (String value : expectedValues(p)) {
                    producer.send(new ProducerRecord<>(topic, p, null, value));
                }
            }
            producer.flush();
        }
    }

    private static List<String> expectedValues(int partition) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            values.add("p" + partition + "-" + i);
        }
        return values;
    }

    private static CreateTopicsResponseData.CreatableTopicResult create(RawClient raw, String name, int partitions,
            boolean validateOnly) throws Exception {
        CreateTopicsRequestData request = new CreateTopicsRequestData().setTimeoutMs(30_000)
                .setValidateOnly(validateOnly);
        request.topics().add(new CreateTopicsRequestData.CreatableTopic().setName(name).setNumPartitions(partitions)
                .setReplicationFactor((short) 1));
        return ((CreateTopicsResponse) raw.call(ApiKeys.CREATE_TOPICS, (short) 7, request)).data().topics()
                .find(name);
    }

    private static Errors delete(RawClient raw, String name) throws Exception {
        DeleteTopicsRequestData request = new DeleteTopicsRequestData().setTimeoutMs(30_000);
        request.topics().add(new DeleteTopicsRequestData.DeleteTopicState().setName(name));
        DeleteTopicsResponseData response = ((DeleteTopicsResponse) raw.call(ApiKeys.DELETE_TOPICS, (short) 6,
                request)).data();
        return Errors.forCode(response.responses().iterator().next().errorCode());
    }

    private List<String> dirsStartingWith(String prefix) throws Exception {
        try (Stream<Path> dirs = Files.list(samsa.dataDir())) {
            return dirs.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)).toList();
        }
    }

    private static void copyDir(Path from, Path to) throws Exception {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }
}
