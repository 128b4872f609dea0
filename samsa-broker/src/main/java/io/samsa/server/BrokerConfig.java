package io.samsa.server;

import io.samsa.coordinator.group.GroupCoordinator;
import io.samsa.log.CleanerConfig;
import io.samsa.network.SecurityProtocol;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's configuration under Kafka's key names. Every key is declared once in {@link #KEYS} with its default,
 * range and a line of documentation (which {@code --help} prints); {@link #parse} validates the whole configuration at
 * once, warns about unknown keys and refuses values out of range with a message that names the key and the range.
 * Immutable.
 */
public final class BrokerConfig {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerConfig.class);

    /** How a value is checked. */
    enum Type {
        INT,
        LONG,
        DOUBLE,
        BOOLEAN,
        STRING
    }

    /** One broker config key. */
    record Key(String name, Type type, String defaultValue, long min, long max, String doc) {}

    static final Map<String, Key> KEYS = new LinkedHashMap<>();

    /** Kafka's ACL authorizer class; the value that switches Samsa's own authorizer on. */
    static final String STANDARD_AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer";

    static {
        key("node.id", Type.INT, "1", 0, Integer.MAX_VALUE, "Id of this broker");
        key("controller.quorum.voters", Type.STRING, "", 0, 0, "Every voter of the metadata quorum as"
                + " id@host:port,... (Raft addresses as this node reaches them; its own entry is where it listens for"
                + " Raft). Empty: a single node");
        key("samsa.peers", Type.STRING, "", 0, 0, "Kafka-protocol address of every other node as id@host:port,..."
                + " (forwarded requests go there; may be the other node's client port)");
        key("samsa.cluster.id", Type.STRING, null, 0, 0, "Cluster id of a multi-node cluster (default: derived"
                + " from the voter ids)");
        key("samsa.metadata.snapshot.entries", Type.LONG, "1024", 1, Long.MAX_VALUE,
                "A snapshot of the metadata image every this many metadata log entries");
        key("samsa.metadata.segment.bytes", Type.INT, String.valueOf(1024 * 1024), 8192, Integer.MAX_VALUE,
                "Size of a metadata log segment; whole segments before a snapshot are purged");
        key("samsa.metadata.election.timeout.ms", Type.INT, "1000", 10, 60_000,
                "Least time without the metadata leader before a voter stands for election (twice this at most)");
        key("samsa.metadata.append.timeout.ms", Type.INT, "5000", 1, Integer.MAX_VALUE,
                "How long a metadata change waits for the quorum before it fails with a retriable error");
        key("broker.heartbeat.interval.ms", Type.INT, "100", 1, Integer.MAX_VALUE,
                "How often the broker heartbeats the controller (and the controller checks sessions)");
        key("broker.session.timeout.ms", Type.INT, "1000", 1, Integer.MAX_VALUE,
                "A broker not heard from for this long is fenced and its partitions get new leaders");
        key("listeners", Type.STRING, "PLAINTEXT://127.0.0.1:9092", 0, 0,
                "Listeners as NAME://host:port, comma-separated (an empty host binds all addresses)");
        key("advertised.listeners", Type.STRING, "", 0, 0,
                "Addresses given to clients per listener name, if not the listeners' own (NAME://host:port,...)");
        key("listener.security.protocol.map", Type.STRING, Listeners.DEFAULT_PROTOCOL_MAP, 0, 0,
                "Security protocol of each listener name (NAME:PROTOCOL,...): PLAINTEXT, SSL, SASL_PLAINTEXT,"
                        + " SASL_SSL");
        key("inter.broker.listener.name", Type.STRING, null, 0, 0,
                "Listener for traffic between nodes (must be one of listeners; a single node has none)");
        key("security.inter.broker.protocol", Type.STRING, "PLAINTEXT", 0, 0,
                "Protocol for traffic between nodes when inter.broker.listener.name is unset");
        key("ssl.keystore.type", Type.STRING, "JKS", 0, 0, "Key store format: PKCS12, JKS or PEM");
        key("ssl.keystore.location", Type.STRING, null, 0, 0, "Key store file of a TLS listener");
        key("ssl.keystore.password", Type.STRING, null, 0, 0, "Password of the key store file");
        key("ssl.key.password", Type.STRING, null, 0, 0,
                "Password of the private key (in the key store, or of an encrypted PEM key)");
        key("ssl.keystore.certificate.chain", Type.STRING, null, 0, 0,
                "PEM certificate chain, inline (with ssl.keystore.type=PEM)");
        key("ssl.keystore.key", Type.STRING, null, 0, 0, "PEM PKCS#8 private key, inline (with ssl.keystore.type=PEM)");
        key("ssl.truststore.type", Type.STRING, "JKS", 0, 0, "Trust store format: PKCS12, JKS or PEM");
        key("ssl.truststore.location", Type.STRING, null, 0, 0, "Trust store file (client certificates' CAs)");
        key("ssl.truststore.password", Type.STRING, null, 0, 0, "Password of the trust store file");
        key("ssl.truststore.certificates", Type.STRING, null, 0, 0,
                "PEM trusted certificates, inline (with ssl.truststore.type=PEM)");
        key("ssl.enabled.protocols", Type.STRING, "TLSv1.2,TLSv1.3", 0, 0, "TLS versions a listener accepts");
        key("ssl.protocol", Type.STRING, "TLSv1.3", 0, 0, "TLS protocol of the SSL context");
        key("ssl.cipher.suites", Type.STRING, "", 0, 0, "Cipher suites a listener accepts (empty: the JDK's)");
        key("ssl.client.auth", Type.STRING, "none", 0, 0,
                "Client certificates: none, requested or required (mutual TLS)");
        key("ssl.endpoint.identification.algorithm", Type.STRING, "https", 0, 0,
                "Host name check of a peer's certificate on connections this node opens (https or empty)");
        key("sasl.enabled.mechanisms", Type.STRING, "GSSAPI", 0, 0,
                "SASL mechanisms of SASL listeners: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 (Kafka's default GSSAPI is not"
                        + " implemented)");
        key("sasl.mechanism.inter.broker.protocol", Type.STRING, "GSSAPI", 0, 0,
                "SASL mechanism between nodes (a single node has no such traffic)");
        key("connections.max.reauth.ms", Type.LONG, "0", 0, Long.MAX_VALUE,
                "Lifetime of a SASL session before the client must re-authenticate (KIP-368); 0: unlimited");
        key("connection.failed.authentication.delay.ms", Type.INT, "100", 0, Integer.MAX_VALUE,
                "Delay before the answer to a failed authentication and the closing of its connection");
        key("sasl.server.max.receive.size", Type.INT, "524288", 1, Integer.MAX_VALUE,
                "Largest frame a client may send before it has authenticated");
        key("authorizer.class.name", Type.STRING, "", 0, 0,
                "ACL authorization: " + STANDARD_AUTHORIZER + " (Kafka's, accepted as is) switches it on; empty: off");
        key("super.users", Type.STRING, "", 0, 0,
                "Principals allowed everything, semicolon-separated (User:admin;User:ops)");
        key("allow.everyone.if.no.acl.found", Type.BOOLEAN, "false", 0, 0,
                "With the authorizer on, allow an operation on a resource that has no ACL at all");
        key("ssl.principal.mapping.rules", Type.STRING, "DEFAULT", 0, 0,
                "Rules mapping a client certificate's distinguished name to a principal name");
        key("log.dirs", Type.STRING, "./samsa-data", 0, 0, "Data directories, comma-separated; the first also holds"
                + " the broker's metadata. New partitions go to the online one with the fewest partitions");
        key("samsa.log.dir.min.free.bytes", Type.LONG, String.valueOf(256L * 1024 * 1024), 0, Long.MAX_VALUE,
                "Refuse appends to a data directory with less free space than this or"
                        + " samsa.log.dir.min.free.ratio of its file system, whichever is smaller (0: no threshold)");
        key("samsa.log.dir.min.free.ratio", Type.DOUBLE, "0.01", 0, 1,
                "Refuse appends to a data directory with less free space than this share of its file system or"
                        + " samsa.log.dir.min.free.bytes, whichever is smaller (0: no threshold)");
        key("samsa.http.port", Type.INT, "9404", -1, 65535,
                "Port of /metrics (Prometheus), /health and /ready on the listener's host; 0 picks a free port,"
                        + " -1 turns the HTTP listener and all metrics off (the default port, the JMX exporter's,"
                        + " only warns when taken)");
        key("num.partitions", Type.INT, "1", 1, Integer.MAX_VALUE, "Partitions of auto-created topics");
        key("default.replication.factor", Type.INT, "1", 1, Short.MAX_VALUE,
                "Replication factor of auto-created topics");
        key("auto.create.topics.enable", Type.BOOLEAN, "true", 0, 0,
                "Create a topic when a client asks for metadata of one that does not exist");
        key("min.insync.replicas", Type.INT, "1", 1, Integer.MAX_VALUE,
                "Replicas that must be in sync for acks=all writes");
        key("message.max.bytes", Type.INT, "1048588", 0, Integer.MAX_VALUE, "Largest record batch accepted");
        key("socket.request.max.bytes", Type.INT, "104857600", 1, Integer.MAX_VALUE,
                "Largest request frame; a larger one closes the connection");
        key("num.network.threads", Type.INT, "3", 1, 256, "Netty event-loop threads");
        key("num.io.threads", Type.INT, "8", 1, 256, "Threads that run request handlers");
        key("connections.max.idle.ms", Type.LONG, "600000", 1, Long.MAX_VALUE,
                "Close connections idle for this long");
        key("log.segment.bytes", Type.INT, "1073741824", 14, Integer.MAX_VALUE, "Size at which a segment rolls");
        key("log.roll.ms", Type.LONG, null, 1, Long.MAX_VALUE, "Age at which a segment rolls (overrides hours)");
        key("log.roll.hours", Type.INT, "168", 1, Integer.MAX_VALUE, "Age in hours at which a segment rolls");
        key("log.retention.ms", Type.LONG, null, -1, Long.MAX_VALUE,
                "Delete segments older than this; -1 keeps forever (overrides minutes and hours)");
        key("log.retention.minutes", Type.INT, null, -1, Integer.MAX_VALUE, "Retention in minutes");
        key("log.retention.hours", Type.INT, "168", -1, Integer.MAX_VALUE, "Retention in hours");
        key("log.retention.bytes", Type.LONG, "-1", -1, Long.MAX_VALUE,
                "Delete old segments while a partition is larger; -1 means no limit");
        key("log.retention.check.interval.ms", Type.LONG, "300000", 1, Long.MAX_VALUE,
                "How often retention and time-based flushes run");
        key("log.flush.interval.messages", Type.LONG, String.valueOf(Long.MAX_VALUE), 1, Long.MAX_VALUE,
                "fsync a partition after this many records");
        key("log.flush.interval.ms", Type.LONG, null, 0, Long.MAX_VALUE,
                "fsync a partition when its last fsync is older than this");
        key("log.index.interval.bytes", Type.INT, "4096", 0, Integer.MAX_VALUE,
                "Bytes between two offset index entries");
        key("log.index.size.max.bytes", Type.INT, "10485760", 4, Integer.MAX_VALUE,
                "Largest offset index before the segment rolls");
        key("log.segment.delete.delay.ms", Type.LONG, "60000", 0, Long.MAX_VALUE,
                "Delay before a deleted segment's files are removed");
        key("log.message.timestamp.type", Type.STRING, "CreateTime", 0, 0, "CreateTime or LogAppendTime");
        key("offsets.topic.num.partitions", Type.INT, "50", 1, 10_000,
                "Partitions of __consumer_offsets (created on first use)");
        key("offset.metadata.max.bytes", Type.INT, "4096", 0, Integer.MAX_VALUE,
                "Largest metadata string a consumer may commit with an offset");
        key("offsets.retention.minutes", Type.INT, "10080", 1, Integer.MAX_VALUE,
                "How long the committed offsets of an empty group are kept");
        key("offsets.retention.check.interval.ms", Type.LONG, "600000", 1, Long.MAX_VALUE,
                "How often expired committed offsets are looked for");
        key("group.min.session.timeout.ms", Type.INT, "6000", 0, Integer.MAX_VALUE,
                "Shortest session timeout a group member may ask for");
        key("group.max.session.timeout.ms", Type.INT, "1800000", 0, Integer.MAX_VALUE,
                "Longest session timeout a group member may ask for");
        key("group.initial.rebalance.delay.ms", Type.INT, "3000", 0, Integer.MAX_VALUE,
                "How long a new group waits for more members before its first rebalance");
        key("group.max.size", Type.INT, String.valueOf(Integer.MAX_VALUE), 1, Integer.MAX_VALUE,
                "Most members a group may have");
        key("group.consumer.session.timeout.ms", Type.INT, "45000", 1, Integer.MAX_VALUE,
                "Session timeout of members using the consumer group protocol (KIP-848)");
        key("group.consumer.heartbeat.interval.ms", Type.INT, "5000", 1, Integer.MAX_VALUE,
                "Heartbeat interval the coordinator gives consumer-protocol members");
        key("group.consumer.max.size", Type.INT, String.valueOf(Integer.MAX_VALUE), 1, Integer.MAX_VALUE,
                "Most members a consumer-protocol group may have");
        key("group.consumer.assignors", Type.STRING, "uniform,range", 0, 0,
                "Server-side assignors, comma-separated, from uniform and range; the first is the default");
        key("offsets.topic.segment.bytes", Type.INT, "104857600", 1, Integer.MAX_VALUE,
                "segment.bytes of __consumer_offsets (small segments let the cleaner shrink it sooner)");
        key("log.cleanup.policy", Type.STRING, "delete", 0, 0,
                "delete, compact or compact,delete: what removes old records of a topic");
        key("transaction.state.log.num.partitions", Type.INT, "50", 1, 10_000,
                "Partitions of __transaction_state (created on first use)");
        key("transaction.max.timeout.ms", Type.INT, "900000", 1, Integer.MAX_VALUE,
                "Longest transaction.timeout.ms a producer may ask for");
        key("transaction.abort.timed.out.transaction.cleanup.interval.ms", Type.INT, "10000", 1, Integer.MAX_VALUE,
                "How often transactions open past their timeout are aborted");
        key("transactional.id.expiration.ms", Type.INT, "604800000", 1, Integer.MAX_VALUE,
                "Forget a transactional id unused for this long");
        key("transaction.remove.expired.transaction.cleanup.interval.ms", Type.INT, "3600000", 1, Integer.MAX_VALUE,
                "How often expired transactional ids are removed");
        key("max.incremental.fetch.session.cache.slots", Type.INT, "1000", 0, Integer.MAX_VALUE,
                "Most incremental fetch sessions (KIP-227) kept at once; 0 turns them off");
        key("transaction.partition.verification.enable", Type.BOOLEAN, "true", 0, 0,
                "Refuse a transactional write to a partition not in the producer's transaction (KIP-890)");
        key("compression.type", Type.STRING, "producer", 0, 0,
                "Codec batches are stored in: producer (as sent), uncompressed, gzip, snappy, lz4 or zstd");
        key("compression.gzip.level", Type.INT, "-1", -1, 9, "gzip level when the broker compresses (-1: default)");
        key("compression.lz4.level", Type.INT, "9", 1, 17, "lz4 level when the broker compresses");
        key("compression.zstd.level", Type.INT, "3", -131072, 22, "zstd level when the broker compresses");
        key("log.cleaner.enable", Type.BOOLEAN, "true", 0, 0, "Clean (compact) topics with cleanup.policy=compact");
        key("log.cleaner.threads", Type.INT, "1", 1, 256, "Threads cleaning compacted topics");
        key("log.cleaner.backoff.ms", Type.LONG, "15000", 0, Long.MAX_VALUE,
                "How long a cleaner thread sleeps when no log needs cleaning");
        key("log.cleaner.dedupe.buffer.size", Type.LONG, "134217728", 1, Long.MAX_VALUE,
                "Memory of the cleaners' key maps, all threads together (24 bytes a key)");
        key("log.cleaner.io.buffer.size", Type.INT, "524288", 0, Integer.MAX_VALUE,
                "Size of a cleaner thread's read and write buffers");
        key("log.cleaner.min.cleanable.ratio", Type.DOUBLE, "0.5", 0, 1,
                "Dirty share of a compacted log above which it is cleaned (min.cleanable.dirty.ratio)");
        key("log.cleaner.delete.retention.ms", Type.LONG, "86400000", 0, Long.MAX_VALUE,
                "How long tombstones stay after their first clean (delete.retention.ms)");
        key("log.cleaner.min.compaction.lag.ms", Type.LONG, "0", 0, Long.MAX_VALUE,
                "Records younger than this are never cleaned (min.compaction.lag.ms)");
        key("log.cleaner.max.compaction.lag.ms", Type.LONG, String.valueOf(Long.MAX_VALUE), 1, Long.MAX_VALUE,
                "Dirty records older than this are cleaned whatever the ratio (max.compaction.lag.ms)");
    }

    /** The entries of group.consumer.assignors, trimmed. */
    static java.util.List<String> assignorList(String value) {
        return java.util.Arrays.stream(value.split(",")).map(String::trim).filter(a -> !a.isEmpty()).toList();
    }

    private static void key(String name, Type type, String defaultValue, long min, long max, String doc) {
        KEYS.put(name, new Key(name, type, defaultValue, min, max, doc));
    }

    private final Map<String, String> values;
    private final Map<String, String> explicit;

    private final List<Listeners.Listener> listeners;

    private BrokerConfig(Map<String, String> values, Map<String, String> explicit,
            List<Listeners.Listener> listeners) {
        this.values = values;
        this.explicit = explicit;
        this.listeners = List.copyOf(listeners);
    }

    /**
     * Validates a configuration.
     *
     * @param settings the keys the operator set (properties file, then flags)
     * @throws ConfigException listing every invalid value
     */
    public static BrokerConfig parse(Map<String, String> settings) {
        List<String> problems = new ArrayList<>();
        Map<String, String> explicit = new TreeMap<>();
        for (Map.Entry<String, String> e : settings.entrySet()) {
            String name = e.getKey().trim();
            String value = e.getValue() == null ? "" : e.getValue().trim();
            String[] perListener = SecurityKeys.splitPerListener(name);
            if (perListener != null && SecurityKeys.isMechanismJaasConfig(perListener[1])) {
                explicit.put(name, value); // checked with its listener in checkSecurity
                continue;
            }
            Key key = KEYS.get(perListener != null && SecurityKeys.PER_LISTENER.contains(perListener[1])
                    ? perListener[1] : name);
            if (key == null) {
                if (SecurityKeys.isSecurityKey(name)) {
                    problems.add(SecurityKeys.unimplemented(name));
                } else {
                    LOG.warn("Ignoring unknown config key '{}'", name);
                }
                continue;
            }
            String problem = check(key, value);
            if (problem != null) {
                problems.add(problem);
            }
            explicit.put(name, value);
        }
        List<Listeners.Listener> listeners = Listeners.parse(
                explicit.getOrDefault("listeners", KEYS.get("listeners").defaultValue()),
                explicit.getOrDefault("advertised.listeners", ""),
                explicit.getOrDefault("listener.security.protocol.map", Listeners.DEFAULT_PROTOCOL_MAP), problems);
        checkSecurity(explicit, listeners, problems);
        try {
            ClusterConfig.check(explicit, Integer.parseInt(explicit.getOrDefault("node.id", "1")), problems);
        } catch (NumberFormatException e) {
            // node.id's own check reports it
        }
        if (assignorList(explicit.getOrDefault("log.dirs", KEYS.get("log.dirs").defaultValue())).isEmpty()) {
            problems.add("Invalid value '" + explicit.get("log.dirs") + "' for log.dirs: a comma-separated list of"
                    + " at least one directory");
        }
        checkItems(explicit, "log.cleanup.policy", Set.of("delete", "compact"), problems);
        checkItems(explicit, "compression.type",
                Set.of("producer", "uncompressed", "gzip", "snappy", "lz4", "zstd"), problems);
        if ("0".equals(explicit.get("compression.gzip.level"))) {
            problems.add("Invalid value 0 for compression.gzip.level: must be -1 or in 1..9");
        }
        String tsType = explicit.getOrDefault("log.message.timestamp.type", "CreateTime");
        if (!tsType.equals("CreateTime") && !tsType.equals("LogAppendTime")) {
            problems.add("Invalid value '" + tsType + "' for log.message.timestamp.type: must be CreateTime or"
                    + " LogAppendTime");
        }
        String assignors = explicit.getOrDefault("group.consumer.assignors", "uniform,range");
        if (assignorList(assignors).isEmpty()
                || !assignorList(assignors).stream().allMatch(GroupCoordinator.ConsumerProtocol::isKnownAssignor)) {
            problems.add("Invalid value '" + assignors + "' for group.consumer.assignors: a comma-separated list of"
                    + " uniform and range");
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(String.join("\n", problems));
        }
        Map<String, String> values = new TreeMap<>();
        KEYS.values().forEach(k -> {
            if (k.defaultValue() != null) {
                values.put(k.name(), k.defaultValue());
            }
        });
        values.putAll(explicit);
        return new BrokerConfig(values, explicit, listeners);
    }

    /** The protocols a listener may use in this version. */
    private static final Set<SecurityProtocol> IMPLEMENTED_PROTOCOLS =
            java.util.EnumSet.allOf(SecurityProtocol.class);

    /** Cross-key checks of the security settings: per-listener prefixes, protocols, choices. */
    private static void checkSecurity(Map<String, String> explicit, List<Listeners.Listener> listeners,
            List<String> problems) {
        Set<String> names = new TreeSet<>();
        listeners.forEach(l -> names.add(l.name()));
        for (String name : explicit.keySet()) {
            String[] perListener = SecurityKeys.splitPerListener(name);
            if (perListener != null && KEYS.containsKey(perListener[1]) && !names.isEmpty()
                    && !names.contains(perListener[0])) {
                problems.add("Invalid key '" + name + "': there is no listener " + perListener[0] + " in listeners "
                        + names);
            }
        }
        for (Listeners.Listener l : listeners) {
            if (!IMPLEMENTED_PROTOCOLS.contains(l.protocol())) {
                problems.add("Unsupported security protocol " + l.protocol() + " of listener " + l.name()
                        + " (listeners): this broker does not implement it, and refuses to start rather than run"
                        + " without the protection it asks for");
            }
        }
        for (Listeners.Listener l : listeners) {
            if (l.protocol().sasl()) {
                checkSasl(l.name(), explicit, problems);
            }
        }
        String authorizer = explicit.getOrDefault("authorizer.class.name", "");
        if (!authorizer.isEmpty() && !authorizer.equals(STANDARD_AUTHORIZER)) {
            problems.add("Unsupported authorizer.class.name '" + authorizer + "': this broker implements ACLs with"
                    + " Kafka's semantics under " + STANDARD_AUTHORIZER + " (or leave it empty for none), and refuses"
                    + " to start rather than run without the authorization it asks for");
        }
        for (String principal : SecurityKeys.superUsers(explicit.getOrDefault("super.users", ""))) {
            if (principal.indexOf(':') <= 0) {
                problems.add("Invalid value '" + principal + "' in super.users: a principal is Type:name, e.g."
                        + " User:admin");
            }
        }
        String interBroker = explicit.get("inter.broker.listener.name");
        if (interBroker != null && !names.isEmpty() && !names.contains(interBroker.toUpperCase(java.util.Locale.ROOT))) {
            problems.add("Invalid value '" + interBroker + "' for inter.broker.listener.name: must be one of the"
                    + " listeners " + names);
        }
        if (interBroker != null && explicit.containsKey("security.inter.broker.protocol")) {
            problems.add("Only one of inter.broker.listener.name and security.inter.broker.protocol may be set");
        }
        checkChoice(explicit, "security.inter.broker.protocol",
                Set.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"), problems);
        checkChoice(explicit, "ssl.endpoint.identification.algorithm", Set.of("https", ""), problems);
        for (Map.Entry<String, String> e : explicit.entrySet()) {
            String[] perListener = SecurityKeys.splitPerListener(e.getKey());
            String key = perListener != null ? perListener[1] : e.getKey();
            switch (key) {
                case "ssl.client.auth" -> checkChoice(e.getKey(), e.getValue(),
                        Set.of("none", "requested", "required"), problems);
                case "ssl.keystore.type", "ssl.truststore.type" -> checkChoice(e.getKey(),
                        e.getValue().toUpperCase(java.util.Locale.ROOT), Set.of("JKS", "PKCS12", "PEM"), problems);
                default -> { }
            }
        }
    }

    /** A SASL listener's mechanisms are implemented, and PLAIN has its users. */
    private static void checkSasl(String listener, Map<String, String> explicit, List<String> problems) {
        String prefix = "listener.name." + listener.toLowerCase(java.util.Locale.ROOT) + ".";
        String mechanisms = explicit.getOrDefault(prefix + "sasl.enabled.mechanisms",
                explicit.getOrDefault("sasl.enabled.mechanisms", KEYS.get("sasl.enabled.mechanisms").defaultValue()));
        List<String> enabled = SecurityKeys.list(mechanisms);
        if (enabled.isEmpty()) {
            problems.add("SASL listener " + listener + " has no mechanism: set sasl.enabled.mechanisms");
        }
        for (String mechanism : enabled) {
            if (!io.samsa.security.SaslConfig.IMPLEMENTED.contains(mechanism)) {
                problems.add("Unsupported SASL mechanism " + mechanism + " in sasl.enabled.mechanisms of listener "
                        + listener + ": this broker implements " + io.samsa.security.SaslConfig.IMPLEMENTED
                        + (mechanism.equals("GSSAPI") ? " (GSSAPI is Kafka's default: set the key)" : ""));
            }
        }
        if (enabled.contains("PLAIN")) {
            String jaasKey = prefix + "plain.sasl.jaas.config";
            String jaas = explicit.get(jaasKey);
            if (jaas == null) {
                problems.add("SASL listener " + listener + " enables PLAIN but has no " + jaasKey
                        + " with its users (user_<name>=\"<password>\")");
            } else {
                try {
                    if (io.samsa.security.JaasConfig.parse(jaas).plainUsers().isEmpty()) {
                        problems.add("Invalid value for " + jaasKey + ": it has no user_<name>=\"<password>\"");
                    }
                } catch (IllegalArgumentException e) {
                    problems.add("Invalid value for " + jaasKey + ": " + e.getMessage());
                }
            }
        }
    }

    private static void checkChoice(Map<String, String> explicit, String name, Set<String> allowed,
            List<String> problems) {
        if (explicit.containsKey(name)) {
            checkChoice(name, explicit.get(name), allowed, problems);
        }
    }

    private static void checkChoice(String name, String value, Set<String> allowed, List<String> problems) {
        if (!allowed.contains(value)) {
            problems.add("Invalid value '" + value + "' for " + name + ": must be one of "
                    + allowed.stream().map(a -> a.isEmpty() ? "(empty)" : a).sorted().toList());
        }
    }

    /** A STRING key whose value is a comma-separated list (or a single one) of {@code allowed} items. */
    private static void checkItems(Map<String, String> explicit, String name, Set<String> allowed,
            List<String> problems) {
        String value = explicit.get(name);
        if (value == null) {
            return;
        }
        boolean single = !name.equals("log.cleanup.policy");
        List<String> items = List.of(value.split("\\s*,\\s*"));
        if ((single && items.size() != 1) || !allowed.containsAll(items)) {
            problems.add("Invalid value '" + value + "' for " + name + ": must be " + (single ? "one" : "a list")
                    + " of " + String.join(", ", new TreeSet<>(allowed)));
        }
    }

    private static String check(Key key, String value) {
        switch (key.type()) {
            case INT, LONG -> {
                long parsed;
                try {
                    parsed = Long.parseLong(value);
                    if (key.type() == Type.INT && (parsed < Integer.MIN_VALUE || parsed > Integer.MAX_VALUE)) {
                        throw new NumberFormatException();
                    }
                } catch (NumberFormatException e) {
                    return "Invalid value '" + value + "' for " + key.name() + ": expected a whole number in "
                            + key.min() + ".." + key.max();
                }
                if (parsed < key.min() || parsed > key.max()) {
                    return "Invalid value " + value + " for " + key.name() + ": must be in " + key.min() + ".."
                            + key.max();
                }
            }
            case DOUBLE -> {
                double parsed;
                try {
                    parsed = Double.parseDouble(value);
                } catch (NumberFormatException e) {
                    parsed = Double.NaN;
                }
                if (!(parsed >= key.min() && parsed <= key.max())) {
                    return "Invalid value '" + value + "' for " + key.name() + ": expected a number in " + key.min()
                            + ".." + key.max();
                }
            }
            case BOOLEAN -> {
                if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
                    return "Invalid value '" + value + "' for " + key.name() + ": expected true or false";
                }
            }
            case STRING -> {
                // checked by the cross-key rules of parse
            }
        }
        return null;
    }

    public String get(String key) {
        return values.get(key);
    }

    public int getInt(String key) {
        return Integer.parseInt(values.get(key));
    }

    public long getLong(String key) {
        return Long.parseLong(values.get(key));
    }

    public boolean getBoolean(String key) {
        return Boolean.parseBoolean(values.get(key));
    }

    public int nodeId() {
        return getInt("node.id");
    }

    /** The inter-broker listener's name (inter.broker.listener.name, upper case), or null when unset. */
    String interBrokerListener() {
        String name = explicit.get("inter.broker.listener.name");
        return name == null ? null : name.toUpperCase(java.util.Locale.ROOT);
    }

    /** The listeners, in the order of {@code listeners}. */
    List<Listeners.Listener> listeners() {
        return listeners;
    }

    /**
     * A setting as it applies to one listener: Kafka's {@code listener.name.<name>.<key>} when set, else the
     * broker-wide value (or default).
     */
    public String listenerValue(String listenerName, String key) {
        String prefix = "listener.name." + listenerName.toLowerCase(java.util.Locale.ROOT) + ".";
        for (Map.Entry<String, String> e : explicit.entrySet()) {
            if (e.getKey().equalsIgnoreCase(prefix + key)) {
                return e.getValue();
            }
        }
        return values.get(key);
    }

    /** The first of log.dirs: the broker's metadata lives there. */
    public Path dataDir() {
        return dataDirs().getFirst();
    }

    /** Every entry of log.dirs, in order. */
    public java.util.List<Path> dataDirs() {
        return java.util.Arrays.stream(values.get("log.dirs").split(",")).map(String::trim)
                .filter(dir -> !dir.isEmpty()).map(Path::of).toList();
    }

    public double getDouble(String key) {
        return Double.parseDouble(values.get(key));
    }

    public long retentionMs() {
        if (explicit.containsKey("log.retention.ms")) {
            return getLong("log.retention.ms");
        }
        if (explicit.containsKey("log.retention.minutes")) {
            long minutes = getLong("log.retention.minutes");
            return minutes < 0 ? -1 : minutes * 60_000L;
        }
        long hours = getLong("log.retention.hours");
        return hours < 0 ? -1 : hours * 3_600_000L;
    }

    /** The log cleaner's settings (log.cleaner.*). */
    public CleanerConfig cleanerConfig() {
        return new CleanerConfig(getBoolean("log.cleaner.enable"), getInt("log.cleaner.threads"),
                getLong("log.cleaner.backoff.ms"), getLong("log.cleaner.dedupe.buffer.size"),
                getInt("log.cleaner.io.buffer.size"), CleanerConfig.defaults().loadFactor());
    }

    public long rollMs() {
        return explicit.containsKey("log.roll.ms") ? getLong("log.roll.ms") : getLong("log.roll.hours") * 3_600_000L;
    }

    /** Every key with its value, defaults included. */
    public Map<String, String> values() {
        return values;
    }

    /** The keys the operator set. */
    public Map<String, String> explicit() {
        return explicit;
    }

    /**
     * The broker settings that give topics their defaults, keyed by the broker key {@code TopicConfigs} names, with
     * the derived ones (retention and roll in ms) resolved.
     */
    public Map<String, String> topicDefaultSettings() {
        Map<String, String> result = new TreeMap<>(explicit);
        boolean retentionSet = explicit.containsKey("log.retention.ms") || explicit.containsKey("log.retention.minutes")
                || explicit.containsKey("log.retention.hours");
        if (retentionSet) {
            result.put("log.retention.ms", String.valueOf(retentionMs()));
        }
        if (explicit.containsKey("log.roll.ms") || explicit.containsKey("log.roll.hours")) {
            result.put("log.roll.ms", String.valueOf(rollMs()));
        }
        return result;
    }

    /** The text {@code --help} prints: every key, its default and what it does. */
    static String describeKeys() {
        StringBuilder out = new StringBuilder();
        for (Key key : KEYS.values()) {
            out.append(String.format("  %-34s %s (default: %s)%n", key.name(), key.doc(),
                    key.defaultValue() == null ? "unset" : key.defaultValue()));
        }
        return out.toString();
    }
}
