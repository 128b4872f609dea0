package io.samsa.security;

/**
 * What a server keeps of a SCRAM password (RFC 5802): the salt, StoredKey = H(HMAC(SaltedPassword, "Client Key")),
 * ServerKey = HMAC(SaltedPassword, "Server Key") and the iteration count. The arrays are not copied; treat them as
 * immutable.
 */
public record ScramCredential(byte[] salt, byte[] storedKey, byte[] serverKey, int iterations) {}
