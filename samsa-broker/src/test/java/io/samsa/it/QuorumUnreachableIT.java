package io.samsa.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.samsa.server.Broker;
import io.samsa.server.BrokerConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreateTopicsResponse;
import org.apache.kafka.common.requests.MetadataResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node of a three-node cluster started while its peers are down: it starts, serves clients, and answers metadata
 * changes at once with a retriable error (no controller yet) instead of hanging.
 */
class QuorumUnreachableIT {

    @TempDir
    Path dataDir;

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        }
    }

    @Test
    void aNodeWhosePeersAreDownStartsAndAnswersRetriably() throws Exception {
        String voters = "1@127.0.0.1:" + freePort() + ",2@127.0.0.1:" + freePort() + ",3@127.0.0.1:" + freePort();
        String peers = "2@127.0.0.1:" + freePort() + ",3@127.0.0.1:" + freePort();
        try (Broker broker = Broker.start(BrokerConfig.parse(Map.of("listeners", "PLAINTEXT://127.0.0.1:0",
                "log.dirs", dataDir.toString(), "node.id", "1", "samsa.http.port", "-1",
                "controller.quorum.voters", voters, "samsa.peers", peers)));
                RawClient raw = new RawClient(broker.bootstrapServers())) {
            MetadataResponse metadata = (MetadataResponse) raw.call(ApiKeys.METADATA, (short) 12,
                    new MetadataRequestData());
            assertThat(metadata.data().clusterId()).isEqualTo(broker.clusterId());

            CreateTopicsRequestData create = new CreateTopicsRequestData().setTimeoutMs(5_000);
            create.topics().add(new CreateTopicsRequestData.CreatableTopic().setName("t").setNumPartitions(1)
                    .setReplicationFactor((short) 1));
            long start = System.nanoTime();
            CreateTopicsResponseData created = ((CreateTopicsResponse) raw.call(ApiKeys.CREATE_TOPICS, (short) 7,
                    create)).data();
            assertThat(Errors.forCode(created.topics().find("t").errorCode())).isEqualTo(Errors.NOT_CONTROLLER);
            assertThat(Errors.NOT_CONTROLLER.exception()).isInstanceOf(
                    org.apache.kafka.common.errors.RetriableException.class);
            // Answered without waiting for the quorum.
            assertThat(System.nanoTime() - start).isLessThan(2_000_000_000L);
        }
    }
}
