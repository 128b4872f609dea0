package io.samsa.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A non-Java client: kcat (librdkafka) lists metadata, produces plain and compressed batches, and consumes records
 * written by the Java producer, all against an in-process broker.
 */
class KcatIT {

    private static Path kcat;
    private static BrokerFixture samsa;
    private static Admin admin;

    @BeforeAll
    static void start() {
        kcat = findOnPath("kcat");
        Assumptions.assumeTrue(kcat != null, "kcat is not installed (on CI, .ci/run installs it)");
        samsa = BrokerFixture.start();
        admin = samsa.admin();
    }

    @AfterAll
    static void stop() {
        if (samsa != null) {
            samsa.close();
        }
    }

    @Test
    void metadataListsTheBrokerAndEveryPartitionOfATopic() throws Exception {
        samsa.createTopic("kcat-meta", 3, Map.of());
        String json = kcat(null, "-L", "-J").stdout().strip();

        assertThat(json).startsWith("{").endsWith("}");
        assertThat(json).contains("\"brokers\":[{\"id\":1,\"name\":\"" + samsa.bootstrap() + "\"}]");
        assertThat(json).contains("\"controllerid\":1");
        int start = json.indexOf("{\"topic\":\"kcat-meta\"");
        assertThat(start).as("kcat-meta in %s", json).isNotNegative();
        int end = json.indexOf("{\"topic\":", start + 1);
        String topic = json.substring(start, end < 0 ? json.length() : end);
        assertThat(topic).doesNotContain("\"error\"");
        Matcher partition = Pattern.compile(
                "\\{\"partition\":(\\d+),\"leader\":(\\d+),\"replicas\":\\[\\{\"id\":(\\d+)}],\"isrs\":\\[\\{\"id\":(\\d+)}]}")
                .matcher(topic);
        List<String> partitions = new ArrayList<>();
        while (partition.find()) {
            partitions.add(partition.group(1) + " leader " + partition.group(2) + " replica " + partition.group(3)
                    + " isr " + partition.group(4));
        }
        assertThat(partitions).as("partitions in %s", topic).containsExactly(
                "0 leader 1 replica 1 isr 1", "1 leader 1 replica 1 isr 1", "2 leader 1 replica 1 isr 1");
    }

    @Test
    void linesProducedByKcatAreReadBackByJava() throws Exception {
        String topic = "kcat-topic";
        samsa.createTopic(topic, 1, Map.of());
        String lines = IntStream.range(0, 100).mapToObj(i -> "line-" + i + "\n").collect(Collectors.joining());
        kcat(lines, "-P", "-t", topic, "-p", "0", "-X", "acks=all");

        List<ConsumerRecord<String, String>> records = readExactly(topic, 100);
        for (int i = 0; i < 100; i++) {
            assertThat(records.get(i).offset()).isEqualTo(i);
            assertThat(records.get(i).key()).isNull();
            assertThat(records.get(i).value()).isEqualTo("line-" + i);
        }
    }

    @Test
    void recordsProducedByJavaAreConsumedByKcatWithKeysAndHeaders() throws Exception {
        String topic = "kcat-keyed";
        samsa.createTopic(topic, 1, Map.of());
        KafkaProducer<String, String> producer = samsa.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"));
        for (int i = 0; i < 50; i++) {
            ProducerRecord<String, String> record = new ProducerRecord<>(topic, 0, "k" + i, "v" + i);
            record.headers().add(new RecordHeader("h", ("x" + i).getBytes(StandardCharsets.UTF_8)));
            producer.send(record);
        }
        producer.flush();

        String out = kcat(null, "-C", "-t", topic, "-p", "0", "-o", "beginning", "-e", "-q",
                "-f", "%o|%k|%s|%h\\n").stdout();
        String expected = IntStream.range(0, 50).mapToObj(i -> i + "|k" + i + "|v" + i + "|h=x" + i + "\n")
                .collect(Collectors.joining());
        assertThat(out).isEqualTo(expected);
    }

    @Test
    void everyCompressionCodecOfKcatIsStoredAndServed() throws Exception {
        String topic = "kcat-codecs";
        samsa.createTopic(topic, 1, Map.of());
        List<String> codecs = List.of("snappy", "lz4", "zstd", "gzip");
        for (String codec : codecs) {
            String lines = IntStream.range(0, 20).mapToObj(i -> codec + "-" + i + "\n").collect(Collectors.joining());
            kcat(lines, "-P", "-t", topic, "-p", "0", "-z", codec, "-X", "acks=all");
        }
        List<String> expected = codecs.stream()
                .flatMap(codec -> IntStream.range(0, 20).mapToObj(i -> codec + "-" + i))
                .toList();

        List<ConsumerRecord<String, String>> records = readExactly(topic, 80);
        for (int i = 0; i < 80; i++) {
            assertThat(records.get(i).offset()).isEqualTo(i);
            assertThat(records.get(i).value()).isEqualTo(expected.get(i));
        }
        // librdkafka decompresses the batches the broker serves back as well.
        String out = kcat(null, "-C", "-t", topic, "-p", "0", "-o", "beginning", "-e", "-q", "-f", "%o|%s\\n")
                .stdout();
        assertThat(out).isEqualTo(IntStream.range(0, 80).mapToObj(i -> i + "|" + expected.get(i) + "\n")
                .collect(Collectors.joining()));
    }

    @Test
    void kcatConsumesAsAGroupMemberAndCommitsItsOffsets() throws Exception {
        String topic = "kcat-group";
        samsa.createTopic(topic, 2, Map.of());
        KafkaProducer<String, String> producer = samsa.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"));
        for (int i = 0; i < 40; i++) {
            producer.send(new ProducerRecord<>(topic, i % 2, null, "g" + i));
        }
        producer.flush();
        // -G: a balanced consumer of the classic group protocol; -e exits at the end of both partitions.
        String out = kcat(null, "-G", "kcat-readers", "-o", "beginning", "-e", "-q", "-f", "%p|%o|%s\n",
                "-X", "auto.commit.interval.ms=100", topic).stdout();
        List<String> lines = out.lines().sorted().toList();
        List<String> expected = IntStream.range(0, 40).mapToObj(i -> (i % 2) + "|" + (i / 2) + "|g" + i).sorted()
                .toList();
        assertThat(lines).isEqualTo(expected);
        // On exit kcat commits what it consumed: 20 records of each partition.
        Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> committed = admin
                .listConsumerGroupOffsets("kcat-readers").partitionsToOffsetAndMetadata().get();
        assertThat(committed).hasSize(2);
        assertThat(committed.get(new TopicPartition(topic, 0)).offset()).isEqualTo(20);
        assertThat(committed.get(new TopicPartition(topic, 1)).offset()).isEqualTo(20);
    }

    // ---- helpers ----

    /** The end offset of partition 0 is exactly {@code count}, and these are its records from the start. */
    private static List<ConsumerRecord<String, String>> readExactly(String topic, int count) throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        long end = admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get().get(tp).offset();
        assertThat(end).as("end offset of %s", tp).isEqualTo(count);
        List<ConsumerRecord<String, String>> records = samsa.readAll(topic, 0, count);
        assertThat(records).hasSize(count);
        return records;
    }

    private record Result(String stdout, String stderr) {}

    /** Runs kcat against the broker, feeding it {@code stdin}; fails unless it exits 0 within 30 s. */
    private static Result kcat(String stdin, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(kcat.toString(), "-b", samsa.bootstrap()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("kcat-out-", ".txt");
        Path err = Files.createTempFile("kcat-err-", ".txt");
        try {
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            if (stdin == null) {
                builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            }
            Process process = builder.start();
            try {
                if (stdin != null) {
                    try (OutputStream in = process.getOutputStream()) {
                        in.write(stdin.getBytes(StandardCharsets.UTF_8));
                    }
                }
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    fail("%s did not finish in 30 s; stderr:%n%s", command, Files.readString(err));
                }
            } finally {
                if (process.isAlive()) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            }
            Result result = new Result(Files.readString(out), Files.readString(err));
            assertThat(process.exitValue()).as("exit code of %s; stderr:%n%s", command, result.stderr()).isZero();
            return result;
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static Path findOnPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
