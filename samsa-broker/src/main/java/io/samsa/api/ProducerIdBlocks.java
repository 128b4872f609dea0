package io.samsa.api;

import io.samsa.metadata.MetadataController;

/**
 * Producer ids for idempotent and transactional producers, handed out from blocks allocated through the metadata
 * log, so that no id is ever given twice, even across restarts.
 *
 * <p>Thread-safe: the current block is guarded by this object's lock.
 */
public final class ProducerIdBlocks {

    static final int BLOCK_SIZE = 1000;

    private final MetadataController metadata;
    private long next;
    private long blockEnd;

    public ProducerIdBlocks(MetadataController metadata) {
        this.metadata = metadata;
    }

    public synchronized long nextProducerId() {
        if (next == blockEnd) {
            next = metadata.allocateProducerIds(BLOCK_SIZE);
            blockEnd = next + BLOCK_SIZE;
        }
        return next++;
    }
}
