package io.samsa.server;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

/**
 * {@code meta.properties} in the data directory, as in Kafka: the cluster id (made on first start) and the node id,
 * so that a data directory is never served by a broker it does not belong to.
 *
 * @param clusterId the cluster id
 * @param nodeId the node id that owns the directory
 */
record MetaProperties(String clusterId, int nodeId) {

    static final String FILE_NAME = "meta.properties";

    /** Loads the directory's identity, creating it on first start; refuses a directory of another node. */
    static MetaProperties loadOrCreate(Path dataDir, int nodeId) {
        return loadOrCreate(dataDir, nodeId, null);
    }

    /**
     * Loads the directory's identity, creating it on first start with {@code clusterId} (or a new id when null);
     * refuses, changing nothing, a directory of another node or of another cluster.
     */
    static MetaProperties loadOrCreate(Path dataDir, int nodeId, String clusterId) {
        Path file = dataDir.resolve(FILE_NAME);
        try {
            if (Files.exists(file)) {
                Properties props = new Properties();
                try (Reader in = Files.newBufferedReader(file)) {
                    props.load(in);
                }
                int stored = Integer.parseInt(props.getProperty("node.id", "-1"));
                if (stored != nodeId) {
                    throw new ConfigException("The data directory " + dataDir + " belongs to node.id " + stored
                            + ", but this broker has node.id " + nodeId);
                }
                String storedCluster = props.getProperty("cluster.id");
                if (clusterId != null && !clusterId.equals(storedCluster)) {
                    throw new ConfigException("The data directory " + dataDir + " belongs to cluster " + storedCluster
                            + ", but this node is configured for cluster " + clusterId + " (from samsa.cluster.id or"
                            + " the ids in controller.quorum.voters); refusing to start, nothing was changed. Use an"
                            + " empty data directory to join this cluster.");
                }
                return new MetaProperties(storedCluster, stored);
            }
            MetaProperties created = new MetaProperties(clusterId != null ? clusterId : newClusterId(), nodeId);
            Properties props = new Properties();
            props.setProperty("version", "1");
            props.setProperty("cluster.id", created.clusterId());
            props.setProperty("node.id", String.valueOf(nodeId));
            Path tmp = dataDir.resolve(FILE_NAME + ".tmp");
            java.io.StringWriter text = new java.io.StringWriter();
            props.store(text, "Samsa data directory identity");
            // Durable before it counts: a disk failing soon after the first start must not leave an empty file.
            try (java.nio.channels.FileChannel out = java.nio.channels.FileChannel.open(tmp,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE,
                    java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
                java.nio.ByteBuffer bytes = java.nio.ByteBuffer.wrap(
                        text.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
                out.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (java.nio.channels.FileChannel dir = java.nio.channels.FileChannel.open(dataDir,
                    java.nio.file.StandardOpenOption.READ)) {
                dir.force(true);
            } catch (IOException e) {
                // Platforms that cannot open a directory (Windows): the rename is atomic there all the same.
            }
            return created;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * A Kafka-style cluster id: 16 random bytes, URL-safe base64 without padding. It must be unique, not secret, so
     * a non-cryptographic generator is enough, and it spares the first start the ~50 ms of seeding SecureRandom.
     */
    private static String newClusterId() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(16);
        bytes.putLong(random.nextLong() ^ System.nanoTime()).putLong(random.nextLong() ^ ProcessHandle.current().pid());
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
    }
}
