package io.samsa.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
        assertThat(config.listener()).isEqualTo(new BrokerConfig.Listener("127.0.0.1", 9092));
        assertThat(config.advertisedListener()).isEqualTo(config.listener());
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
        assertThat(config.listener()).isEqualTo(new BrokerConfig.Listener("0.0.0.0", 9093));
        assertThat(config.advertisedListener()).isEqualTo(new BrokerConfig.Listener("broker.example", 19093));
        assertThatThrownBy(() -> parse("listeners", "SSL://127.0.0.1:9093")).isInstanceOf(ConfigException.class)
                .hasMessage("Invalid value 'SSL://127.0.0.1:9093' for listeners: expected PLAINTEXT://host:port with"
                        + " a port in 0..65535");
        assertThatThrownBy(() -> parse("advertised.listeners", "broker.example")).isInstanceOf(ConfigException.class)
                .hasMessage("Invalid value 'broker.example' for advertised.listeners: expected PLAINTEXT://host:port");
    }
}
