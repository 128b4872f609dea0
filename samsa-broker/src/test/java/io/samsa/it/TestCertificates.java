package io.samsa.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Certificates the tests make themselves with the JDK's {@code keytool}: self-signed key pairs in PKCS12 stores
 * (with 127.0.0.1 and localhost as subject alternative names, so clients keep host name verification on), trust
 * stores holding chosen certificates, and the PEM forms of a key pair.
 */
final class TestCertificates {

    static final String PASSWORD = "test-secret";

    private final Path dir;

    TestCertificates(Path dir) {
        this.dir = dir;
    }

    /** A PKCS12 key store with one self-signed key pair for {@code dn}, valid from now for a year. */
    Path keyStore(String name, String dn) {
        return keyStore(name, dn, null, 365);
    }

    /**
     * A PKCS12 key store with one self-signed key pair.
     *
     * @param startDate keytool's -startdate (e.g. "-10d" for a certificate that started ten days ago), or null
     * @param validityDays how long it is valid from its start
     */
    Path keyStore(String name, String dn, String startDate, int validityDays) {
        Path store = dir.resolve(name + ".p12");
        List<String> command = new ArrayList<>(List.of(keytool(), "-genkeypair", "-keystore", store.toString(),
                "-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD, "-alias", name, "-keyalg",
                "EC", "-groupname", "secp256r1", "-dname", dn, "-validity", String.valueOf(validityDays), "-ext",
                "SAN=ip:127.0.0.1,dns:localhost"));
        if (startDate != null) {
            command.addAll(List.of("-startdate", startDate));
        }
        run(command);
        return store;
    }

    /** A certificate authority: a self-signed key pair allowed to sign certificates, in a PKCS12 store. */
    Path authority(String name, String dn) {
        Path store = dir.resolve(name + ".p12");
        run(List.of(keytool(), "-genkeypair", "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass",
                PASSWORD, "-keypass", PASSWORD, "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                dn, "-validity", "365", "-ext", "bc:c"));
        return store;
    }

    /**
     * A PKCS12 key store with a key pair whose certificate {@code authority} signed (the chain holds both).
     *
     * @param startDate keytool's -startdate of the signed certificate, or null for now
     */
    Path signedKeyStore(String name, String dn, Path authority, String startDate, int validityDays) {
        Path store = dir.resolve(name + ".p12");
        String caAlias = authority.getFileName().toString().replace(".p12", "");
        run(List.of(keytool(), "-genkeypair", "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass",
                PASSWORD, "-keypass", PASSWORD, "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                dn));
        Path request = dir.resolve(name + ".csr");
        Path signed = dir.resolve(name + "-signed.crt");
        Path caCert = dir.resolve(caAlias + ".crt");
        run(List.of(keytool(), "-certreq", "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass",
                PASSWORD, "-alias", name, "-file", request.toString()));
        List<String> sign = new ArrayList<>(List.of(keytool(), "-gencert", "-keystore", authority.toString(),
                "-storetype", "PKCS12", "-storepass", PASSWORD, "-alias", caAlias, "-infile", request.toString(),
                "-outfile", signed.toString(), "-rfc", "-validity", String.valueOf(validityDays)));
        if (startDate != null) {
            sign.addAll(List.of("-startdate", startDate));
        }
        run(sign);
        run(List.of(keytool(), "-exportcert", "-keystore", authority.toString(), "-storetype", "PKCS12",
                "-storepass", PASSWORD, "-alias", caAlias, "-file", caCert.toString(), "-rfc"));
        run(List.of(keytool(), "-importcert", "-noprompt", "-keystore", store.toString(), "-storetype", "PKCS12",
                "-storepass", PASSWORD, "-alias", caAlias, "-file", caCert.toString()));
        run(List.of(keytool(), "-importcert", "-noprompt", "-keystore", store.toString(), "-storetype", "PKCS12",
                "-storepass", PASSWORD, "-alias", name, "-file", signed.toString()));
        return store;
    }

    /** A PKCS12 trust store holding the certificates of the given key stores. */
    Path trustStore(String name, Path... keyStores) {
        Path store = dir.resolve(name + ".p12");
        for (Path keyStore : keyStores) {
            String alias = keyStore.getFileName().toString().replace(".p12", "");
            Path cert = dir.resolve(alias + ".crt");
            run(List.of(keytool(), "-exportcert", "-keystore", keyStore.toString(), "-storetype", "PKCS12",
                    "-storepass", PASSWORD, "-alias", alias, "-file", cert.toString(), "-rfc"));
            run(List.of(keytool(), "-importcert", "-noprompt", "-keystore", store.toString(), "-storetype", "PKCS12",
                    "-storepass", PASSWORD, "-alias", alias, "-file", cert.toString()));
        }
        return store;
    }

    /** The PEM certificate of a key store's key pair. */
    static String certificatePem(Path keyStore) {
        try {
            KeyStore store = load(keyStore);
            Certificate cert = store.getCertificate(store.aliases().nextElement());
            return pem("CERTIFICATE", cert.getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The unencrypted PKCS#8 PEM private key of a key store's key pair. */
    static String privateKeyPem(Path keyStore) {
        try {
            KeyStore store = load(keyStore);
            Key key = store.getKey(store.aliases().nextElement(), PASSWORD.toCharArray());
            return pem("PRIVATE KEY", key.getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyStore load(Path keyStore) throws GeneralSecurityException {
        try (InputStream in = Files.newInputStream(keyStore)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, PASSWORD.toCharArray());
            return store;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    private static String keytool() {
        return Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    }

    private static void run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
