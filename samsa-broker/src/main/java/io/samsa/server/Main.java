package io.samsa.server;

import io.samsa.api.Apis;
import io.samsa.network.KafkaServer;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * The command line: {@code samsa start [--port N] [--data-dir DIR] [--config FILE] [--override key=value]...}.
 * Settings apply in that order of precedence: flags over the properties file over defaults. The broker runs in the
 * foreground until SIGTERM or Ctrl-C, which shut it down cleanly.
 */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            out.print(usage());
            return args.length == 0 ? 2 : 0;
        }
        if (io.samsa.cli.SamsaCli.COMMANDS.contains(args[0])) {
            return io.samsa.cli.SamsaCli.run(args, out, err);
        }
        if (args[0].equals("cds-training")) {
            Warmup.trainClassDataSharing();
            return 0;
        }
        if (!args[0].equals("start")) {
            err.println("Unknown command '" + args[0] + "'. Try --help.");
            return 2;
        }
        // Logging first, on this thread: SLF4J initialised by two threads at once prints "replaying" warnings.
        org.slf4j.LoggerFactory.getILoggerFactory();
        // The slowest parts of a cold start are class initialisers; run them on the second core from the outset.
        Thread.ofPlatform().daemon().name("samsa-preload").start(() -> {
            KafkaServer.preload();
            Apis.preload();
        });
        Map<String, String> settings;
        try {
            settings = parseStartArgs(args);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 2;
        }
        if (settings == null) {
            out.print(usage());
            return 0;
        }
        Broker broker;
        BrokerConfig config;
        try {
            config = BrokerConfig.parse(settings);
            broker = Broker.start(config);
        } catch (ConfigException e) {
            err.println("Invalid configuration:\n" + e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            err.println("Samsa failed to start: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.close();
            stopped.countDown();
        }, "samsa-shutdown"));
        // The address the socket is bound to (the port a client or a firewall rule needs), then what clients are told.
        String listening = broker.address().getHostString() + ":" + broker.address().getPort();
        out.println("Samsa is listening on " + listening
                + (listening.equals(broker.bootstrapServers()) ? "" : " (advertised as " + broker.bootstrapServers()
                        + ")")
                + " with data in "
                + String.join(", ", config.dataDirs().stream()
                        .map(dir -> dir.toAbsolutePath().normalize().toString()).toList())
                + (broker.httpAddress() == null ? "" : "; metrics on http://" + broker.httpAddress().getHostString()
                        + ":" + broker.httpAddress().getPort() + "/metrics"));
        out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** @return the settings, or null when help was asked for */
    static Map<String, String> parseStartArgs(String[] args) {
        Map<String, String> flags = new LinkedHashMap<>();
        Path configFile = null;
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--help", "-h" -> {
                    return null;
                }
                case "--port" -> {
                    String port = value(args, ++i, arg);
                    flags.put("listeners", "PLAINTEXT://127.0.0.1:" + port);
                }
                case "--data-dir" -> flags.put("log.dirs", value(args, ++i, arg));
                case "--http-port" -> flags.put("samsa.http.port", value(args, ++i, arg));
                case "--node-id" -> flags.put("node.id", value(args, ++i, arg));
                case "--voters" -> flags.put(ClusterConfig.VOTERS, value(args, ++i, arg));
                case "--peers" -> flags.put(ClusterConfig.PEERS, value(args, ++i, arg));
                case "--cluster-id" -> flags.put(ClusterConfig.CLUSTER_ID, value(args, ++i, arg));
                case "--advertised" -> {
                    String address = value(args, ++i, arg);
                    if (!address.matches(".+:\\d+")) {
                        throw new IllegalArgumentException("--advertised takes host:port, got '" + address + "'");
                    }
                    flags.put("advertised.listeners", "PLAINTEXT://" + address);
                }
                case "--config" -> configFile = Path.of(value(args, ++i, arg));
                case "--override" -> {
                    String kv = value(args, ++i, arg);
                    int eq = kv.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("--override takes key=value, got '" + kv + "'");
                    }
                    flags.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
                default -> throw new IllegalArgumentException("Unknown option '" + arg + "'. Try --help.");
            }
        }
        Map<String, String> settings = new LinkedHashMap<>();
        if (configFile != null) {
            settings.putAll(readProperties(configFile));
        }
        settings.putAll(flags);
        return settings;
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[i];
    }

    private static Map<String, String> readProperties(Path file) {
        Properties props = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            props.load(in);
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read the config file " + file + ": " + e.getMessage());
        }
        Map<String, String> result = new LinkedHashMap<>();
        props.stringPropertyNames().forEach(k -> result.put(k, props.getProperty(k)));
        return result;
    }

    static String usage() {
        return """
                Usage: samsa start [--port N] [--http-port N] [--data-dir DIR] [--node-id N] [--config FILE]
                                   [--voters ID@HOST:PORT,...] [--peers ID@HOST:PORT,...] [--advertised HOST:PORT]
                                   [--override key=value]...

                Starts a Samsa broker in the foreground (Ctrl-C or SIGTERM stops it cleanly): a single node, or with
                --voters a node of a cluster.
                (The client commands are samsa topic|group|produce|consume|cluster; try samsa topic --help.)
                  --port N            listen on 127.0.0.1:N (same as listeners=PLAINTEXT://127.0.0.1:N)
                  --http-port N       serve /metrics, /health and /ready on port N (samsa.http.port=N; -1: off)
                  --data-dir DIR      keep data in DIR (same as log.dirs=DIR)
                  --node-id N         the broker's id (same as node.id=N)
                  --voters LIST       every node's Raft address as this node reaches it, 1@host:port,... (its own
                                      entry is where it listens for Raft) (controller.quorum.voters)
                  --peers LIST        the Kafka address at which this node reaches each other node (samsa.peers)
                  --advertised H:P    the address clients are told (advertised.listeners=PLAINTEXT://H:P)
                  --cluster-id ID     the cluster's id (samsa.cluster.id; default: derived from the voter ids)
                  --config FILE       a Kafka-style properties file
                  --override k=v      set any key below; flags win over the file

                Configuration keys (Kafka's names):
                """ + BrokerConfig.describeKeys();
    }
}
