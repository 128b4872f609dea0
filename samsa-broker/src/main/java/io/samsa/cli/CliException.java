package io.samsa.cli;

/** A failure to report on one line, with the process exit code it maps to. */
final class CliException extends RuntimeException {

    /** The cluster refused or failed the operation (an unknown topic, a topic that exists, ...). */
    static final int FAILED = 1;
    /** The command line was wrong (picocli's own code for usage errors). */
    static final int USAGE = 2;
    /** No broker of the bootstrap list answered in time. */
    static final int UNREACHABLE = 3;

    private final int exitCode;

    CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
