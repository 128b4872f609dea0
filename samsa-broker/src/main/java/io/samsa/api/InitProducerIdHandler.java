package io.samsa.api;

import io.samsa.metadata.MetadataController;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * InitProducerId for idempotent producers: a fresh producer id at epoch 0. Ids come from blocks allocated through the
 * metadata log, so they are never reused, even across restarts. Transactional ids arrive with the transaction
 * coordinator; until then they get UNSUPPORTED_VERSION (and FindCoordinator for transactions is not advertised).
 *
 * <p>Thread-safe: the current block is guarded by this object's lock.
 */
final class InitProducerIdHandler implements ApiHandler {

    static final int BLOCK_SIZE = 1000;

    private final MetadataController metadata;
    private long next;
    private long blockEnd;

    InitProducerIdHandler(MetadataController metadata) {
        this.metadata = metadata;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        InitProducerIdRequestData data = (InitProducerIdRequestData) request.body();
        InitProducerIdResponseData response = new InitProducerIdResponseData().setProducerId(-1).setProducerEpoch(
                (short) -1);
        if (data.transactionalId() != null) {
            return CompletableFuture.completedFuture(response.setErrorCode(Errors.UNSUPPORTED_VERSION.code()));
        }
        return CompletableFuture.completedFuture(response.setErrorCode(Errors.NONE.code())
                .setProducerId(nextProducerId()).setProducerEpoch((short) 0));
    }

    private synchronized long nextProducerId() {
        if (next == blockEnd) {
            next = metadata.allocateProducerIds(BLOCK_SIZE);
            blockEnd = next + BLOCK_SIZE;
        }
        return next++;
    }
}
