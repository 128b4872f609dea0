package io.samsa.metrics;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.samsa.api.RequestMetrics;
import io.samsa.metadata.LocalMetadataLog;
import io.samsa.metadata.MetadataController;
import io.samsa.protocol.Request;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.requests.ProduceRequest;

/**
 * Not a test: measures what counting one Produce request costs on the request path ({@link RequestMetrics#answered}
 * for a request of one partition with one batch of 100 records), in nanoseconds, single-threaded and with 2 threads
 * on the same topic. Run from samsa-broker with the test classpath:
 * {@code java -cp target/classes:target/test-classes:$(cat cp.txt) io.samsa.metrics.RequestMetricsCost}.
 */
public final class RequestMetricsCost {

    private RequestMetricsCost() {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("samsa-metrics-cost");
        MetadataController metadata = new MetadataController(LocalMetadataLog.open(dir),
                new MetadataController.Settings(1, 1, (short) 1));
        metadata.registerBroker(1, "127.0.0.1", 9092).join();
        metadata.createTopic("t", 1, (short) 1, Map.of(), Map.of(), false);
        RequestMetrics metrics = new RequestMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), metadata);
        SimpleRecord[] records = new SimpleRecord[100];
        for (int i = 0; i < records.length; i++) {
            records[i] = new SimpleRecord(("value-" + i).getBytes());
        }
        ProduceRequestData data = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(30_000);
        ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData().setName("t");
        topic.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0)
                .setRecords(MemoryRecords.withRecords(Compression.NONE, records)));
        data.topicData().add(topic);
        short version = 11;
        Request request = new Request(new RequestHeaderData().setRequestApiKey(ApiKeys.PRODUCE.id)
                .setRequestApiVersion(version).setClientId("bench"), ApiKeys.PRODUCE, version,
                new ProduceRequest(data, version), 0, false);
        ProduceResponseData response = new ProduceResponseData();
        ProduceResponseData.TopicProduceResponse answered = new ProduceResponseData.TopicProduceResponse()
                .setName("t");
        answered.partitionResponses().add(new ProduceResponseData.PartitionProduceResponse().setIndex(0));
        response.responses().add(answered);
        for (int threads : List.of(1, 2)) {
            for (int round = 0; round < 5; round++) {
                int n = 2_000_000;
                Thread[] workers = new Thread[threads];
                long start = System.nanoTime();
                for (int t = 0; t < threads; t++) {
                    workers[t] = Thread.ofPlatform().start(() -> {
                        for (int i = 0; i < n; i++) {
                            metrics.answered(request, response, 0, 0);
                        }
                    });
                }
                for (Thread w : workers) {
                    w.join();
                }
                long elapsed = System.nanoTime() - start;
                System.out.printf("threads=%d round=%d: %.0f ns per request per thread%n", threads, round,
                        (double) elapsed / n);
            }
        }
        metadata.close();
    }
}
