package io.samsa.cli;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code samsa consume TOPIC}: prints records, one per line (the value, or with --print-* the chosen fields separated
 * by tabs, or a JSON object per line with --json). Without --group it reads the partitions directly (from the end
 * unless told otherwise); with --group it joins the group and commits as it goes.
 */
@Command(name = "consume", description = "Print records of a topic, one per line.", mixinStandardHelpOptions = true)
final class ConsumeCommand implements Callable<Integer> {

    @Mixin ClientOptions client;
    @Parameters(paramLabel = "TOPIC") String topic;
    @Option(names = {"-g", "--group"}, description = "Consume as a member of this group, committing offsets")
    String group;
    @Option(names = {"-p", "--partition"}, description = "Read only this partition") Integer partition;
    @Option(names = "--from-beginning", description = "Start at the oldest record") boolean fromBeginning;
    @Option(names = "--offset", paramLabel = "N", description = "Start at offset N (needs --partition)") Long offset;
    @Option(names = "--from-time", paramLabel = "TIME", description = "Start at the first record at or after TIME "
            + "(epoch ms or ISO-8601, e.g. 2026-12-02T08:00:00Z)") String fromTime;
    @Option(names = {"-n", "--max-messages"}, paramLabel = "N", description = "Stop after N records") Integer max;
    @Option(names = {"-e", "--end"}, description = "Stop at the end of the partitions as they are now")
    boolean stopAtEnd;
    @Option(names = "--idle-ms", paramLabel = "MS", description = "Stop when no record arrived for MS ms")
    Long idleMs;
    @Option(names = "--print-key", description = "Print the key before the value") boolean printKey;
    @Option(names = "--print-headers", description = "Print the headers (k=v,...) before the value")
    boolean printHeaders;
    @Option(names = "--print-offset", description = "Print partition, offset and timestamp before the value")
    boolean printOffset;

    @Override
    public Integer call() {
        if (offset != null && partition == null) {
            throw new CliException(CliException.USAGE, "--offset needs --partition");
        }
        if (stopAtEnd && group != null) {
            throw new CliException(CliException.USAGE, "--end reads partitions directly; it cannot be used with "
                    + "--group (use --max-messages or --idle-ms)");
        }
        Long startTime = fromTime == null ? null : parseTime(fromTime);
        Properties props = client.clientProperties();
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, fromBeginning ? "earliest" : "latest");
        if (group != null) {
            props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        }
        // Only what was printed is committed (a poll may return more than --max-messages lets out).
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        Map<TopicPartition, OffsetAndMetadata> printedUpTo = new HashMap<>();
        int printed = 0;
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            Map<TopicPartition, Long> ends = new HashMap<>();
            if (group != null) {
                consumer.subscribe(List.of(topic));
            } else {
                List<TopicPartition> partitions = partitions(consumer);
                consumer.assign(partitions);
                seek(consumer, partitions, startTime);
                if (stopAtEnd) {
                    ends.putAll(consumer.endOffsets(partitions, Duration.ofMillis(client.timeoutMs)));
                }
            }
            long lastRecord = System.nanoTime();
            while (max == null || printed < max) {
                if (stopAtEnd && reachedEnd(consumer, ends)) {
                    break;
                }
                if (idleMs != null && System.nanoTime() - lastRecord > Duration.ofMillis(idleMs).toNanos()) {
                    break;
                }
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    lastRecord = System.nanoTime();
                    print(r);
                    printed++;
                    printedUpTo.put(new TopicPartition(r.topic(), r.partition()),
                            new OffsetAndMetadata(r.offset() + 1));
                    if (max != null && printed >= max) {
                        break;
                    }
                }
                if (group != null && !printedUpTo.isEmpty()) {
                    consumer.commitAsync(Map.copyOf(printedUpTo), null);
                }
            }
            if (group != null && !printedUpTo.isEmpty()) {
                consumer.commitSync(printedUpTo);
            }
        } catch (org.apache.kafka.common.KafkaException e) {
            throw client.failure(e, "consuming " + topic);
        }
        client.err().println("Consumed " + printed + " record" + (printed == 1 ? "" : "s") + ".");
        client.err().flush();
        return 0;
    }

    private List<TopicPartition> partitions(KafkaConsumer<String, String> consumer) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofMillis(client.timeoutMs));
        if (infos == null || infos.isEmpty()) {
            throw new CliException(CliException.FAILED, "Topic " + topic + " does not exist.");
        }
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo info : infos) {
            if (partition == null || info.partition() == partition) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
        }
        if (partitions.isEmpty()) {
            throw new CliException(CliException.FAILED, "Topic " + topic + " has no partition " + partition + ".");
        }
        return partitions;
    }

    private void seek(KafkaConsumer<String, String> consumer, List<TopicPartition> partitions, Long startTime) {
        if (offset != null) {
            consumer.seek(partitions.get(0), offset);
        } else if (startTime != null) {
            Map<TopicPartition, Long> query = new HashMap<>();
            partitions.forEach(tp -> query.put(tp, startTime));
            Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query,
                    Duration.ofMillis(client.timeoutMs));
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofMillis(client.timeoutMs));
            for (TopicPartition tp : partitions) {
                OffsetAndTimestamp at = found.get(tp);
                consumer.seek(tp, at == null ? ends.get(tp) : at.offset());
            }
        } else if (fromBeginning) {
            consumer.seekToBeginning(partitions);
        } else {
            consumer.seekToEnd(partitions);
        }
    }

    private static boolean reachedEnd(KafkaConsumer<String, String> consumer, Map<TopicPartition, Long> ends) {
        for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private void print(ConsumerRecord<String, String> r) {
        Output out = client.output();
        if (out.json()) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("topic", r.topic());
            json.put("partition", r.partition());
            json.put("offset", r.offset());
            json.put("timestamp", r.timestamp());
            json.put("key", r.key());
            json.put("value", r.value());
            Map<String, Object> headers = new LinkedHashMap<>();
            for (Header h : r.headers()) {
                headers.put(h.key(), h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
            }
            json.put("headers", headers);
            out.value(json, () -> { });
            return;
        }
        StringBuilder line = new StringBuilder();
        if (printOffset) {
            line.append(r.partition()).append('\t').append(r.offset()).append('\t').append(r.timestamp()).append('\t');
        }
        if (printKey) {
            line.append(r.key() == null ? "" : r.key()).append('\t');
        }
        if (printHeaders) {
            List<String> headers = new ArrayList<>();
            for (Header h : r.headers()) {
                headers.add(h.key() + "=" + (h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8)));
            }
            line.append(String.join(",", headers)).append('\t');
        }
        line.append(r.value());
        out.line(line.toString());
    }

    private static long parseTime(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            try {
                return Instant.parse(text).toEpochMilli();
            } catch (DateTimeParseException iso) {
                throw new CliException(CliException.USAGE, "--from-time takes epoch milliseconds or an ISO-8601 "
                        + "instant such as 2026-12-02T08:00:00Z, got '" + text + "'");
            }
        }
    }
}
