package io.samsa.it;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Watches what the in-process broker logs at ERROR: slf4j-simple writes to whatever {@code System.err} is at the time
 * of each line, so a tee on it sees every line of a broker thread ("[samsa-..."), while still printing them.
 * Bad client input must never produce one. Install before the requests, close after.
 */
final class BrokerErrorLog implements AutoCloseable {

    private final PrintStream original = System.err;
    private final List<String> errors = new ArrayList<>();
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private boolean inError;

    private BrokerErrorLog() {}

    static BrokerErrorLog watch() {
        BrokerErrorLog log = new BrokerErrorLog();
        System.setErr(new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                log.original.write(b);
                log.accept(b);
            }
        }, true, StandardCharsets.UTF_8));
        return log;
    }

    private synchronized void accept(int b) {
        if (b != '\n') {
            line.write(b);
            return;
        }
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        boolean brokerError = text.contains("[samsa-") && text.contains(" ERROR ");
        // A stack trace follows its ERROR line: keep it with it.
        if (brokerError || inError && (text.startsWith("\tat ") || text.startsWith("Caused by"))) {
            errors.add(text);
            inError = true;
        } else {
            inError = false;
        }
    }

    /** Every ERROR line a broker thread logged, with its stack trace lines. */
    synchronized List<String> errors() {
        return List.copyOf(errors);
    }

    @Override
    public void close() {
        System.setErr(original);
    }
}
