/**
 * The metadata quorum on Apache Ratis: every node is a voter, the metadata log is the Raft log, the state machine
 * applies committed batches to the {@link io.samsa.metadata.MetadataImage} and snapshots it as records.
 */
package io.samsa.metadata.quorum;
