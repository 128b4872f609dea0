package io.samsa.api;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.samsa.metadata.MetadataController;
import io.samsa.metadata.MetadataImage;
import io.samsa.protocol.Request;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.BaseRecords;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.Records;

/**
 * Counts requests and what they carry, under the names the Prometheus JMX exporter gives Kafka's own metrics (the
 * registry's naming turns {@code kafka.server.brokertopicmetrics.messagesin} into
 * {@code kafka_server_brokertopicmetrics_messagesin_total}):
 *
 * <ul>
 *   <li>per topic: records and bytes appended by Produce ({@code messagesin}, {@code bytesin}), bytes of records sent
 *       by Fetch ({@code bytesout}), Produce and Fetch requests per topic, total and failed, as Kafka's
 *       {@code BrokerTopicMetrics};
 *   <li>per API and version: requests ({@code kafka_network_requestmetrics_requests_total}) and the time from decoding
 *       a request to its answer, in milliseconds ({@code kafka_network_requestmetrics_totaltimems}, a histogram), and
 *       the time its frame waited between the network reading it and a request thread taking it up
 *       ({@code kafka_network_requestmetrics_requestqueuetimems}, a histogram).
 * </ul>
 *
 * <p>Cost on the request path: meters are created once per topic and per API version and then found in a map or an
 * array; an increment is a {@code DoubleAdder} add. The only per-request work is walking the partitions of Produce and
 * Fetch and the batch headers of Produce (no record is read).
 *
 * <p>Thread-safe.
 */
public final class RequestMetrics implements RequestObserver {

    /** Latency buckets in milliseconds, from a local metadata request to a long-polling fetch. */
    private static final double[] LATENCY_BUCKETS_MS = {1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000,
        30000};
    /**
     * Queue-time buckets in milliseconds. None below 1: Micrometer places a value in the buckets rounded up to a whole
     * number (the sum and the maximum keep the exact value), so an idle broker's microseconds all count in "1".
     */
    private static final double[] QUEUE_BUCKETS_MS = {1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 5000};
    private static final int MAX_VERSIONS = 32;

    /** The meters of one topic. */
    private record TopicMeters(Counter messagesIn, Counter bytesIn, Counter bytesOut, Counter produceRequests,
            Counter failedProduceRequests, Counter fetchRequests, Counter failedFetchRequests) {}

    /** The meters of one API version. */
    private record ApiMeters(Counter requests, DistributionSummary totalTimeMs, DistributionSummary queueTimeMs) {}

    private final MeterRegistry registry;
    private final MetadataController metadata;
    private final Map<String, TopicMeters> topics = new ConcurrentHashMap<>();
    private final AtomicReferenceArray<ApiMeters> apis =
            new AtomicReferenceArray<>((ApiKeys.values().length + 1) * MAX_VERSIONS);

    /** @param metadata resolves the topic ids of Produce v13 and Fetch v13+ to names */
    public RequestMetrics(MeterRegistry registry, MetadataController metadata) {
        this.registry = registry;
        this.metadata = metadata;
    }

    @Override
    public void answered(Request request, ApiMessage response, long receivedNanos, long startNanos) {
        ApiMeters api = apiMeters(request);
        api.requests().increment();
        api.queueTimeMs().record(Math.max(0, startNanos - receivedNanos) / 1_000_000.0);
        api.totalTimeMs().record((System.nanoTime() - startNanos) / 1_000_000.0);
        if (request.apiKey() == ApiKeys.PRODUCE) {
            countProduce((ProduceRequestData) request.body(), (ProduceResponseData) response);
        } else if (request.apiKey() == ApiKeys.FETCH && response instanceof FetchResponseData fetch) {
            countFetch(fetch);
        }
    }

    /** Records appended count only for partitions answered without error; bytes in for every known topic, as Kafka. */
    private void countProduce(ProduceRequestData request, ProduceResponseData response) {
        for (ProduceRequestData.TopicProduceData topic : request.topicData()) {
            String name = topicName(topic.name(), topic.topicId());
            if (name == null) {
                continue;
            }
            TopicMeters meters = topicMeters(name);
            ProduceResponseData.TopicProduceResponse answered = response == null ? null
                    : response.responses().find(topic.name(), topic.topicId());
            for (ProduceRequestData.PartitionProduceData partition : topic.partitionData()) {
                meters.produceRequests().increment();
                BaseRecords records = partition.records();
                if (records == null) {
                    continue;
                }
                meters.bytesIn().increment(records.sizeInBytes());
                // acks=0 has no answer; a failure there closes the connection before this is called.
                short error = response == null ? Errors.NONE.code() : errorOf(answered, partition.index());
                if (error != Errors.NONE.code()) {
                    meters.failedProduceRequests().increment();
                } else if (records instanceof Records batches) {
                    meters.messagesIn().increment(recordCount(batches));
                }
            }
        }
    }

    private static short errorOf(ProduceResponseData.TopicProduceResponse topic, int partition) {
        if (topic == null) {
            return Errors.UNKNOWN_SERVER_ERROR.code();
        }
        for (ProduceResponseData.PartitionProduceResponse p : topic.partitionResponses()) {
            if (p.index() == partition) {
                return p.errorCode();
            }
        }
        return Errors.UNKNOWN_SERVER_ERROR.code();
    }

    private static long recordCount(Records records) {
        long count = 0;
        for (RecordBatch batch : records.batches()) {
            Integer n = batch.countOrNull();
            count += n != null ? n : batch.lastOffset() - batch.baseOffset() + 1;
        }
        return count;
    }

    private void countFetch(FetchResponseData response) {
        for (FetchResponseData.FetchableTopicResponse topic : response.responses()) {
            String name = topicName(topic.topic(), topic.topicId());
            if (name == null) {
                continue;
            }
            TopicMeters meters = topicMeters(name);
            for (FetchResponseData.PartitionData partition : topic.partitions()) {
                meters.fetchRequests().increment();
                if (partition.errorCode() != Errors.NONE.code()) {
                    meters.failedFetchRequests().increment();
                }
                BaseRecords records = partition.records();
                if (records != null && records.sizeInBytes() > 0) {
                    meters.bytesOut().increment(records.sizeInBytes());
                }
            }
        }
    }

    /** The topic's name, or null for a topic this broker does not know (no series for names clients made up). */
    private String topicName(String name, Uuid topicId) {
        MetadataImage image = metadata.image();
        MetadataImage.TopicImage topic = name != null && !name.isEmpty() ? image.topic(name)
                : topicId == null || Uuid.ZERO_UUID.equals(topicId) ? null
                : image.topic(new java.util.UUID(topicId.getMostSignificantBits(), topicId.getLeastSignificantBits()));
        return topic == null ? null : topic.name();
    }

    private TopicMeters topicMeters(String topic) {
        TopicMeters meters = topics.get(topic);
        return meters != null ? meters : topics.computeIfAbsent(topic, this::newTopicMeters);
    }

    private TopicMeters newTopicMeters(String topic) {
        return new TopicMeters(
                topicCounter("messagesin", topic, "Records appended by Produce requests"),
                topicCounter("bytesin", topic, "Bytes of record batches received by Produce requests"),
                topicCounter("bytesout", topic, "Bytes of record batches sent by Fetch responses"),
                topicCounter("totalproducerequests", topic, "Produce requests per partition"),
                topicCounter("failedproducerequests", topic, "Produce requests per partition answered with an error"),
                topicCounter("totalfetchrequests", topic, "Fetch requests per partition"),
                topicCounter("failedfetchrequests", topic, "Fetch requests per partition answered with an error"));
    }

    private Counter topicCounter(String name, String topic, String help) {
        return Counter.builder("kafka.server.brokertopicmetrics." + name).description(help).tag("topic", topic)
                .register(registry);
    }

    /**
     * Forgets the meters of a topic that was deleted, so that its series disappear from the scrape (as Kafka removes
     * a deleted topic's metrics).
     */
    public void removeTopicsOtherThan(java.util.Set<String> existing) {
        for (Map.Entry<String, TopicMeters> e : topics.entrySet()) {
            if (!existing.contains(e.getKey()) && topics.remove(e.getKey(), e.getValue())) {
                TopicMeters m = e.getValue();
                for (Counter c : java.util.List.of(m.messagesIn(), m.bytesIn(), m.bytesOut(), m.produceRequests(),
                        m.failedProduceRequests(), m.fetchRequests(), m.failedFetchRequests())) {
                    registry.remove(c);
                }
            }
        }
    }

    private ApiMeters apiMeters(Request request) {
        int version = Math.min(request.version(), MAX_VERSIONS - 1);
        int slot = (request.apiKey().ordinal()) * MAX_VERSIONS + version;
        ApiMeters meters = apis.get(slot);
        if (meters == null) {
            String api = request.apiKey().name;
            String v = String.valueOf(request.version());
            meters = new ApiMeters(
                    Counter.builder("kafka.network.requestmetrics.requests").description("Requests answered")
                            .tag("request", api).tag("version", v).register(registry),
                    DistributionSummary.builder("kafka.network.requestmetrics.totaltimems")
                            .description("Milliseconds from decoding a request to its answer")
                            .tag("request", api).tag("version", v).serviceLevelObjectives(LATENCY_BUCKETS_MS)
                            .register(registry),
                    DistributionSummary.builder("kafka.network.requestmetrics.requestqueuetimems")
                            .description("Milliseconds from reading a request's frame to a request thread taking it up")
                            .tag("request", api).tag("version", v).serviceLevelObjectives(QUEUE_BUCKETS_MS)
                            .register(registry));
            apis.compareAndSet(slot, null, meters);
        }
        return meters;
    }
}
