package io.samsa.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code samsa produce TOPIC}: one record per line of standard input (or per --message). */
@Command(name = "produce", description = "Send records to a topic: one per line of standard input, or each --message.",
        mixinStandardHelpOptions = true)
final class ProduceCommand implements Callable<Integer> {

    @Mixin ClientOptions client;
    @Parameters(paramLabel = "TOPIC") String topic;
    @Option(names = {"-m", "--message"}, paramLabel = "TEXT", description = "A record to send instead of reading "
            + "standard input; repeatable") List<String> messages = new ArrayList<>();
    @Option(names = {"-k", "--key-separator"}, paramLabel = "SEP",
            description = "Split each line at the first SEP into key and value (lines without it have no key)")
    String keySeparator;
    @Option(names = {"-H", "--header"}, paramLabel = "KEY=VALUE", description = "A header on every record; repeatable")
    List<String> headers = new ArrayList<>();
    @Option(names = {"-p", "--partition"}, description = "Send to this partition (default: by key, or spread)")
    Integer partition;
    @Option(names = "--timestamp", paramLabel = "MS", description = "Timestamp of every record, in epoch ms "
            + "(default: now)") Long timestamp;
    @Option(names = "--acks", defaultValue = "all", description = "all, 1 or 0 (default: ${DEFAULT-VALUE})")
    String acks;

    @Override
    public Integer call() throws IOException {
        Map<String, String> headerValues = TopicCommand.configs(headers);
        Properties props = client.clientProperties();
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, acks);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(client.timeoutMs));
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(Math.max(client.timeoutMs, 1000) + 1000));
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(Math.max(client.timeoutMs, 1000)));
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            if (!messages.isEmpty()) {
                for (String message : messages) {
                    sent.add(producer.send(record(message, headerValues)));
                }
            } else {
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    sent.add(producer.send(record(line, headerValues)));
                    if (sent.size() % 100_000 == 0) {
                        client.err().println("... " + sent.size() + " records sent");
                        client.err().flush();
                    }
                }
            }
            producer.flush();
        } catch (TimeoutException e) {
            throw timeout(e);
        }
        Map<Integer, long[]> offsets = new TreeMap<>();
        for (Future<RecordMetadata> f : sent) {
            RecordMetadata m;
            try {
                m = f.get();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof TimeoutException t ? timeout(t)
                        : client.failure(e.getCause(), "producing to " + topic);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliException(CliException.FAILED, "Interrupted while producing");
            }
            offsets.merge(m.partition(), new long[] {m.offset(), m.offset()},
                    (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("topic", topic);
        json.put("records", sent.size());
        Map<String, Object> partitions = new LinkedHashMap<>();
        offsets.forEach((p, range) -> partitions.put(String.valueOf(p), Map.of("firstOffset", range[0],
                "lastOffset", range[1])));
        json.put("partitions", partitions);
        client.output().value(json, () -> client.output().line("Produced " + sent.size() + " record"
                + (sent.size() == 1 ? "" : "s") + " to " + topic + (offsets.isEmpty() ? "" : " ("
                + String.join(", ", offsets.entrySet().stream().map(e -> "partition " + e.getKey() + " offsets "
                        + e.getValue()[0] + ".." + e.getValue()[1]).toList()) + ")") + "."));
        return 0;
    }

    private ProducerRecord<String, String> record(String line, Map<String, String> headerValues) {
        String key = null;
        String value = line;
        if (keySeparator != null) {
            int at = line.indexOf(keySeparator);
            if (at >= 0) {
                key = line.substring(0, at);
                value = line.substring(at + keySeparator.length());
            }
        }
        ProducerRecord<String, String> record = new ProducerRecord<>(topic, partition, timestamp, key, value);
        headerValues.forEach((k, v) -> record.headers().add(new RecordHeader(k, v.getBytes(StandardCharsets.UTF_8))));
        return record;
    }

    private CliException timeout(TimeoutException e) {
        if (e.getMessage() != null && e.getMessage().contains("not present in metadata")) {
            return new CliException(CliException.FAILED, "Topic " + topic + " does not exist" + (partition == null
                    ? "" : " or has no partition " + partition) + " (" + e.getMessage() + ")");
        }
        return client.failure(e, "producing to " + topic);
    }
}
