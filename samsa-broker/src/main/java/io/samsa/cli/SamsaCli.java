package io.samsa.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The command-line client: everyday jobs on any Kafka-compatible cluster (Samsa or Kafka) through kafka-clients'
 * Admin, producer and consumer. Tables for people by default, JSON with {@code --json}, {@code --help} on every
 * command. Exit codes: 0 done, 1 the cluster refused or failed the operation, 2 a wrong command line, 3 the cluster
 * could not be reached.
 */
@Command(name = "samsa", description = "Talk to a Kafka-compatible cluster.", mixinStandardHelpOptions = true,
        subcommands = {TopicCommand.class, GroupCommand.class, ProduceCommand.class, ConsumeCommand.class,
            ClusterCommand.class})
public final class SamsaCli {

    /** The first words this client answers to (the rest of {@code samsa}'s commands are the server's). */
    public static final Set<String> COMMANDS = Set.of("topic", "group", "produce", "consume", "cluster");

    private SamsaCli() {}

    /** Runs a command line, printing to {@code out} and {@code err}; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        // The clients' own warnings (a refused connection, retried every backoff) would bury the one line that says
        // what went wrong; errors still show. Only effective before the first logger is made, as in a CLI process.
        if (System.getProperty("org.slf4j.simpleLogger.log.org.apache.kafka") == null) {
            System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "error");
        }
        CommandLine line = new CommandLine(new SamsaCli());
        line.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        line.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        line.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof CliException cli) {
                commandLine.getErr().println(cli.getMessage());
                if (cli.exitCode() == CliException.USAGE) {
                    commandLine.getErr().println("Try '" + commandLine.getCommandSpec().qualifiedName()
                            + " --help'.");
                }
                commandLine.getErr().flush();
                return cli.exitCode();
            }
            commandLine.getErr().println("Failed: " + e);
            commandLine.getErr().flush();
            return CliException.FAILED;
        });
        return line.execute(args);
    }
}
