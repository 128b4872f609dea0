package io.samsa.api;

import io.samsa.metadata.MetadataImage;
import io.samsa.replication.Partition;
import io.samsa.replication.ReplicaManager;
import java.util.function.ToIntFunction;

/**
 * Where the coordinator of a group or a transactional id is: the leader of the key's partition of the coordinator's
 * internal topic ({@code __consumer_offsets}, {@code __transaction_state}; DESIGN decision 6). FindCoordinator names
 * it; a coordinator request that reaches any other node is answered NOT_COORDINATOR, so the client looks again.
 * Thread-safe (stateless over the published image and the replicas' state).
 */
final class Coordinators {

    /** The two kinds of coordinator, with FindCoordinator's key types. */
    enum Kind {
        GROUP((byte) 0), TRANSACTION((byte) 1);

        final byte keyType;

        Kind(byte keyType) {
            this.keyType = keyType;
        }
    }

    private final ClusterView cluster;
    private final ReplicaManager replicas;
    private final InternalTopic offsetsTopic;
    private final ToIntFunction<String> groupPartition;
    private final InternalTopic transactionStateTopic;
    private final ToIntFunction<String> transactionPartition;

    Coordinators(ClusterView cluster, ReplicaManager replicas, InternalTopic offsetsTopic,
            ToIntFunction<String> groupPartition, InternalTopic transactionStateTopic,
            ToIntFunction<String> transactionPartition) {
        this.cluster = cluster;
        this.replicas = replicas;
        this.offsetsTopic = offsetsTopic;
        this.groupPartition = groupPartition;
        this.transactionStateTopic = transactionStateTopic;
        this.transactionPartition = transactionPartition;
    }

    InternalTopic topic(Kind kind) {
        return kind == Kind.GROUP ? offsetsTopic : transactionStateTopic;
    }

    int partitionFor(Kind kind, String key) {
        return (kind == Kind.GROUP ? groupPartition : transactionPartition).applyAsInt(key);
    }

    /**
     * The leader of the key's partition as the image has it: the coordinator, or -1 while the partition has no
     * leader (or the topic does not exist yet).
     */
    int coordinatorOf(MetadataImage image, Kind kind, String key) {
        MetadataImage.PartitionImage p = ClusterView.partition(image, topic(kind).name(), partitionFor(kind, key));
        return p == null ? ClusterView.NONE : p.leader();
    }

    /**
     * Whether this node coordinates the key: it leads the key's partition. Before the internal topic exists, this
     * node answers (and creates the topic on first use, as the coordinators do for their first write).
     */
    boolean isLocal(Kind kind, String key) {
        MetadataImage image = cluster.image();
        String topic = topic(kind).name();
        if (image.topic(topic) == null) {
            return true;
        }
        Partition partition = replicas.partition(topic, partitionFor(kind, key));
        return partition != null && partition.isLeader();
    }
}
