package io.samsa.protocol;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;

/**
 * Reads the consumer protocol's subscription, the metadata a consumer sends in JoinGroup. Kept here because it uses
 * kafka-clients internals, which only the protocol layer may touch. Thread-safe (stateless).
 */
public final class ConsumerSubscriptions {

    private ConsumerSubscriptions() {}

    /** The topics a subscription names; an unreadable one subscribes to nothing. */
    public static Set<String> topics(byte[] metadata) {
        try {
            return new HashSet<>(ConsumerProtocol.deserializeSubscription(ByteBuffer.wrap(metadata)).topics());
        } catch (RuntimeException e) {
            return Set.of();
        }
    }
}
