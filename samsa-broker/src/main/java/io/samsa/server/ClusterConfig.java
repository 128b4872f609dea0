package io.samsa.server;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Where this node's peers are: {@code controller.quorum.voters} (Kafka's key: {@code id@host:port,...}, the Raft
 * address of every voter as this node reaches it, its own entry being where it listens for Raft) and
 * {@code samsa.peers} ({@code id@host:port,...}, the Kafka-protocol address of every other node, for forwarded
 * requests). Without voters a node is a cluster of one: a one-voter quorum on a loopback port of its own choosing.
 *
 * @param nodeId this node
 * @param voters Raft address of each voter, by node id (this node alone, port 0, for a single node)
 * @param peers Kafka-protocol address of each other node, by node id
 * @param clusterId the configured cluster id, or null for a single node (whose data directory makes its own)
 */
record ClusterConfig(int nodeId, Map<Integer, InetSocketAddress> voters, Map<Integer, InetSocketAddress> peers,
        String clusterId) {

    static final String VOTERS = "controller.quorum.voters";
    static final String PEERS = "samsa.peers";
    static final String CLUSTER_ID = "samsa.cluster.id";

    /** Whether this node is one of several. */
    boolean isCluster() {
        return clusterId != null;
    }

    static ClusterConfig of(BrokerConfig config) {
        int nodeId = config.nodeId();
        String voterList = config.get(VOTERS);
        if (voterList == null || voterList.isBlank()) {
            return new ClusterConfig(nodeId, Map.of(nodeId, new InetSocketAddress("127.0.0.1", 0)), Map.of(), null);
        }
        Map<Integer, InetSocketAddress> voters = parse(VOTERS, voterList, null);
        Map<Integer, InetSocketAddress> peers = parse(PEERS, config.get(PEERS) == null ? "" : config.get(PEERS),
                null);
        String clusterId = config.get(CLUSTER_ID);
        if (clusterId == null || clusterId.isBlank()) {
            clusterId = derivedClusterId(voters.keySet().stream().sorted().toList());
        }
        return new ClusterConfig(nodeId, voters, peers, clusterId);
    }

    /**
     * A cluster id all nodes agree on without a formatting step: a name-based UUID of the voter ids, in Kafka's form
     * (22 characters of URL-safe base64). Clusters with the same voter ids get the same id unless
     * {@code samsa.cluster.id} sets one.
     */
    static String derivedClusterId(List<Integer> voterIds) {
        UUID uuid = UUID.nameUUIDFromBytes(("samsa-cluster:" + voterIds).getBytes(StandardCharsets.UTF_8));
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(16);
        bytes.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
    }

    /** The Raft group of a cluster: the same on every node, different for every cluster id. */
    static UUID groupId(String clusterId) {
        return UUID.nameUUIDFromBytes(("samsa-metadata:" + clusterId).getBytes(StandardCharsets.UTF_8));
    }

    /** Adds what is wrong with the cluster keys to {@code problems}, naming the key and the node. */
    static void check(Map<String, String> explicit, int nodeId, List<String> problems) {
        String voterList = explicit.getOrDefault(VOTERS, "");
        String peerList = explicit.getOrDefault(PEERS, "");
        if (voterList.isBlank()) {
            if (!peerList.isBlank()) {
                problems.add(PEERS + " (--peers) is set but " + VOTERS + " (--voters) is not: a node with peers"
                        + " needs the voter list");
            }
            return;
        }
        Map<Integer, InetSocketAddress> voters = parse(VOTERS, voterList, problems);
        Map<Integer, InetSocketAddress> peers = parse(PEERS, peerList, problems);
        if (voters == null || peers == null) {
            return;
        }
        if (!voters.containsKey(nodeId)) {
            problems.add(VOTERS + " (--voters) " + voterList + " does not name this node (node.id=" + nodeId
                    + "): every node is a voter and listens for Raft at its own entry");
        }
        if (voters.size() > 5) {
            problems.add(VOTERS + " (--voters) names " + voters.size() + " voters; at most 5 are supported");
        }
        if (peers.containsKey(nodeId)) {
            problems.add(PEERS + " (--peers) names this node's own id " + nodeId
                    + ": conflicting node ids (each node has a unique node.id; peers lists the others)");
        }
        for (int id : voters.keySet()) {
            if (id != nodeId && !peers.containsKey(id)) {
                problems.add(PEERS + " (--peers) has no address for voter " + id + " (node " + nodeId
                        + " forwards requests to whichever node is the controller)");
            }
        }
        for (int id : peers.keySet()) {
            if (!voters.containsKey(id)) {
                problems.add(PEERS + " (--peers) names node " + id + ", which is not in " + VOTERS);
            }
        }
    }

    /** Parses {@code id@host:port,...}; with {@code problems} null a bad list throws. */
    private static Map<Integer, InetSocketAddress> parse(String key, String list, List<String> problems) {
        Map<Integer, InetSocketAddress> out = new TreeMap<>();
        for (String item : list.split(",")) {
            String entry = item.trim();
            if (entry.isEmpty()) {
                continue;
            }
            int at = entry.indexOf('@');
            int colon = entry.lastIndexOf(':');
            try {
                if (at <= 0 || colon < at + 2) {
                    throw new IllegalArgumentException();
                }
                int id = Integer.parseInt(entry.substring(0, at));
                String host = entry.substring(at + 1, colon);
                int port = Integer.parseInt(entry.substring(colon + 1));
                if (id < 0 || port <= 0 || port > 65535) {
                    throw new IllegalArgumentException();
                }
                if (out.put(id, InetSocketAddress.createUnresolved(host, port)) != null) {
                    return fail(problems, key + " names node " + id + " twice: conflicting node ids in '" + list
                            + "'");
                }
            } catch (IllegalArgumentException e) {
                return fail(problems, "Invalid entry '" + entry + "' in " + key + ": expected id@host:port");
            }
        }
        return out;
    }

    private static Map<Integer, InetSocketAddress> fail(List<String> problems, String problem) {
        if (problems == null) {
            throw new ConfigException(problem);
        }
        problems.add(problem);
        return null;
    }

    @Override
    public String toString() {
        return "node " + nodeId + ", voters " + voters.entrySet().stream()
                .map(e -> e.getKey() + "@" + e.getValue().getHostString() + ":" + e.getValue().getPort())
                .collect(Collectors.joining(","));
    }
}
