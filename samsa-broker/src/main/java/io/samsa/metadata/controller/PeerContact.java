package io.samsa.metadata.controller;

/**
 * What the metadata quorum knows of each node's liveness, read by a controller when it becomes active (see {@link
 * BrokerSessions}). In combined mode every broker is also a quorum member, so the quorum leader has heard from it (or
 * not) on the quorum's own connections.
 */
@FunctionalInterface
public interface PeerContact {

    /** Nothing is known: every broker is taken to have been heard from at the moment of the question. */
    PeerContact NONE = nodeId -> 0;

    /**
     * How long this node has certainly not heard from {@code nodeId}, in milliseconds: a lower bound, 0 when it has
     * heard from it just now or knows nothing about it.
     */
    long silentForMs(int nodeId);
}
