package io.samsa.api;

import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;
import org.apache.kafka.common.errors.CoordinatorLoadInProgressException;

/**
 * Producer ids for idempotent and transactional producers, handed out from blocks allocated through the metadata
 * log (by the active controller, wherever it is), so that no id is ever given twice, even across restarts.
 *
 * <p>The next block is requested when half of the current one is used, so a request thread never waits for the
 * controller; should the ids run out before it arrives, the caller gets COORDINATOR_LOAD_IN_PROGRESS, which producers
 * retry.
 *
 * <p>Thread-safe: the blocks are guarded by this object's lock.
 */
public final class ProducerIdBlocks {

    static final int BLOCK_SIZE = 1000;

    /** Allocates a block of {@code size} ids; completes with its first id once committed. */
    private final IntFunction<CompletableFuture<Long>> allocator;
    private long next;
    private long blockEnd;
    private CompletableFuture<Long> nextBlock;

    public ProducerIdBlocks(IntFunction<CompletableFuture<Long>> allocator) {
        this.allocator = allocator;
    }

    /** Requests the first block (at start-up); completes when it is here. */
    public synchronized CompletableFuture<Long> prefetch() {
        if (nextBlock == null) {
            nextBlock = allocator.apply(BLOCK_SIZE);
        }
        return nextBlock;
    }

    /** @throws CoordinatorLoadInProgressException when no id is at hand yet (retriable) */
    public synchronized long nextProducerId() {
        if (next == blockEnd) {
            CompletableFuture<Long> block = prefetch();
            if (!block.isDone()) {
                throw new CoordinatorLoadInProgressException("Producer ids are being allocated; retry.");
            }
            nextBlock = null;
            if (block.isCompletedExceptionally()) {
                throw new CoordinatorLoadInProgressException("Producer ids could not be allocated yet ("
                        + block.exceptionNow().getMessage() + "); retry.");
            }
            next = block.join();
            blockEnd = next + BLOCK_SIZE;
        }
        if (nextBlock == null && blockEnd - next <= BLOCK_SIZE / 2) {
            prefetch();
        }
        return next++;
    }
}
