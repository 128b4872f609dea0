package io.samsa.cli;

import java.io.PrintWriter;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The options every command that talks to a cluster takes, and the clients built from them. Mixed into each command.
 */
final class ClientOptions {

    @Spec(Spec.Target.MIXEE)
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = {"-b", "--bootstrap-server"}, paramLabel = "HOST:PORT",
            description = "Broker(s) to connect to, comma-separated (default: $SAMSA_BOOTSTRAP_SERVERS or "
                    + "127.0.0.1:9092)")
    String bootstrap;

    @Option(names = "--json", description = "Print JSON instead of a table")
    boolean json;

    @Option(names = "--timeout-ms", paramLabel = "MS", defaultValue = "10000",
            description = "How long to wait for the cluster (default: ${DEFAULT-VALUE})")
    int timeoutMs;

    String bootstrapServers() {
        if (bootstrap != null) {
            return bootstrap;
        }
        String env = System.getenv("SAMSA_BOOTSTRAP_SERVERS");
        return env == null || env.isBlank() ? "127.0.0.1:9092" : env;
    }

    Properties clientProperties() {
        Properties props = new Properties();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(CommonClientConfigs.CLIENT_ID_CONFIG, "samsa-cli");
        // Fail fast on an unreachable broker instead of retrying for a minute.
        props.put(CommonClientConfigs.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000");
        props.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(timeoutMs));
        props.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(timeoutMs));
        return props;
    }

    Admin admin() {
        Properties props = clientProperties();
        props.put(AdminClientConfig.RETRIES_CONFIG, "3");
        return Admin.create(props);
    }

    Output output() {
        return new Output(spec.commandLine().getOut(), json);
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** Waits for a client future, turning Kafka's failures into one clear line and an exit code. */
    <T> T await(Future<T> future, String what) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(CliException.FAILED, "Interrupted while " + what);
        } catch (ExecutionException e) {
            throw failure(e.getCause(), what);
        }
    }

    CliException failure(Throwable cause, String what) {
        if (cause instanceof TimeoutException) {
            return new CliException(CliException.UNREACHABLE, "Cannot reach the cluster at " + bootstrapServers()
                    + " within " + timeoutMs + " ms while " + what + " (" + cause.getMessage() + ")");
        }
        if (cause instanceof UnknownTopicOrPartitionException) {
            return new CliException(CliException.FAILED, "Failed " + what + ": no such topic or partition ("
                    + cause.getMessage() + ")");
        }
        if (cause instanceof KafkaException || cause instanceof org.apache.kafka.common.errors.ApiException) {
            return new CliException(CliException.FAILED, "Failed " + what + ": " + cause.getMessage());
        }
        return new CliException(CliException.FAILED, "Failed " + what + ": " + cause);
    }
}
