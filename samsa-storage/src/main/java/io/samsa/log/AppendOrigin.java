package io.samsa.log;

/** Who writes a batch, which decides the checks it gets (Kafka's AppendOrigin). */
public enum AppendOrigin {
    /**
     * A producer: sequence numbers are checked and retries deduplicated; control batches are refused, since only a
     * transaction coordinator may end a transaction.
     */
    CLIENT,
    /**
     * A coordinator of this broker: transaction markers (control batches) and the coordinators' own transactional
     * records. Their sequence numbers mean nothing (the group coordinator writes every transactional offset commit
     * at sequence 0), so only the producer epoch is checked.
     */
    COORDINATOR
}
