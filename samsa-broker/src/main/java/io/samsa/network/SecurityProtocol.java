package io.samsa.network;

/** Kafka's security protocols of a listener: whether it encrypts (TLS) and whether it authenticates with SASL. */
public enum SecurityProtocol {
    PLAINTEXT(false, false),
    SSL(true, false),
    SASL_PLAINTEXT(false, true),
    SASL_SSL(true, true);

    private final boolean tls;
    private final boolean sasl;

    SecurityProtocol(boolean tls, boolean sasl) {
        this.tls = tls;
        this.sasl = sasl;
    }

    /** True when the listener's bytes go through TLS. */
    public boolean tls() {
        return tls;
    }

    /** True when a client must authenticate with SaslHandshake and SaslAuthenticate before anything else. */
    public boolean sasl() {
        return sasl;
    }
}
