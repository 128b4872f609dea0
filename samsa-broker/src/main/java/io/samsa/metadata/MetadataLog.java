package io.samsa.metadata;

import java.util.List;

/**
 * The replicated log of metadata records. On one node it is {@link LocalMetadataLog}; the Raft quorum on Apache
 * Ratis will implement the same interface.
 */
public interface MetadataLog extends AutoCloseable {

    /** Every record committed so far, oldest first. */
    List<MetadataRecord> readAll();

    /** Appends records atomically; they are durable (committed) when this returns. */
    void append(List<MetadataRecord> records);

    @Override
    void close();
}
