package io.samsa.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.requests.CreatePartitionsResponse;
import org.apache.kafka.common.requests.CreateTopicsResponse;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One request may not create unbounded metadata, a large change never holds back unrelated requests, and a broker
 * near its open-file limit refuses new partitions with a clear error instead of failing half-way. Kafka 4.1.1 answers
 * the same oversized requests with the same errors and messages (checked against a real Kafka 4.1.1).
 */
class LargeMetadataChangeIT {

    @TempDir
    Path tmp;

    @Test
    void oversizedChangesAreRefusedWholeWithKafkasErrorsBeforeAnythingIsCreated() throws Exception {
        try (BrokerFixture samsa = BrokerFixture.start(); RawClient raw = new RawClient(samsa.bootstrap())) {
            samsa.createTopic("keep", 1, Map.of());
            assertThat(create(raw, false, Map.of("huge", 200_000)))
                    .containsExactly("huge POLICY_VIOLATION Excessively large number of partitions per request.");
            assertThat(create(raw, false, Map.of("half-a", 6_000, "half-b", 6_000))).containsExactlyInAnyOrder(
                    "half-a POLICY_VIOLATION Excessively large number of partitions per request.",
                    "half-b POLICY_VIOLATION Excessively large number of partitions per request.");
            // 10,000 partitions and a topic record: one record too many for one change.
            assertThat(create(raw, true, Map.of("records", 10_000)))
                    .containsExactly("records POLICY_VIOLATION Unable to perform excessively large batch operation.");
            CreatePartitionsRequestData grow = new CreatePartitionsRequestData().setTimeoutMs(30_000);
            grow.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName("keep").setCount(200_000)
                    .setAssignments(null));
            CreatePartitionsResponseData.CreatePartitionsTopicResult grown = ((CreatePartitionsResponse) raw.call(
                    ApiKeys.CREATE_PARTITIONS, (short) 3, grow)).data().results().get(0);
            assertThat(Errors.forCode(grown.errorCode())).isEqualTo(Errors.POLICY_VIOLATION);
            assertThat(grown.errorMessage()).isEqualTo("Unable to perform excessively large batch operation.");

            MetadataResponseData metadata = metadata(raw, "keep", "huge", "half-a", "records");
            assertThat(metadata.topics().find("keep").partitions()).hasSize(1);
            for (String absent : List.of("huge", "half-a", "records")) {
                assertThat(Errors.forCode(metadata.topics().find(absent).errorCode()))
                        .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
            }
        }
    }

    @Test
    void largeCreationsNeverHoldBackUnrelatedRequests() throws Exception {
        try (BrokerFixture samsa = BrokerFixture.start()) {
            samsa.createTopic("keep", 1, Map.of());
            // More creations than the fixture's 4 request threads, each some seconds of directories to create.
            List<RawClient> creators = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                RawClient creator = new RawClient(samsa.bootstrap());
                creator.setTimeout(120_000);
                creators.add(creator);
                CreateTopicsRequestData request = new CreateTopicsRequestData().setTimeoutMs(60_000);
                request.topics().add(new CreateTopicsRequestData.CreatableTopic().setName("wide-" + i)
                        .setNumPartitions(600).setReplicationFactor((short) 1));
                creator.send(ApiKeys.CREATE_TOPICS, (short) 7, request);
            }
            try (RawClient other = new RawClient(samsa.bootstrap())) {
                other.call(ApiKeys.API_VERSIONS, (short) 3, new ApiVersionsRequestData().setClientSoftwareName("t")
                        .setClientSoftwareVersion("1"));
                assertThat(metadata(other, "keep").topics().find("keep").partitions()).hasSize(1);
                ProduceRequestData produce = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(10_000);
                ProduceRequestData.TopicProduceData data = new ProduceRequestData.TopicProduceData().setName("keep");
                data.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(
                        MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("v".getBytes()))));
                produce.topicData().add(data);
                ProduceResponseData produced = ((ProduceResponse) other.call(ApiKeys.PRODUCE, (short) 9, produce))
                        .data();
                assertThat(produced.responses().iterator().next().partitionResponses().get(0).errorCode())
                        .isEqualTo(Errors.NONE.code());
            }
            // Answered while not one of the creations was: nothing waited for them.
            for (RawClient creator : creators) {
                assertThat(creator.available()).as("a creation already answered").isZero();
            }
            for (int i = 0; i < creators.size(); i++) {
                CreateTopicsResponse response = (CreateTopicsResponse) creators.get(i).receive(ApiKeys.CREATE_TOPICS,
                        (short) 7, 1);
                assertThat(Errors.forCode(response.data().topics().find("wide-" + i).errorCode()))
                        .isEqualTo(Errors.NONE);
                creators.get(i).close();
            }
            try (RawClient check = new RawClient(samsa.bootstrap())) {
                await().atMost(Duration.ofMinutes(2)).untilAsserted(() ->
                        assertThat(metadata(check, "wide-4").topics().find("wide-4").partitions()).hasSize(600));
            }
        }
    }

    @Test
    void nearItsOpenFileLimitTheBrokerRefusesPartitionsClearlyAndStartsAgain() throws Exception {
        Path data = tmp.resolve("data");
        BrokerJvm broker = BrokerJvm.start(data, 1024);
        try (RawClient raw = new RawClient("127.0.0.1:" + broker.port)) {
            assertThat(create(raw, false, Map.of("fits", 200))).singleElement().asString().startsWith("fits NONE");
            List<String> refused = create(raw, false, Map.of("too-many", 600));
            assertThat(refused).singleElement().asString().startsWith("too-many POLICY_VIOLATION Hosting 600 more"
                    + " partition(s) needs about 600 more open files").contains("of its limit of 1024 (ulimit -n)");
            assertThat(metadata(raw, "too-many").topics().find("too-many").errorCode())
                    .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        } finally {
            broker.stop();
        }
        BrokerJvm again = BrokerJvm.start(data, 1024);
        try (RawClient raw = new RawClient("127.0.0.1:" + again.port)) {
            assertThat(metadata(raw, "fits").topics().find("fits").partitions()).hasSize(200);
        } finally {
            again.stop();
        }
    }

    /** A broker JVM under {@code ulimit -n}, advertising an address it does not listen on. */
    private static final class BrokerJvm {
        private static final Pattern LINE = Pattern.compile(
                "Samsa is listening on 127\\.0\\.0\\.1:(\\d+) \\(advertised as localhost:5\\) with data in .*");
        final Process process;
        final int port;

        private BrokerJvm(Process process, int port) {
            this.process = process;
            this.port = port;
        }

        static BrokerJvm start(Path data, int openFiles) throws Exception {
            String java = System.getProperty("samsa.java");
            if (java == null || java.isBlank()) {
                java = ProcessHandle.current().info().command().orElseThrow();
            }
            String command = "ulimit -n " + openFiles + " && exec '" + java + "' -Xmx256m -XX:+UseSerialGC"
                    + " --enable-native-access=ALL-UNNAMED -cp '" + System.getProperty("java.class.path")
                    + "' io.samsa.server.Main start --port 0 --data-dir '" + data + "'"
                    + " --override advertised.listeners=PLAINTEXT://localhost:5";
            Process process = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8));
            CompletableFuture<Integer> port = CompletableFuture.supplyAsync(() -> {
                try {
                    StringBuilder seen = new StringBuilder();
                    String line;
                    while ((line = out.readLine()) != null) {
                        Matcher m = LINE.matcher(line);
                        if (m.matches()) {
                            Thread drain = new Thread(() -> out.lines().forEach(l -> { }), "broker-jvm-output");
                            drain.setDaemon(true);
                            drain.start();
                            return Integer.parseInt(m.group(1));
                        }
                        seen.append(line).append('\n');
                    }
                    throw new IllegalStateException("the broker printed no start-up line:\n" + seen);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            try {
                return new BrokerJvm(process, port.get(60, TimeUnit.SECONDS));
            } catch (Exception e) {
                process.destroyForcibly();
                throw e;
            }
        }

        void stop() throws InterruptedException {
            process.destroy(); // SIGTERM: a clean shutdown
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /** "name ERROR message" per topic. */
    private static List<String> create(RawClient raw, boolean validateOnly, Map<String, Integer> topics)
            throws Exception {
        CreateTopicsRequestData request = new CreateTopicsRequestData().setTimeoutMs(30_000)
                .setValidateOnly(validateOnly);
        topics.forEach((name, count) -> request.topics().add(new CreateTopicsRequestData.CreatableTopic()
                .setName(name).setNumPartitions(count).setReplicationFactor((short) 1)));
        List<String> results = new ArrayList<>();
        for (CreateTopicsResponseData.CreatableTopicResult r : ((CreateTopicsResponse) raw.call(
                ApiKeys.CREATE_TOPICS, (short) 7, request)).data().topics()) {
            results.add(r.name() + " " + Errors.forCode(r.errorCode()) + " " + r.errorMessage());
        }
        return results;
    }

    private static MetadataResponseData metadata(RawClient raw, String... topics) throws Exception {
        MetadataRequestData request = new MetadataRequestData().setAllowAutoTopicCreation(false);
        for (String topic : topics) {
            request.topics().add(new MetadataRequestData.MetadataRequestTopic().setName(topic));
        }
        return ((MetadataResponse) raw.call(ApiKeys.METADATA, (short) 12, request)).data();
    }
}
