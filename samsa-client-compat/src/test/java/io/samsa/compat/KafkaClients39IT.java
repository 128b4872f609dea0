package io.samsa.compat;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** The client scenarios with kafka-clients 3.9 (this module's test classpath) against a broker JVM. */
class KafkaClients39IT {

    private static BrokerProcess broker;

    @BeforeAll
    static void start() {
        assertThat(AppInfoParser.getVersion()).startsWith("3.9.");
        broker = BrokerProcess.start("kafka-clients-3.9");
    }

    @AfterAll
    static void stop() throws Exception {
        broker.close();
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("io.samsa.compat.ClientScenarios#ALL")
    void scenario(String name) throws Exception {
        new ClientScenarios(broker.bootstrap()).run(name);
    }
}
