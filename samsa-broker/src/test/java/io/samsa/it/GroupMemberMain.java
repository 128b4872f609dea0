package io.samsa.it;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A consumer-group member in its own JVM, for tests that kill it: joins {@code args[1]} on {@code args[0]}
 * subscribed to {@code args[2]} with group protocol {@code args[3]} ("classic" or "consumer"), prints "assigned N"
 * whenever its assignment changes, and polls until killed.
 */
public final class GroupMemberMain {

    private GroupMemberMain() {}

    public static void main(String[] args) {
        Properties props = new Properties();
        props.putAll(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0], ConsumerConfig.GROUP_ID_CONFIG, args[1],
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.GROUP_PROTOCOL_CONFIG, args[3]));
        if (args[3].equals("classic")) {
            // The consumer protocol takes both from the broker (group.consumer.*).
            props.putAll(Map.of(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "6000",
                    ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "200"));
        }
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of(args[2]));
            int last = -1;
            while (true) {
                consumer.poll(Duration.ofMillis(100));
                if (consumer.assignment().size() != last) {
                    last = consumer.assignment().size();
                    System.out.println("assigned " + last);
                    System.out.flush();
                }
            }
        }
    }
}
