/**
 * Cluster metadata: the typed records of the metadata log, the immutable image built from them, and the controller
 * that validates changes and writes them. One node runs {@link io.samsa.metadata.LocalMetadataLog}; the Ratis quorum
 * will stand behind the same {@link io.samsa.metadata.MetadataLog} interface.
 */
package io.samsa.metadata;
