package io.samsa.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kcat (librdkafka) over SASL_SSL with SCRAM-SHA-512: it produces and consumes with the broker's certificate as its
 * CA, and is refused with a wrong password while the broker carries on.
 */
class KcatSaslSslIT {

    @TempDir
    Path dir;

    @Test
    void kcatProducesAndConsumesOverSaslSslWithScramSha512() throws Exception {
        Path kcat = Stream.of("/usr/bin/kcat", "/usr/local/bin/kcat").map(Path::of).filter(Files::isExecutable)
                .findFirst().orElse(null);
        Assumptions.assumeTrue(kcat != null, "kcat is not installed (on CI, .ci/run installs it)");
        TestCertificates certs = new TestCertificates(dir);
        Path brokerStore = certs.keyStore("broker", "CN=localhost");
        Path ca = dir.resolve("broker-ca.pem");
        Files.writeString(ca, TestCertificates.certificatePem(brokerStore));
        Map<String, String> settings = new java.util.HashMap<>();
        settings.put("listeners", "PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0");
        settings.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
        settings.put("ssl.keystore.type", "PKCS12");
        settings.put("ssl.keystore.location", brokerStore.toString());
        settings.put("ssl.keystore.password", TestCertificates.PASSWORD);
        try (BrokerFixture broker = BrokerFixture.start(settings)) {
            broker.admin().alterUserScramCredentials(List.of(new UserScramCredentialUpsertion("kcat-user",
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), "kcat-secret"))).all().get();
            broker.createTopic("kcat-secure", 1, Map.of());
            List<String> secure = List.of("-b", broker.bootstrap("SASL_SSL"), "-X", "security.protocol=SASL_SSL",
                    "-X", "sasl.mechanisms=SCRAM-SHA-512", "-X", "sasl.username=kcat-user", "-X",
                    "ssl.ca.location=" + ca);
            List<String> produce = new ArrayList<>(secure);
            produce.addAll(List.of("-X", "sasl.password=kcat-secret", "-P", "-t", "kcat-secure", "-p", "0"));
            Result produced = run(kcat, "one\ntwo\nthree\n", produce);
            assertThat(produced.exit()).as(produced.stderr()).isZero();
            List<String> consume = new ArrayList<>(secure);
            consume.addAll(List.of("-X", "sasl.password=kcat-secret", "-C", "-t", "kcat-secure", "-p", "0", "-o",
                    "beginning", "-e", "-q"));
            Result consumed = run(kcat, null, consume);
            assertThat(consumed.exit()).as(consumed.stderr()).isZero();
            assertThat(consumed.stdout().lines().toList()).containsExactly("one", "two", "three");

            List<String> wrong = new ArrayList<>(secure);
            wrong.addAll(List.of("-X", "sasl.password=wrong", "-L", "-m", "5"));
            Result refused = run(kcat, null, wrong);
            assertThat(refused.exit()).isNotZero();
            assertThat(refused.stderr()).contains("Authentication failed");
            assertThat(broker.readAll("kcat-secure", 0, 3)).extracting(r -> r.value())
                    .containsExactly("one", "two", "three");
        }
    }

    private record Result(int exit, String stdout, String stderr) {}

    private Result run(Path kcat, String stdin, List<String> args) throws Exception {
        List<String> command = new ArrayList<>(List.of(kcat.toString()));
        command.addAll(args);
        Path out = Files.createTempFile(dir, "kcat-out-", ".txt");
        Path err = Files.createTempFile(dir, "kcat-err-", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        if (stdin == null) {
            builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        }
        Process process = builder.start();
        if (stdin != null) {
            try (OutputStream in = process.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError(command + " did not finish in 60 s: " + Files.readString(err));
        }
        return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    }
}
