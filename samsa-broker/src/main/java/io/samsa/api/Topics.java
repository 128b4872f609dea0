package io.samsa.api;

import io.samsa.metadata.MetadataImage;
import java.util.UUID;
import org.apache.kafka.common.Uuid;

/** Conversions between the metadata layer's topic ids and the wire's. Thread-safe (stateless). */
final class Topics {

    private Topics() {}

    static Uuid toWire(UUID id) {
        return new Uuid(id.getMostSignificantBits(), id.getLeastSignificantBits());
    }

    static UUID fromWire(Uuid id) {
        return new UUID(id.getMostSignificantBits(), id.getLeastSignificantBits());
    }

    /** Looks a topic up by id when the request carries one (newer versions), else by name. */
    static MetadataImage.TopicImage find(MetadataImage image, String name, Uuid id) {
        if (id != null && !Uuid.ZERO_UUID.equals(id)) {
            return image.topic(fromWire(id));
        }
        return name == null ? null : image.topic(name);
    }

    static boolean isInternal(String name) {
        return name.equals(InternalTopic.CONSUMER_OFFSETS) || name.equals(InternalTopic.TRANSACTION_STATE);
    }
}
