package io.samsa.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.samsa.network.SecurityProtocol;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Validation, defaults and the derived settings of {@link BrokerConfig}. */
class BrokerConfigTest {

    private static BrokerConfig parse(String... keyValues) {
        Map<String, String> settings = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            settings.put(keyValues[i], keyValues[i + 1]);
        }
        return BrokerConfig.parse(settings);
    }

    // ---- retention: ms over minutes over hours ----

    @Test
    void retentionDefaultsToSevenDays() {
        assertThat(parse().retentionMs()).isEqualTo(168 * 3_600_000L);
    }

    @ParameterizedTest(name = "ms={0} minutes={1} hours={2} -> {3}")
    @CsvSource(nullValues = "_", value = {
        "_,     _,  2,  7200000",
        "_,     5,  _,  300000",
        "_,     5,  2,  300000",
        "1234,  _,  _,  1234",
        "1234,  5,  _,  1234",
        "1234,  5,  2,  1234",
        "1234,  _,  2,  1234",
        "0,     5,  2,  0",
        "-1,    _,  _,  -1",
        "-1,    5,  2,  -1",
        "_,     -1, _,  -1",
        "_,     -1, 2,  -1",
        "_,     _,  -1, -1",
        "_,     5,  -1, 300000",
        "_,     2147483647, _, 128849018820000",
        "_,     _,  2147483647, 7730941129200000",
    })
    void retentionMsTakesTheMostPreciseKeySet(String ms, String minutes, String hours, long expected) {
        Map<String, String> settings = new HashMap<>();
        if (ms != null) {
            settings.put("log.retention.ms", ms);
        }
        if (minutes != null) {
            settings.put("log.retention.minutes", minutes);
        }
        if (hours != null) {
            settings.put("log.retention.hours", hours);
        }
        assertThat(BrokerConfig.parse(settings).retentionMs()).isEqualTo(expected);
    }

    @Test
    void retentionBelowMinusOneIsRefused() {
        assertThatThrownBy(() -> parse("log.retention.minutes", "-2")).isInstanceOf(ConfigException.class)
                .hasMessage("Invalid value -2 for log.retention.minutes: must be in -1..2147483647");
        assertThatThrownBy(() -> parse("log.retention.hours", "-5")).isInstanceOf(ConfigException.class)
                .hasMessage("Invalid value -5 for log.retention.hours: must be in -1..2147483647");
    }

    @Test
    void rollMsOverridesRollHours() {
        assertThat(parse().rollMs()).isEqualTo(168 * 3_600_000L);
        assertThat(parse("log.roll.hours", "3").rollMs()).isEqualTo(3 * 3_600_000L);
        assertThat(parse("log.roll.hours", "3", "log.roll.ms", "500").rollMs()).isEqualTo(500);
    }

    // ---- topic defaults ----

    @Test
    void topicDefaultSettingsAreEmptyWhenNothingIsSet() {
        assertThat(parse().topicDefaultSettings()).isEmpty();
    }

    @Test
    void topicDefaultSettingsResolveRetentionAndRollToMilliseconds() {
        assertThat(parse("log.retention.hours", "2", "num.io.threads", "4").topicDefaultSettings()).isEqualTo(Map.of(
                "log.retention.hours", "2",
                "log.retention.ms", "7200000",
                "num.io.threads", "4"));
        assertThat(parse("log.retention.minutes", "10", "log.retention.hours", "2").topicDefaultSettings())
                .isEqualTo(Map.of(
                        "log.retention.minutes", "10",
                        "log.retention.hours", "2",
                        "log.retention.ms", "600000"));
        assertThat(parse("log.retention.ms", "-1", "log.retention.hours", "2").topicDefaultSettings())
                .isEqualTo(Map.of("log.retention.ms", "-1", "log.retention.hours", "2"));
        assertThat(parse("log.roll.hours", "3", "log.segment.bytes", "1048576").topicDefaultSettings())
                .isEqualTo(Map.of(
                        "log.roll.hours", "3",
                        "log.roll.ms", "10800000",
                        "log.segment.bytes", "1048576"));
        assertThat(parse("log.roll.ms", "500", "log.roll.hours", "3").topicDefaultSettings())
                .isEqualTo(Map.of("log.roll.ms", "500", "log.roll.hours", "3"));
    }

    // ---- parsing ----

    @Test
    void unknownKeysOnlyWarn() {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        BrokerConfig config;
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            config = BrokerConfig.parse(Map.of("no.such.key", "1", "num.partitions", "5"));
        } finally {
            System.setErr(original);
        }
        assertThat(config.values()).doesNotContainKey("no.such.key");
        assertThat(config.explicit()).isEqualTo(Map.of("num.partitions", "5"));
        assertThat(config.getInt("num.partitions")).isEqualTo(5);
        assertThat(captured.toString(StandardCharsets.UTF_8)).contains("Ignoring unknown config key 'no.such.key'");
    }

    @Test
    void defaultsFillEveryKeyThatHasOne() {
        BrokerConfig config = parse();
        for (BrokerConfig.Key key : BrokerConfig.KEYS.values()) {
            assertThat(config.get(key.name())).as(key.name()).isEqualTo(key.defaultValue());
        }
        assertThat(config.explicit()).isEmpty();
        assertThat(config.nodeId()).isEqualTo(1);
        assertThat(config.listeners()).containsExactly(new Listeners.Listener("PLAINTEXT",
                SecurityProtocol.PLAINTEXT, "127.0.0.1", 9092, "127.0.0.1", 9092));
        assertThat(config.getBoolean("auto.create.topics.enable")).isTrue();
    }

    @Test
    void keysAndValuesAreTrimmedAndBooleansIgnoreCase() {
        BrokerConfig config = parse(" num.partitions ", " 3 ", "auto.create.topics.enable", "FALSE");
        assertThat(config.getInt("num.partitions")).isEqualTo(3);
        assertThat(config.getBoolean("auto.create.topics.enable")).isFalse();
        assertThat(config.explicit()).isEqualTo(Map.of("num.partitions", "3", "auto.create.topics.enable", "FALSE"));
    }

    @Test
    void listenersWithoutHostBindEverywhereAndAdvertisedListenersOverrideTheAddress() {
        BrokerConfig config = parse("listeners", "PLAINTEXT://:9093", "advertised.listeners",
                "PLAINTEXT://broker.example:19093");
        assertThat(config.listeners()).containsExactly(new Listeners.Listener("PLAINTEXT",
                SecurityProtocol.PLAINTEXT, "0.0.0.0", 9093, "broker.example", 19093));
        assertThatThrownBy(() -> parse("advertised.listeners", "broker.example")).isInstanceOf(ConfigException.class)
                .hasMessage("Invalid entry 'broker.example' in advertised.listeners: expected NAME://host:port, for"
                        + " example PLAINTEXT://127.0.0.1:9092 or SASL_SSL://:9093");
    }

    @Test
    void severalNamedListenersWithTheirProtocolsAsKafkaParsesThem() {
        BrokerConfig config = parse("listeners", "internal://127.0.0.1:9092, EXTERNAL://[::1]:9093,SSL://:0",
                "listener.security.protocol.map", "INTERNAL:PLAINTEXT,EXTERNAL:SSL,SSL:SSL",
                "advertised.listeners", "EXTERNAL://kafka.example:443");
        assertThat(config.listeners()).containsExactly(
                new Listeners.Listener("INTERNAL", SecurityProtocol.PLAINTEXT, "127.0.0.1", 9092, "127.0.0.1", 9092),
                new Listeners.Listener("EXTERNAL", SecurityProtocol.SSL, "::1", 9093, "kafka.example", 443),
                new Listeners.Listener("SSL", SecurityProtocol.SSL, "0.0.0.0", 0, "127.0.0.1", 0));
    }

    @Test
    void badListenerListsAreRefusedNamingTheEntry() {
        assertThatThrownBy(() -> parse("listeners", "PLAINTEXT://a:1,PLAINTEXT://b:2"))
                .hasMessage("Invalid value 'PLAINTEXT://a:1,PLAINTEXT://b:2' for listeners: each listener must have"
                        + " a different name, and PLAINTEXT appears twice");
        assertThatThrownBy(() -> parse("listeners", "PLAINTEXT://a:1,SSL://b:1"))
                .hasMessage("Invalid value 'PLAINTEXT://a:1,SSL://b:1' for listeners: each listener must have a"
                        + " different port, and PLAINTEXT and SSL both use 1");
        assertThatThrownBy(() -> parse("listeners", "CLIENT://a:1"))
                .hasMessage("Invalid entry 'CLIENT://a:1' in listeners: no security protocol defined for listener"
                        + " CLIENT (listener.security.protocol.map)");
        assertThatThrownBy(() -> parse("listeners", "PLAINTEXT://a:1", "listener.security.protocol.map", "X:TLS"))
                .hasMessageContaining("Invalid entry 'X:TLS' in listener.security.protocol.map: TLS is not one of");
        assertThatThrownBy(() -> parse("listeners", "PLAINTEXT://a:1", "advertised.listeners", "SSL://b:2"))
                .hasMessage("Invalid entry 'SSL://b:2' in advertised.listeners: SSL is not a listener in listeners");
        assertThatThrownBy(() -> parse("listeners", "PLAINTEXT://:1", "advertised.listeners", "PLAINTEXT://:1"))
                .hasMessageContaining("nonroutable meta-address 0.0.0.0");
        assertThatThrownBy(() -> parse("listeners", "PLAINTEXT://a:1", "inter.broker.listener.name", "SSL"))
                .hasMessage("Invalid value 'SSL' for inter.broker.listener.name: must be one of the listeners"
                        + " [PLAINTEXT]");
    }

    @Test
    void securitySettingsThatAreNotImplementedStopStartUpNamingTheKey() {
        for (String key : new String[] {"ssl.engine.factory.class", "sasl.kerberos.service.name",
                "delegation.token.secret.key", "principal.builder.class", "listener.name.plaintext.ssl.foo"}) {
            assertThatThrownBy(() -> parse(key, "x")).as(key).isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("Unsupported security setting '" + key + "'");
        }
        assertThatThrownBy(() -> parse("listener.name.other.ssl.client.auth", "required"))
                .hasMessage("Invalid key 'listener.name.other.ssl.client.auth': there is no listener OTHER in"
                        + " listeners [PLAINTEXT]");
        assertThatThrownBy(() -> parse("ssl.client.auth", "sometimes"))
                .hasMessage("Invalid value 'sometimes' for ssl.client.auth: must be one of [none, requested,"
                        + " required]");
        assertThat(parse("listener.name.plaintext.ssl.client.auth", "required")
                .listenerValue("PLAINTEXT", "ssl.client.auth")).isEqualTo("required");
    }
}
