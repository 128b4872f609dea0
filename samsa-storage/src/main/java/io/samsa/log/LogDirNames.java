package io.samsa.log;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * What the directories of a data directory are named, and what a name means. A partition's log lives in
 * {@code <topic>-<partition>}; a log being deleted is renamed to {@code <topic>-<partition>.<uuid>-delete} and a log
 * set aside at start-up (on disk but no longer in the metadata) to {@code <topic>-<partition>.<uuid>-stray}, as in
 * Kafka. Stateless and thread-safe.
 */
public final class LogDirNames {

    /** Kafka's metadata topic: its partition 0 directory holds the broker's metadata log, never a partition log. */
    public static final String METADATA_TOPIC = "__cluster_metadata";
    public static final String DELETE_SUFFIX = "-delete";
    public static final String STRAY_SUFFIX = "-stray";
    /** Kafka's limit on topic names, which leaves room for the partition suffix within a 255-byte file name. */
    public static final int MAX_TOPIC_LENGTH = 249;
    private static final int MAX_FILE_NAME = 255;
    private static final Pattern RENAMED = Pattern.compile("^\\S+-\\d+\\.[0-9a-f]{32}(-delete|-stray)$");

    /** What a directory found in a data directory is. */
    public enum Kind {
        /** A partition log: {@code <legal topic>-<partition>}. */
        PARTITION,
        /** The metadata log's directory ({@code __cluster_metadata-0}), which the log layer never touches. */
        METADATA,
        /** A log renamed for deletion; it can be removed. */
        DELETED,
        /** A log set aside at an earlier start; kept for the operator. */
        STRAY,
        /** Anything else: not Samsa's, so left alone. */
        UNKNOWN
    }

    private LogDirNames() {}

    /** Kafka's rule for topic names: 1 to 249 ASCII alphanumerics, '.', '_' or '-', and not "." or "..". */
    public static boolean isLegalTopic(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_TOPIC_LENGTH || name.equals(".")
                || name.equals("..")) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.'
                    || c == '_' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code tp} may have a partition log: a legal topic other than the metadata topic. */
    public static boolean isPartitionLog(TopicPartition tp) {
        return isLegalTopic(tp.topic()) && !tp.topic().equals(METADATA_TOPIC);
    }

    /** What a directory of this name in a data directory is. */
    public static Kind classify(String name) {
        if (name.endsWith(DELETE_SUFFIX) || name.endsWith(STRAY_SUFFIX)) {
            if (!RENAMED.matcher(name).matches()) {
                return Kind.UNKNOWN;
            }
            return name.endsWith(DELETE_SUFFIX) ? Kind.DELETED : Kind.STRAY;
        }
        TopicPartition tp = TopicPartition.parseDirName(name);
        if (tp == null || !isLegalTopic(tp.topic()) || !name.equals(tp.dirName())) {
            return Kind.UNKNOWN;
        }
        return tp.topic().equals(METADATA_TOPIC) ? Kind.METADATA : Kind.PARTITION;
    }

    /** The name a log is renamed to for deletion, within the file-name limit for every legal topic. */
    static String deleted(TopicPartition tp) {
        return renamed(tp, DELETE_SUFFIX);
    }

    /** The name a stray log is set aside under, within the file-name limit for every legal topic. */
    static String stray(TopicPartition tp) {
        return renamed(tp, STRAY_SUFFIX);
    }

    /**
     * {@code <topic>-<partition>.<uuid><suffix>}, with the topic cut short when the whole would exceed 255 bytes
     * (Kafka's LocalLog does the same); the uuid keeps the name unique, the directory's content still names the log.
     */
    private static String renamed(TopicPartition tp, String suffix) {
        String tail = "-" + tp.partition() + "." + UUID.randomUUID().toString().replace("-", "") + suffix;
        String topic = tp.topic();
        return topic.substring(0, Math.min(topic.length(), MAX_FILE_NAME - tail.length())) + tail;
    }
}
