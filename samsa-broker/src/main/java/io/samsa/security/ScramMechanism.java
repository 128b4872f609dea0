package io.samsa.security;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The SCRAM mechanisms Kafka supports (RFC 5802 with RFC 7677's SHA-256 and SHA-512), with the primitives a server
 * needs: Hi (PBKDF2 with HMAC), HMAC and the hash. The ids are Kafka's (the wire value of ScramMechanism in
 * AlterUserScramCredentials and DescribeUserScramCredentials). Thread-safe (stateless).
 */
public enum ScramMechanism {
    SCRAM_SHA_256((byte) 1, "SCRAM-SHA-256", "SHA-256", "HmacSHA256"),
    SCRAM_SHA_512((byte) 2, "SCRAM-SHA-512", "SHA-512", "HmacSHA512");

    /** Kafka's bounds on the iteration count of a stored credential. */
    public static final int MIN_ITERATIONS = 4096;
    public static final int MAX_ITERATIONS = 16384;

    private final byte id;
    private final String mechanismName;
    private final String hashAlgorithm;
    private final String macAlgorithm;

    ScramMechanism(byte id, String mechanismName, String hashAlgorithm, String macAlgorithm) {
        this.id = id;
        this.mechanismName = mechanismName;
        this.hashAlgorithm = hashAlgorithm;
        this.macAlgorithm = macAlgorithm;
    }

    public byte id() {
        return id;
    }

    /** The SASL mechanism name. */
    public String mechanismName() {
        return mechanismName;
    }

    /** The mechanism of a Kafka wire id, or null. */
    public static ScramMechanism ofId(byte id) {
        return Arrays.stream(values()).filter(m -> m.id == id).findFirst().orElse(null);
    }

    /** The mechanism of a SASL mechanism name, or null. */
    public static ScramMechanism ofName(String name) {
        return Arrays.stream(values()).filter(m -> m.mechanismName.equals(name)).findFirst().orElse(null);
    }

    public byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance(macAlgorithm);
            mac.init(new SecretKeySpec(key, macAlgorithm));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(macAlgorithm + " is missing from the JDK", e);
        }
    }

    public byte[] hash(byte[] data) {
        try {
            return MessageDigest.getInstance(hashAlgorithm).digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(hashAlgorithm + " is missing from the JDK", e);
        }
    }

    /** Hi(password, salt, i) of RFC 5802: the salted password. */
    public byte[] saltedPassword(byte[] password, byte[] salt, int iterations) {
        byte[] block = new byte[salt.length + 4];
        System.arraycopy(salt, 0, block, 0, salt.length);
        block[block.length - 1] = 1;
        byte[] u = hmac(password, block);
        byte[] result = u.clone();
        for (int i = 1; i < iterations; i++) {
            u = hmac(password, u);
            for (int j = 0; j < result.length; j++) {
                result[j] ^= u[j];
            }
        }
        return result;
    }

    /** The credential a server stores for a salted password: never the password itself. */
    public ScramCredential credential(byte[] salt, byte[] saltedPassword, int iterations) {
        byte[] clientKey = hmac(saltedPassword, ScramSaslServer.CLIENT_KEY);
        byte[] storedKey = hash(clientKey);
        byte[] serverKey = hmac(saltedPassword, ScramSaslServer.SERVER_KEY);
        return new ScramCredential(salt, storedKey, serverKey, iterations);
    }
}
