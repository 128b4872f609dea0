package io.samsa.it;

import io.samsa.log.LogDirNames;
import io.samsa.log.TopicPartition;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * What {@link FuzzIT} fuzzes: an in-process broker with the corpus's topics and a witness topic of known records,
 * reached over a real socket. Each step sends one mutated frame followed by a valid ApiVersions request (the
 * sentinel: responses come in request order, so whatever arrives before the sentinel's answer is the frame's) and
 * checks that
 * <ul>
 *   <li>the broker answers the sentinel (a request that legitimately waits, such as a long-polling fetch or a join,
 *       may hold its connection; then a fresh connection must be answered at once);</li>
 *   <li>an answer is a single, well-formed response to that request at its version, with its correlation id;</li>
 *   <li>no request is answered with an error after part of it was written: a partition that grew during a Produce
 *       or WriteTxnMarkers, a topic that appeared in a CreateTopics or CreatePartitions, a topic that went away in a
 *       DeleteTopics, each has NONE in the answer;</li>
 *   <li>no broker thread logs at ERROR and no thread dies of an uncaught exception.</li>
 * </ul>
 * {@link #finish()} then restarts the broker on the same data directory and checks that every partition directory
 * matches the metadata and that the witness records are all there.
 */
final class FuzzTarget implements AutoCloseable {

    static final String WITNESS = "fuzz-witness";
    private static final int WITNESS_RECORDS = 50;
    private static final int MAX_SAMPLES = 20;
    private static final int MAX_CHECKED_PARTITIONS = 32;

    private final BrokerFixture samsa;
    private final BrokerErrorLog errorLog;
    private final List<byte[]> corpus;
    private final ConcurrentLinkedQueue<String> uncaught = new ConcurrentLinkedQueue<>();
    private final List<String> samples = new ArrayList<>();
    private final Thread.UncaughtExceptionHandler previousHandler;
    private RawClient connection;
    private RawClient observer;
    private int sentinelId = 1 << 30;
    long frames;
    long answered;
    long closed;
    long held;
    long failures;

    private FuzzTarget(BrokerFixture samsa, BrokerErrorLog errorLog, List<byte[]> corpus) {
        this.samsa = samsa;
        this.errorLog = errorLog;
        this.corpus = corpus;
        this.previousHandler = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(t.getName() + ": " + e));
    }

    static FuzzTarget start() {
        BrokerErrorLog errorLog = BrokerErrorLog.quiet();
        // No background aborts: a marker written by a timer while a step runs would look like that step's write.
        BrokerFixture samsa = BrokerFixture.start(Map.of(
                "transaction.abort.timed.out.transaction.cleanup.interval.ms", "3600000",
                "group.initial.rebalance.delay.ms", "0"));
        samsa.createTopic("orders", 4, Map.of());
        samsa.createTopic("compacted", 2, Map.of("cleanup.policy", "compact"));
        samsa.createTopic("assigned", 2, Map.of());
        samsa.createTopic("doomed", 1, Map.of());
        samsa.createTopic(WITNESS, 2, Map.of());
        try (KafkaProducer<String, String> producer = samsa.producer(Map.of())) {
            for (int i = 0; i < WITNESS_RECORDS; i++) {
                producer.send(new ProducerRecord<>(WITNESS, i % 2, "k", "w" + i));
            }
            producer.flush();
        }
        return new FuzzTarget(samsa, errorLog, FuzzCorpus.load());
    }

    /** A decoded request, as the broker would see it, or null when kafka-clients cannot decode the frame. */
    private record Parsed(RequestHeader header, AbstractRequest request) {
        static Parsed of(byte[] frame) {
            try {
                ByteBuffer buffer = ByteBuffer.wrap(frame);
                RequestHeader header = RequestHeader.parse(buffer);
                return new Parsed(header, AbstractRequest.parseRequest(header.apiKey(), header.apiVersion(),
                        new ByteBufferAccessor(buffer)).request);
            } catch (RuntimeException e) {
                return null;
            }
        }

        ApiKeys key() {
            return header.apiKey();
        }

        ApiMessage body() {
            return request.data();
        }
    }

    /** What the broker did with a frame: the responses before the sentinel's, and whether it closed or held. */
    private record Exchange(List<ByteBuffer> responses, boolean closed, boolean held) {}

    void run(FuzzStep step) {
        StringBuilder changes = new StringBuilder();
        byte[] frame = step.apply(corpus, changes);
        Parsed parsed = Parsed.of(frame);
        Map<String, Long> before = snapshot(parsed);
        int errorsBefore = errorLog.errors().size();
        Exchange exchange = exchange(frame, parsed);
        frames++;
        List<String> problems = new ArrayList<>();
        if (exchange.held()) {
            held++;
            if (!brokerAnswersANewConnection()) {
                problems.add("the broker stopped answering: a fresh connection got no ApiVersions answer");
            }
        } else if (exchange.closed()) {
            closed++;
        }
        if (!exchange.responses().isEmpty()) {
            answered++;
        }
        check(frame, parsed, exchange, before, problems);
        List<String> errors = errorLog.errors();
        if (errors.size() > errorsBefore) {
            problems.add("broker logged at ERROR: " + String.join("\n", errors.subList(errorsBefore,
                    Math.min(errors.size(), errorsBefore + 12))));
        }
        while (!uncaught.isEmpty()) {
            problems.add("uncaught exception in " + uncaught.poll());
        }
        if (!problems.isEmpty()) {
            failures++;
            if (samples.size() < MAX_SAMPLES) {
                samples.add("step " + step + "\n  changed: " + changes + "\n  frame: "
                        + HexFormat.of().formatHex(frame, 0, Math.min(frame.length, 256)) + "\n  "
                        + String.join("\n  ", problems));
            }
        }
    }

    private Exchange exchange(byte[] frame, Parsed parsed) {
        int sentinel = sentinelId++;
        try {
            if (connection == null) {
                connection = new RawClient(samsa.bootstrap());
                // A sentinel answer takes milliseconds; a request that waits (a long poll, a join) holds it longer.
                connection.setTimeout(2_000);
            }
            connection.sendBytes(ByteBuffer.allocate(4 + frame.length).putInt(frame.length).put(frame).array());
            connection.sendBytes(RawClient.frame(ApiKeys.API_VERSIONS, (short) 3, sentinel,
                    new ApiVersionsRequestData().setClientSoftwareName("fuzz").setClientSoftwareVersion("1")));
            List<ByteBuffer> responses = new ArrayList<>();
            while (true) {
                ByteBuffer response = connection.readFrame();
                if (response.getInt(0) == sentinel) {
                    return new Exchange(responses, false, false);
                }
                responses.add(response);
            }
        } catch (SocketTimeoutException e) {
            reconnect();
            return new Exchange(List.of(), false, true);
        } catch (EOFException e) {
            reconnect();
            return new Exchange(List.of(), true, false);
        } catch (IOException e) {
            reconnect();
            return new Exchange(List.of(), true, false);
        }
    }

    private void reconnect() {
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (IOException e) {
            // closing a broken socket
        }
        connection = null;
    }

    private boolean brokerAnswersANewConnection() {
        try (RawClient fresh = new RawClient(samsa.bootstrap())) {
            fresh.call(ApiKeys.API_VERSIONS, (short) 3, new ApiVersionsRequestData()
                    .setClientSoftwareName("fuzz").setClientSoftwareVersion("1"));
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private void check(byte[] frame, Parsed parsed, Exchange exchange, Map<String, Long> before,
            List<String> problems) {
        if (exchange.responses().size() > 1) {
            problems.add(exchange.responses().size() + " responses to one request");
        }
        AbstractResponse response = null;
        if (exchange.responses().size() == 1 && parsed != null) {
            ByteBuffer bytes = exchange.responses().get(0);
            try {
                ResponseHeaderData header = new ResponseHeaderData(new ByteBufferAccessor(bytes),
                        parsed.key().responseHeaderVersion(parsed.header().apiVersion()));
                if (header.correlationId() != parsed.header().correlationId()) {
                    problems.add("response correlation id " + header.correlationId() + " for request "
                            + parsed.header().correlationId());
                }
                response = AbstractResponse.parseResponse(parsed.key(), new ByteBufferAccessor(bytes),
                        parsed.header().apiVersion());
            } catch (RuntimeException e) {
                problems.add("malformed response to " + parsed.key() + " v" + parsed.header().apiVersion() + ": " + e);
            }
        }
        if (parsed == null || before.isEmpty() || exchange.held()) {
            return; // a held request's answer is not known: it is not judged
        }
        Map<String, Long> after = snapshot(parsed);
        Map<String, Errors> answers = response == null ? Map.of() : answers(response.data());
        for (Map.Entry<String, Long> entry : after.entrySet()) {
            long was = before.getOrDefault(entry.getKey(), -1L);
            if (entry.getValue() != was) {
                Errors answer = answers.get(entry.getKey());
                boolean acksZero = parsed.body() instanceof ProduceRequestData p && p.acks() == 0;
                if (!acksZero && answer != Errors.NONE) {
                    problems.add(entry.getKey() + " changed (" + was + " -> " + entry.getValue() + ") but the "
                            + parsed.key() + " answer for it is " + (answer == null ? "missing" : answer));
                }
            }
        }
    }

    /**
     * The state a write request could change: log end offsets, partition counts; -1 = absent. Taken once every
     * metadata change is published, so that an earlier request's change (answered as committed before it was hosted)
     * is not taken for this one's.
     */
    private Map<String, Long> snapshot(Parsed parsed) {
        if (parsed == null) {
            return Map.of();
        }
        try {
            samsa.broker().metadataPublished().get(2, TimeUnit.MINUTES);
        } catch (Exception e) {
            throw new AssertionError("metadata changes were not published within 2 minutes", e);
        }
        try {
            return switch (parsed.body()) {
                case ProduceRequestData p -> {
                    Set<String> named = new HashSet<>();
                    p.topicData().forEach(t -> t.partitionData().forEach(d -> named.add(t.name() + "/" + d.index())));
                    yield endOffsets(named);
                }
                case WriteTxnMarkersRequestData w -> {
                    Set<String> named = new HashSet<>();
                    w.markers().forEach(m -> m.topics().forEach(t -> t.partitionIndexes().forEach(i ->
                            named.add(t.name() + "/" + i))));
                    yield endOffsets(named);
                }
                case CreateTopicsRequestData c when !c.validateOnly() ->
                        partitionCounts(c.topics().stream().map(CreateTopicsRequestData.CreatableTopic::name).toList());
                case CreatePartitionsRequestData c when !c.validateOnly() ->
                        partitionCounts(c.topics().stream().map(CreatePartitionsRequestData.CreatePartitionsTopic::name)
                                .toList());
                case DeleteTopicsRequestData d -> {
                    List<String> names = new ArrayList<>(d.topicNames());
                    d.topics().forEach(t -> names.add(t.name()));
                    yield partitionCounts(names);
                }
                default -> Map.of();
            };
        } catch (IOException e) {
            reconnectObserver();
            return Map.of();
        }
    }

    private Map<String, Long> endOffsets(Set<String> named) throws IOException {
        ListOffsetsRequestData request = new ListOffsetsRequestData().setReplicaId(-1);
        Map<String, ListOffsetsRequestData.ListOffsetsTopic> topics = new HashMap<>();
        int count = 0;
        for (String key : named) {
            int slash = key.lastIndexOf('/');
            String topic = key.substring(0, slash);
            int partition = Integer.parseInt(key.substring(slash + 1));
            if (topic.equals("null") || partition < 0 || count++ >= MAX_CHECKED_PARTITIONS) {
                continue;
            }
            topics.computeIfAbsent(topic, t -> {
                ListOffsetsRequestData.ListOffsetsTopic lt = new ListOffsetsRequestData.ListOffsetsTopic().setName(t);
                request.topics().add(lt);
                return lt;
            }).partitions().add(new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(partition)
                    .setTimestamp(-1));
        }
        Map<String, Long> offsets = new HashMap<>();
        if (request.topics().isEmpty()) {
            return offsets;
        }
        ListOffsetsResponseData response = ((ListOffsetsResponse) observer().call(ApiKeys.LIST_OFFSETS, (short) 7,
                request)).data();
        for (ListOffsetsResponseData.ListOffsetsTopicResponse t : response.topics()) {
            for (ListOffsetsResponseData.ListOffsetsPartitionResponse p : t.partitions()) {
                offsets.put(t.name() + "/" + p.partitionIndex(), p.errorCode() == 0 ? p.offset() : -1L);
            }
        }
        return offsets;
    }

    private Map<String, Long> partitionCounts(List<String> names) throws IOException {
        MetadataRequestData request = new MetadataRequestData().setAllowAutoTopicCreation(false);
        for (String name : names) {
            if (name != null && !name.isEmpty()) {
                request.topics().add(new MetadataRequestData.MetadataRequestTopic().setName(name));
            }
        }
        Map<String, Long> counts = new HashMap<>();
        if (request.topics().isEmpty()) {
            return counts;
        }
        MetadataResponseData response = ((MetadataResponse) observer().call(ApiKeys.METADATA, (short) 12, request))
                .data();
        for (MetadataResponseData.MetadataResponseTopic t : response.topics()) {
            counts.put(t.name(), t.errorCode() == 0 ? (long) t.partitions().size() : -1L);
        }
        return counts;
    }

    /** Each partition's or topic's error in an answer, keyed as {@link #snapshot} keys them. */
    private static Map<String, Errors> answers(ApiMessage data) {
        Map<String, Errors> errors = new HashMap<>();
        switch (data) {
            case ProduceResponseData p -> p.responses().forEach(t -> t.partitionResponses().forEach(r ->
                    errors.put(t.name() + "/" + r.index(), Errors.forCode(r.errorCode()))));
            case WriteTxnMarkersResponseData w -> w.markers().forEach(m -> m.topics().forEach(t ->
                    t.partitions().forEach(r -> errors.put(t.name() + "/" + r.partitionIndex(),
                            Errors.forCode(r.errorCode())))));
            case CreateTopicsResponseData c -> c.topics().forEach(t -> errors.put(t.name(),
                    Errors.forCode(t.errorCode())));
            case CreatePartitionsResponseData c -> c.results().forEach(t -> errors.put(t.name(),
                    Errors.forCode(t.errorCode())));
            case DeleteTopicsResponseData d -> d.responses().forEach(t -> errors.put(t.name(),
                    Errors.forCode(t.errorCode())));
            default -> { }
        }
        return errors;
    }

    private RawClient observer() throws IOException {
        if (observer == null) {
            observer = new RawClient(samsa.bootstrap());
        }
        return observer;
    }

    private void reconnectObserver() {
        try {
            if (observer != null) {
                observer.close();
            }
        } catch (IOException e) {
            // broken already
        }
        observer = null;
    }

    /**
     * Restarts the broker on the same data and checks the directory against the metadata and the witness records.
     *
     * @return what is wrong, empty when nothing is
     */
    List<String> finish() throws Exception {
        reconnect();
        reconnectObserver();
        List<String> problems = new ArrayList<>(samples);
        samsa.restart();
        Map<String, Integer> partitions = new HashMap<>();
        try (Admin admin = samsa.admin()) {
            Set<String> names = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get();
            for (TopicDescription d : admin.describeTopics(names).allTopicNames().get().values()) {
                partitions.put(d.name(), d.partitions().size());
            }
        }
        Set<String> dirs = new HashSet<>();
        try (Stream<Path> listing = Files.list(samsa.dataDir())) {
            for (Path dir : listing.filter(Files::isDirectory).toList()) {
                String name = dir.getFileName().toString();
                dirs.add(name);
                if (LogDirNames.classify(name) == LogDirNames.Kind.PARTITION) {
                    TopicPartition tp = TopicPartition.parseDirName(name);
                    Integer count = partitions.get(tp.topic());
                    if (count == null || tp.partition() >= count) {
                        problems.add("directory " + name + " has no partition in the metadata");
                    }
                }
            }
        }
        if (!dirs.contains(LogDirNames.METADATA_TOPIC + "-0")) {
            problems.add("the metadata log directory is gone");
        }
        partitions.forEach((topic, count) -> {
            for (int p = 0; p < count; p++) {
                if (!dirs.contains(topic + "-" + p)) {
                    problems.add("partition " + topic + "-" + p + " of the metadata has no directory");
                }
            }
        });
        for (int p = 0; p < 2; p++) {
            List<ConsumerRecord<String, String>> records = samsa.readAll(WITNESS, p, WITNESS_RECORDS / 2);
            if (records.size() != WITNESS_RECORDS / 2) {
                problems.add("witness partition " + p + " has " + records.size() + " records after the restart, not "
                        + WITNESS_RECORDS / 2);
            }
        }
        if (!errorLog.errors().isEmpty() && samples.isEmpty()) {
            problems.add("broker logged at ERROR: " + errorLog.errors());
        }
        return problems;
    }

    /** frames, answers, closes, failures and memory, on one line. */
    String summary(String seed, long seconds) {
        Runtime rt = Runtime.getRuntime();
        long heapMb = (rt.totalMemory() - rt.freeMemory()) >> 20;
        return "FUZZ RESULT frames=" + frames + " answered=" + answered + " closed=" + closed + " held=" + held
                + " failures=" + failures + " seconds=" + seconds + " heap_used_mb=" + heapMb + " rss_mb=" + rssMb()
                + " seed=" + seed;
    }

    private static long rssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) >> 10;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux
        }
        return -1;
    }

    @Override
    public void close() {
        reconnect();
        reconnectObserver();
        samsa.close();
        errorLog.close();
        Thread.setDefaultUncaughtExceptionHandler(previousHandler);
    }
}
