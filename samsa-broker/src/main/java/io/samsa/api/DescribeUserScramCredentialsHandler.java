package io.samsa.api;

import io.samsa.metadata.MetadataController;
import io.samsa.metadata.MetadataRecord;
import io.samsa.network.ClientConnection;
import io.samsa.protocol.Request;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData.CredentialInfo;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData.DescribeUserScramCredentialsResult;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * DescribeUserScramCredentials: each user's mechanisms and iteration counts (never salts or keys). No users (null or
 * empty) means every user; a user named twice gets DUPLICATE_RESOURCE and one without credentials
 * RESOURCE_NOT_FOUND, with Kafka's messages.
 */
final class DescribeUserScramCredentialsHandler implements ApiHandler {

    private final MetadataController metadata;

    DescribeUserScramCredentialsHandler(MetadataController metadata) {
        this.metadata = metadata;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(Request request, ClientConnection connection) {
        DescribeUserScramCredentialsRequestData data = (DescribeUserScramCredentialsRequestData) request.body();
        Map<String, Map<Byte, MetadataRecord.UserScramCredential>> credentials = metadata.image().scramCredentials();
        Map<String, Boolean> users = new LinkedHashMap<>(); // user → named more than once
        if (data.users() == null || data.users().isEmpty()) {
            credentials.keySet().forEach(u -> users.put(u, false));
        } else {
            data.users().forEach(u -> users.merge(u.name(), false, (a, b) -> true));
        }
        DescribeUserScramCredentialsResponseData response = new DescribeUserScramCredentialsResponseData();
        users.forEach((user, duplicate) -> {
            DescribeUserScramCredentialsResult result = new DescribeUserScramCredentialsResult().setUser(user);
            Map<Byte, MetadataRecord.UserScramCredential> ofUser = credentials.get(user);
            if (duplicate) {
                result.setErrorCode(Errors.DUPLICATE_RESOURCE.code()).setErrorMessage(
                        "Cannot describe SCRAM credentials for the same user twice in a single request: " + user);
            } else if (ofUser == null) {
                result.setErrorCode(Errors.RESOURCE_NOT_FOUND.code()).setErrorMessage(
                        "Attempt to describe a user credential that does not exist: " + user);
            } else {
                ofUser.values().forEach(c -> result.credentialInfos().add(new CredentialInfo()
                        .setMechanism(c.mechanism()).setIterations(c.iterations())));
            }
            response.results().add(result);
        });
        return CompletableFuture.completedFuture(response);
    }
}
