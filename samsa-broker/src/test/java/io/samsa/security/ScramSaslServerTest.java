package io.samsa.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** RFC 5802 with a client computed here; RFC 7677's SCRAM-SHA-256 test vector for the server's side. */
class ScramSaslServerTest {

    @Test
    void theRfc7677ExchangeAuthenticatesAndTheServerSignatureMatches() throws Exception {
        ScramMechanism sha256 = ScramMechanism.SCRAM_SHA_256;
        byte[] salt = Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ==");
        byte[] salted = sha256.saltedPassword("pencil".getBytes(StandardCharsets.UTF_8), salt, 4096);
        ScramCredential credential = sha256.credential(salt, salted, 4096);
        ScramSaslServer server = new ScramSaslServer(sha256, user -> user.equals("user") ? credential : null);
        String clientFirstBare = "n=user,r=rOprNGfwEbeRWgbNEkqO";
        String serverFirst = new String(server.evaluate(("n,," + clientFirstBare).getBytes(StandardCharsets.UTF_8)),
                StandardCharsets.UTF_8);
        assertThat(serverFirst).startsWith("r=rOprNGfwEbeRWgbNEkqO").endsWith(",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");
        String nonce = serverFirst.substring(2, serverFirst.indexOf(','));
        String withoutProof = "c=biws,r=" + nonce;
        byte[] authMessage = (clientFirstBare + "," + serverFirst + "," + withoutProof)
                .getBytes(StandardCharsets.UTF_8);
        byte[] clientKey = sha256.hmac(salted, "Client Key".getBytes(StandardCharsets.US_ASCII));
        byte[] signature = sha256.hmac(sha256.hash(clientKey), authMessage);
        byte[] proof = new byte[clientKey.length];
        for (int i = 0; i < proof.length; i++) {
            proof[i] = (byte) (clientKey[i] ^ signature[i]);
        }
        String serverFinal = new String(server.evaluate((withoutProof + ",p=" + Base64.getEncoder()
                .encodeToString(proof)).getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
        byte[] serverKey = sha256.hmac(salted, "Server Key".getBytes(StandardCharsets.US_ASCII));
        assertThat(serverFinal).isEqualTo("v=" + Base64.getEncoder().encodeToString(
                sha256.hmac(serverKey, authMessage)));
        assertThat(server.complete()).isTrue();
        assertThat(server.userName()).isEqualTo("user");
    }

    @Test
    void anUnknownUserAndAWrongProofFailWithoutSayingWhich() throws Exception {
        ScramMechanism sha512 = ScramMechanism.SCRAM_SHA_512;
        byte[] salt = {1, 2, 3, 4};
        ScramCredential credential = sha512.credential(salt, sha512.saltedPassword(
                "pw".getBytes(StandardCharsets.UTF_8), salt, 4096), 4096);
        ScramSaslServer unknown = new ScramSaslServer(sha512, user -> null);
        assertThatThrownBy(() -> unknown.evaluate("n,,n=nobody,r=abc".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(AuthenticationFailure.class)
                .hasMessage("Authentication failed during authentication due to invalid credentials with SASL"
                        + " mechanism SCRAM-SHA-512");
        ScramSaslServer server = new ScramSaslServer(sha512, user -> credential);
        String serverFirst = new String(server.evaluate("n,,n=u,r=abc".getBytes(StandardCharsets.UTF_8)),
                StandardCharsets.UTF_8);
        String nonce = serverFirst.substring(2, serverFirst.indexOf(','));
        assertThatThrownBy(() -> server.evaluate(("c=biws,r=" + nonce + ",p=" + Base64.getEncoder()
                .encodeToString(new byte[64])).getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(AuthenticationFailure.class);
        assertThat(server.complete()).isFalse();
    }
}
