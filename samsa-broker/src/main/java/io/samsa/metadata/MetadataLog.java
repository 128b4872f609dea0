package io.samsa.metadata;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The replicated log of metadata records and the state machine behind it: every node applies committed batches, in
 * log order, to its {@link MetadataImage} and tells its {@link Listener}. Appending is asynchronous and only the
 * quorum's leader may append. Implementations: the Raft quorum on Apache Ratis
 * ({@code io.samsa.metadata.quorum.RatisMetadataLog}), and {@link LocalMetadataLog} (one file, no quorum) for unit
 * tests and for migrating a data directory written before the quorum existed.
 */
public interface MetadataLog extends AutoCloseable {

    /** What a node learns from its metadata log. Calls come from one thread at a time, in log order. */
    interface Listener {

        /**
         * The image after a committed batch at {@code offset} (or after restoring a snapshot: then offset is the
         * snapshot's). Images only move forward, except when a lagging node installs a newer snapshot.
         */
        void applied(MetadataImage image, long offset);

        /**
         * This node leads the quorum for {@code epoch} and has applied every entry before its leadership: it may now
         * act as the controller, appending on top of the last applied image.
         */
        void leaderReady(long epoch);

        /** This node no longer leads (or never did after a leaderReady): appends will fail. */
        void resigned();
    }

    /** Loads local state (snapshot, log) and joins the quorum; calls {@code listener} from then on. */
    void start(Listener listener);

    /**
     * Appends a batch of records atomically, if this node leads the quorum.
     *
     * @return completes with the batch's offset once committed, or fails with a {@link MetadataException} of kind
     *     NOT_CONTROLLER (not the leader, or deposed) or REQUEST_TIMED_OUT
     */
    CompletableFuture<Long> append(List<MetadataRecord> records);

    @Override
    void close();
}
