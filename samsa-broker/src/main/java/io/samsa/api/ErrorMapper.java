package io.samsa.api;

import io.samsa.log.StorageException;
import io.samsa.metadata.MetadataException;
import io.samsa.replication.ReplicationException;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.Errors;

/** Turns the exceptions of the layers below into the Kafka errors clients expect. Thread-safe (stateless). */
final class ErrorMapper {

    private ErrorMapper() {}

    static Errors toError(Throwable error) {
        return switch (unwrap(error)) {
            case StorageException s -> switch (s.kind()) {
                case CORRUPT_MESSAGE -> Errors.CORRUPT_MESSAGE;
                case RECORD_TOO_LARGE -> Errors.MESSAGE_TOO_LARGE;
                case INVALID_RECORD -> Errors.INVALID_RECORD;
                case INVALID_TIMESTAMP -> Errors.INVALID_TIMESTAMP;
                case OFFSET_OUT_OF_RANGE -> Errors.OFFSET_OUT_OF_RANGE;
                case OUT_OF_ORDER_SEQUENCE -> Errors.OUT_OF_ORDER_SEQUENCE_NUMBER;
                case INVALID_PRODUCER_EPOCH -> Errors.INVALID_PRODUCER_EPOCH;
                case INVALID_TXN_STATE -> Errors.INVALID_TXN_STATE;
                case TRANSACTION_COORDINATOR_FENCED -> Errors.TRANSACTION_COORDINATOR_FENCED;
                case STORAGE_ERROR -> Errors.KAFKA_STORAGE_ERROR;
            };
            case ReplicationException r -> Errors.valueOf(r.kind().name());
            case io.samsa.coordinator.PartitionWriter.WriteFailedException w -> Errors.valueOf(w.failure().name());
            case MetadataException m -> Errors.valueOf(m.kind().name());
            case Throwable other -> Errors.forException(other);
        };
    }

    static Errors toError(io.samsa.coordinator.group.GroupError error) {
        return Errors.valueOf(error.name());
    }

    static Errors toError(io.samsa.coordinator.transaction.TxnError error) {
        return Errors.valueOf(error.name());
    }

    /** The message to send along, or null for Kafka's default message of the error. */
    static String message(Throwable error) {
        return unwrap(error).getMessage();
    }

    /** The records of a batch that caused its refusal (KIP-467), empty when the batch as a whole was refused. */
    static List<ProduceResponseData.BatchIndexAndErrorMessage> recordErrors(Throwable error) {
        if (!(unwrap(error) instanceof StorageException s)) {
            return new ArrayList<>();
        }
        List<ProduceResponseData.BatchIndexAndErrorMessage> errors = new ArrayList<>();
        for (StorageException.RecordError e : s.recordErrors()) {
            errors.add(new ProduceResponseData.BatchIndexAndErrorMessage().setBatchIndex(e.batchIndex())
                    .setBatchIndexErrorMessage(e.message()));
        }
        return errors;
    }

    /** The failure itself, not the CompletionException a future wrapped it in. */
    private static Throwable unwrap(Throwable error) {
        return error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause() : error;
    }
}
