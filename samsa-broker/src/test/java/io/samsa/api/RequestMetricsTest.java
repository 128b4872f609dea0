package io.samsa.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.samsa.protocol.Request;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.MetadataRequest;
import org.junit.jupiter.api.Test;

class RequestMetricsTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // A Metadata request names no topic to resolve, so no metadata is needed.
    private final RequestMetrics metrics = new RequestMetrics(registry, null);

    @Test
    void queueTimeIsFromReadingTheFrameToTakingTheRequestUp() {
        Request request = metadataRequest((short) 12);
        metrics.answered(request, new MetadataResponseData(), 1_000_000L, 3_500_000L);
        metrics.answered(request, new MetadataResponseData(), 10_000_000L, 10_250_000L);

        DistributionSummary queue = registry.get("kafka.network.requestmetrics.requestqueuetimems")
                .tag("request", "Metadata").tag("version", "12").summary();
        assertThat(queue.count()).isEqualTo(2);
        assertThat(queue.totalAmount()).isEqualTo(2.75);
        assertThat(queue.max()).isEqualTo(2.5);
        // Buckets take the value rounded up to whole milliseconds (Micrometer); sum and max are exact.
        assertThat(registry.scrape()).contains(
                "kafka_network_requestmetrics_requestqueuetimems_bucket{request=\"Metadata\",version=\"12\",le=\"1.0\"} 1",
                "kafka_network_requestmetrics_requestqueuetimems_bucket{request=\"Metadata\",version=\"12\",le=\"2.0\"} 1",
                "kafka_network_requestmetrics_requestqueuetimems_bucket{request=\"Metadata\",version=\"12\",le=\"5.0\"} 2");
        assertThat(registry.get("kafka.network.requestmetrics.requests").tag("request", "Metadata").counter().count())
                .isEqualTo(2.0);
    }

    private static Request metadataRequest(short version) {
        MetadataRequestData data = new MetadataRequestData().setTopics(null);
        return new Request(new RequestHeaderData().setRequestApiKey(ApiKeys.METADATA.id).setRequestApiVersion(version)
                .setClientId("test"), ApiKeys.METADATA, version, new MetadataRequest(data, version), 0, false);
    }
}
