package io.samsa.api;

import io.samsa.metadata.MetadataController;
import io.samsa.metadata.MetadataRecord;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import io.samsa.security.ScramCredential;
import io.samsa.security.ScramMechanism;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData.ScramCredentialDeletion;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData.ScramCredentialUpsertion;
import org.apache.kafka.common.message.AlterUserScramCredentialsResponseData;
import org.apache.kafka.common.message.AlterUserScramCredentialsResponseData.AlterUserScramCredentialsResult;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * AlterUserScramCredentials: the client sends a salt and the salted password (never the password); the broker keeps
 * only StoredKey and ServerKey derived from it, in the metadata log, so that a restart keeps them and a new connection
 * uses them at once. Validation per user as Kafka's controller does it: a user altered twice in one request gets
 * DUPLICATE_RESOURCE, an empty name or too few/many iterations UNACCEPTABLE_CREDENTIAL, an unknown mechanism
 * UNSUPPORTED_SASL_MECHANISM, deleting a missing credential RESOURCE_NOT_FOUND; the valid users' changes are committed
 * together.
 */
final class AlterUserScramCredentialsHandler implements ApiHandler {

    /** Bounds Kafka does not have, keeping every credential record small (documented in the README). */
    static final int MAX_USER_CHARS = 1024;
    static final int MAX_SALT_BYTES = 1024;

    private final MetadataController metadata;

    AlterUserScramCredentialsHandler(MetadataController metadata) {
        this.metadata = metadata;
    }

    private record Failure(Errors error, String message) {}

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        AlterUserScramCredentialsRequestData data = (AlterUserScramCredentialsRequestData) request.body();
        Map<String, Map<Byte, MetadataRecord.UserScramCredential>> existing = metadata.image().scramCredentials();
        Map<String, ScramCredentialDeletion> deletions = new LinkedHashMap<>();
        Map<String, ScramCredentialUpsertion> upsertions = new LinkedHashMap<>();
        Map<String, Failure> failures = new LinkedHashMap<>();
        Failure twice = new Failure(Errors.DUPLICATE_RESOURCE,
                "A user credential cannot be altered twice in the same request");
        for (ScramCredentialDeletion d : data.deletions()) {
            if (failures.containsKey(d.name())) {
                continue;
            }
            if (deletions.remove(d.name()) != null) {
                failures.put(d.name(), twice);
                continue;
            }
            Failure failure = validate(d.name(), d.mechanism());
            if (failure == null && !existing.getOrDefault(d.name(), Map.of()).containsKey(d.mechanism())) {
                failure = new Failure(Errors.RESOURCE_NOT_FOUND,
                        "Attempt to delete a user credential that does not exist");
            }
            if (failure != null) {
                failures.put(d.name(), failure);
            } else {
                deletions.put(d.name(), d);
            }
        }
        for (ScramCredentialUpsertion u : data.upsertions()) {
            if (failures.containsKey(u.name())) {
                continue;
            }
            if (deletions.remove(u.name()) != null || upsertions.remove(u.name()) != null) {
                failures.put(u.name(), twice);
                continue;
            }
            Failure failure = validate(u.name(), u.mechanism());
            if (failure == null && u.iterations() < ScramMechanism.MIN_ITERATIONS) {
                failure = new Failure(Errors.UNACCEPTABLE_CREDENTIAL, "Too few iterations");
            } else if (failure == null && u.iterations() > ScramMechanism.MAX_ITERATIONS) {
                failure = new Failure(Errors.UNACCEPTABLE_CREDENTIAL, "Too many iterations");
            } else if (failure == null && (u.salt().length == 0 || u.salt().length > MAX_SALT_BYTES
                    || u.saltedPassword().length == 0 || u.saltedPassword().length > MAX_SALT_BYTES)) {
                // Kafka sets no bound; a credential record must stay small, and an empty salt is no salt.
                failure = new Failure(Errors.UNACCEPTABLE_CREDENTIAL, "The salt and the salted password must each"
                        + " have 1 to " + MAX_SALT_BYTES + " bytes");
            }
            if (failure != null) {
                failures.put(u.name(), failure);
            } else {
                upsertions.put(u.name(), u);
            }
        }
        List<MetadataRecord> records = new ArrayList<>();
        AlterUserScramCredentialsResponseData response = new AlterUserScramCredentialsResponseData();
        for (ScramCredentialDeletion d : deletions.values()) {
            records.add(new MetadataRecord.RemoveUserScramCredential(d.name(), d.mechanism()));
            response.results().add(ok(d.name()));
        }
        for (ScramCredentialUpsertion u : upsertions.values()) {
            ScramCredential credential = ScramMechanism.ofId(u.mechanism()).credential(u.salt(), u.saltedPassword(),
                    u.iterations());
            records.add(new MetadataRecord.UserScramCredential(u.name(), u.mechanism(), credential.salt(),
                    credential.storedKey(), credential.serverKey(), credential.iterations()));
            response.results().add(ok(u.name()));
        }
        failures.forEach((user, f) -> response.results().add(new AlterUserScramCredentialsResult().setUser(user)
                .setErrorCode(f.error().code()).setErrorMessage(f.message())));
        return metadata.changeScramCredentials(records).thenApply(v -> response);
    }

    private static Failure validate(String user, byte mechanism) {
        if (user.isEmpty()) {
            return new Failure(Errors.UNACCEPTABLE_CREDENTIAL, "Username must not be empty");
        }
        if (user.length() > MAX_USER_CHARS) {
            return new Failure(Errors.UNACCEPTABLE_CREDENTIAL, "Username must have at most " + MAX_USER_CHARS
                    + " characters");
        }
        if (ScramMechanism.ofId(mechanism) == null) {
            return new Failure(Errors.UNSUPPORTED_SASL_MECHANISM, "Unknown SCRAM mechanism");
        }
        return null;
    }

    private static AlterUserScramCredentialsResult ok(String user) {
        return new AlterUserScramCredentialsResult().setUser(user).setErrorCode(Errors.NONE.code());
    }
}
