package io.samsa.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Exactly once across a crash: a consume–transform–produce loop ({@link TransformerMain}, its own JVM) is killed with
 * SIGKILL midway, inside a transaction whose records are written but not committed, and started again. That
 * transaction is aborted when the new instance initializes, the group's committed offsets are those of the last
 * committed transaction, so every input record appears in the output exactly once for read_committed readers, in
 * input order per partition, while read_uncommitted readers also see the aborted records.
 */
@Timeout(240)
class ExactlyOnceCrashIT {

    private static final int PARTITIONS = 3;
    private static final int RECORDS = 3000;

    @Test
    void aKilledTransformerRestartedProducesEachOutputExactlyOnce() throws Exception {
        try (BrokerFixture samsa = BrokerFixture.start(Map.of("group.initial.rebalance.delay.ms", "0",
                "group.min.session.timeout.ms", "1000", "offsets.topic.num.partitions", "3",
                "transaction.state.log.num.partitions", "3"))) {
            samsa.createTopic("eos-in", PARTITIONS, Map.of());
            samsa.createTopic("eos-out", PARTITIONS, Map.of());
            KafkaProducer<String, String> input = samsa.producer(Map.of());
            for (int i = 0; i < RECORDS; i++) {
                input.send(new ProducerRecord<>("eos-in", i % PARTITIONS, "k" + i, "v" + i));
            }
            input.flush();

            Transformer first = Transformer.start(samsa.bootstrap(), RECORDS / 3);
            first.awaitHanging(Duration.ofSeconds(90));
            first.kill();
            long committedByFirst = first.committed();
            assertThat(committedByFirst).isGreaterThanOrEqualTo(RECORDS / 3).isLessThan(RECORDS);

            Transformer second = Transformer.start(samsa.bootstrap(), -1);
            try (Admin admin = samsa.admin()) {
                Map<TopicPartition, Long> inputEnds = new HashMap<>();
                for (int p = 0; p < PARTITIONS; p++) {
                    inputEnds.put(new TopicPartition("eos-in", p), (long) RECORDS / PARTITIONS);
                }
                long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                while (!committedOffsets(admin).equals(inputEnds)) {
                    assertThat(System.nanoTime()).as("the second transformer catches up in time").isLessThan(deadline);
                    Thread.sleep(200);
                }
            } finally {
                second.kill();
            }

            Map<Integer, List<String>> output = read(samsa, IsolationLevel.READ_COMMITTED);
            List<String> all = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                List<String> expected = new ArrayList<>();
                for (int i = p; i < RECORDS; i += PARTITIONS) {
                    expected.add("out-v" + i);
                }
                assertThat(output.get(p)).as("partition %d, in input order, each once", p)
                        .containsExactlyElementsOf(expected);
                all.addAll(output.get(p));
            }
            assertThat(all).hasSize(RECORDS).doesNotHaveDuplicates();
            // The records of the killed transaction are in the log, aborted.
            long uncommitted = read(samsa, IsolationLevel.READ_UNCOMMITTED).values().stream().mapToLong(List::size)
                    .sum();
            assertThat(uncommitted).isEqualTo(RECORDS + first.hanging());
            System.out.printf("first instance committed %d records, then was killed with %d uncommitted%n",
                    committedByFirst, first.hanging());
        }
    }

    private static Map<TopicPartition, Long> committedOffsets(Admin admin) throws Exception {
        Map<TopicPartition, Long> result = new HashMap<>();
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e : admin.listConsumerGroupOffsets("eos-group")
                .partitionsToOffsetAndMetadata().get().entrySet()) {
            result.put(e.getKey(), e.getValue().offset());
        }
        return result;
    }

    /** The output for readers of that isolation level, per partition, up to the end offset they see. */
    private static Map<Integer, List<String>> read(BrokerFixture samsa, IsolationLevel isolation) throws Exception {
        List<TopicPartition> partitions = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            partitions.add(new TopicPartition("eos-out", p));
        }
        Map<TopicPartition, Long> ends = new HashMap<>();
        try (Admin admin = samsa.admin()) {
            Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
            partitions.forEach(tp -> specs.put(tp, OffsetSpec.latest()));
            admin.listOffsets(specs, new ListOffsetsOptions(isolation)).all().get()
                    .forEach((tp, info) -> ends.put(tp, info.offset()));
        }
        Map<Integer, List<String>> result = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = samsa.consumer(Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                isolation.toString()))) {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            partitions.forEach(tp -> result.put(tp.partition(), new ArrayList<>()));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                assertThat(System.nanoTime()).as("read the output in time").isLessThan(deadline);
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                    result.get(r.partition()).add(r.value());
                }
            }
        }
        return result;
    }

    /** A {@link TransformerMain} JVM and the progress it reports. */
    private static final class Transformer {

        private final Process process;
        private final AtomicLong committed = new AtomicLong();
        private final AtomicLong hanging = new AtomicLong(-1);

        private Transformer(Process process) {
            this.process = process;
        }

        static Transformer start(String bootstrap, long hangAfter) throws IOException {
            String java = System.getProperty("samsa.java", ProcessHandle.current().info().command().orElse("java"));
            Process process = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                    TransformerMain.class.getName(), bootstrap, "eos-in", "eos-out", "eos-group", "eos-tx",
                    String.valueOf(hangAfter))
                    .redirectErrorStream(true).start();
            Transformer transformer = new Transformer(process);
            Thread reader = new Thread(transformer::readOutput, "transformer-output-" + process.pid());
            reader.setDaemon(true);
            reader.start();
            return transformer;
        }

        private void readOutput() {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("committed ")) {
                        committed.set(Long.parseLong(line.substring("committed ".length())));
                    } else if (line.startsWith("hanging ")) {
                        hanging.set(Long.parseLong(line.substring("hanging ".length())));
                    }
                }
            } catch (IOException e) {
                // the process was killed
            }
        }

        long committed() {
            return committed.get();
        }

        /** Records written in the transaction it hangs in, or -1 while it has not said so. */
        long hanging() {
            return hanging.get();
        }

        void awaitHanging(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (hanging.get() < 0) {
                assertThat(process.isAlive()).as("the transformer runs").isTrue();
                assertThat(System.nanoTime()).as("the transformer reaches its hang in time").isLessThan(deadline);
                Thread.sleep(20);
            }
        }

        void kill() throws InterruptedException {
            process.destroyForcibly();
            assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
        }
    }
}
