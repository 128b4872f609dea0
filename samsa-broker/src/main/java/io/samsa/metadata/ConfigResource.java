package io.samsa.metadata;

/**
 * Something configs are attached to.
 *
 * @param type topic or broker
 * @param name the topic name, or the broker id as a string ("" for the cluster-wide broker default)
 */
public record ConfigResource(Type type, String name) {

    /** The kinds of resource that carry configs. */
    public enum Type {
        TOPIC,
        BROKER
    }
}
