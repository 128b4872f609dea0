package io.samsa.metadata;

import io.samsa.log.LogDirNames;
import java.util.Collection;

/** Kafka's rules for topic names. Thread-safe (stateless). */
public final class TopicNames {

    /** The longest legal topic name (Kafka leaves room for the partition suffix of the directory). */
    public static final int MAX_LENGTH = LogDirNames.MAX_TOPIC_LENGTH;
    /** Kafka's metadata topic: no client may create it (its partition directory holds the metadata log). */
    public static final String METADATA_TOPIC = LogDirNames.METADATA_TOPIC;

    private TopicNames() {}

    /** @throws MetadataException INVALID_TOPIC_EXCEPTION with Kafka's message when the name is illegal */
    public static void validate(String name) {
        String error = problem(name);
        if (error != null) {
            throw new MetadataException(MetadataException.Kind.INVALID_TOPIC_EXCEPTION, error);
        }
    }

    /** @return null when legal, else why not */
    public static String problem(String name) {
        if (name == null || name.isEmpty()) {
            return "Topic name is illegal, it can't be empty";
        }
        if (name.equals(".") || name.equals("..")) {
            return "Topic name cannot be \".\" or \"..\"";
        }
        if (name.length() > MAX_LENGTH) {
            return "Topic name is illegal, it can't be longer than " + MAX_LENGTH + " characters, topic name: "
                    + name;
        }
        if (!LogDirNames.isLegalTopic(name)) { // what is left to fail there is the character set
            return "Topic name \"" + name + "\" is illegal, it contains a character other than ASCII"
                    + " alphanumerics, '.', '_' and '-'";
        }
        return null;
    }

    /**
     * '.' and '_' collide in metric names, so Kafka refuses a topic whose name equals an existing one up to them.
     *
     * @return the existing topic it collides with, or null
     */
    public static String collision(String name, Collection<String> existing) {
        if (name.indexOf('.') < 0 && name.indexOf('_') < 0) {
            return null;
        }
        String normalized = name.replace('.', '_');
        for (String other : existing) {
            if (!other.equals(name) && other.replace('.', '_').equals(normalized)) {
                return other;
            }
        }
        return null;
    }
}
