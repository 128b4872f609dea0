package io.samsa.security;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * Builds a TLS listener's server context from Kafka's {@code ssl.*} settings, with the JDK's TLS provider: key stores
 * of type PKCS12, JKS or PEM (a file, or inline {@code ssl.keystore.certificate.chain} and {@code ssl.keystore.key}),
 * the same three for the trust store, the enabled protocols and cipher suites, and client authentication. Every
 * failure names the setting it comes from. Thread-safe (stateless).
 */
public final class TlsContexts {

    private TlsContexts() {}

    /**
     * The server context of one listener.
     *
     * @param setting a setting's value as it applies to this listener (the {@code listener.name.} override, else the
     *     broker-wide value), or null when unset
     * @throws IllegalArgumentException naming the setting that is missing or wrong
     */
    public static SslContext serverContext(UnaryOperator<String> setting) {
        SslContextBuilder builder = keyMaterial(setting);
        trustMaterial(setting, builder);
        List<String> protocols = list(setting.apply("ssl.enabled.protocols"));
        if (protocols.isEmpty()) {
            throw new IllegalArgumentException("ssl.enabled.protocols is empty: no TLS version could be used");
        }
        builder.sslProvider(SslProvider.JDK).protocols(protocols);
        List<String> ciphers = list(setting.apply("ssl.cipher.suites"));
        if (!ciphers.isEmpty()) {
            builder.ciphers(ciphers);
        }
        builder.clientAuth(switch (setting.apply("ssl.client.auth")) {
            case "required" -> ClientAuth.REQUIRE;
            case "requested" -> ClientAuth.OPTIONAL;
            default -> ClientAuth.NONE;
        });
        try {
            return builder.build();
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot build the TLS context (ssl.enabled.protocols "
                    + protocols + ", ssl.cipher.suites " + ciphers + "): " + e.getMessage(), e);
        }
    }

    private static SslContextBuilder keyMaterial(UnaryOperator<String> setting) {
        String type = upper(setting.apply("ssl.keystore.type"));
        String location = setting.apply("ssl.keystore.location");
        String keyPassword = setting.apply("ssl.key.password");
        if (type.equals("PEM")) {
            String chain = setting.apply("ssl.keystore.certificate.chain");
            String key = setting.apply("ssl.keystore.key");
            try {
                if (chain != null && key != null) {
                    if (location != null) {
                        throw new IllegalArgumentException("set either ssl.keystore.location or"
                                + " ssl.keystore.certificate.chain and ssl.keystore.key, not both");
                    }
                    return SslContextBuilder.forServer(stream(chain), stream(key), keyPassword);
                }
                if (location == null) {
                    throw new IllegalArgumentException("a TLS listener with ssl.keystore.type=PEM needs"
                            + " ssl.keystore.certificate.chain and ssl.keystore.key, or ssl.keystore.location");
                }
                File file = readable(location, "ssl.keystore.location");
                return SslContextBuilder.forServer(file, file, keyPassword);
            } catch (IllegalArgumentException e) {
                if (e.getMessage() != null && e.getMessage().contains("ssl.")) {
                    throw e;
                }
                throw new IllegalArgumentException("cannot read the PEM key and certificates (ssl.keystore.*): "
                        + e.getMessage(), e);
            }
        }
        if (location == null) {
            throw new IllegalArgumentException("a TLS listener needs a key store: set ssl.keystore.location (or"
                    + " ssl.keystore.type=PEM with ssl.keystore.certificate.chain and ssl.keystore.key)");
        }
        String storePassword = setting.apply("ssl.keystore.password");
        KeyStore store = load(type, location, storePassword, "ssl.keystore");
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            String password = keyPassword != null ? keyPassword : storePassword;
            kmf.init(store, password == null ? new char[0] : password.toCharArray());
            return SslContextBuilder.forServer(kmf);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot use the private key of " + location
                    + " (ssl.key.password): " + e.getMessage(), e);
        }
    }

    private static void trustMaterial(UnaryOperator<String> setting, SslContextBuilder builder) {
        String type = upper(setting.apply("ssl.truststore.type"));
        String location = setting.apply("ssl.truststore.location");
        String certificates = setting.apply("ssl.truststore.certificates");
        try {
            if (type.equals("PEM")) {
                if (certificates != null) {
                    builder.trustManager(stream(certificates));
                } else if (location != null) {
                    builder.trustManager(readable(location, "ssl.truststore.location"));
                }
                return;
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot read the trusted PEM certificates (ssl.truststore.*): "
                    + e.getMessage(), e);
        }
        if (certificates != null) {
            throw new IllegalArgumentException("ssl.truststore.certificates needs ssl.truststore.type=PEM");
        }
        if (location == null) {
            return; // the JDK's default CAs, as Kafka does
        }
        KeyStore store = load(type, location, setting.apply("ssl.truststore.password"), "ssl.truststore");
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            builder.trustManager(tmf);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot use the trust store " + location + ": " + e.getMessage(), e);
        }
    }

    private static KeyStore load(String type, String location, String password, String prefix) {
        readable(location, prefix + ".location");
        try (InputStream in = Files.newInputStream(Path.of(location))) {
            KeyStore store = KeyStore.getInstance(type);
            store.load(in, password == null ? null : password.toCharArray());
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot load " + location + " as a " + type + " store ("
                    + prefix + ".location, " + prefix + ".type, " + prefix + ".password): " + e.getMessage(), e);
        }
    }

    private static File readable(String location, String key) {
        Path path = Path.of(location);
        if (!Files.isReadable(path)) {
            throw new IllegalArgumentException("cannot read " + location + " (" + key + ")");
        }
        return path.toFile();
    }

    private static InputStream stream(String pem) {
        return new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII));
    }

    private static String upper(String value) {
        return value == null ? "JKS" : value.toUpperCase(Locale.ROOT);
    }

    private static List<String> list(String value) {
        return value == null ? List.of()
                : Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
