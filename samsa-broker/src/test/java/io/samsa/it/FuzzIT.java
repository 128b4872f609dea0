package io.samsa.it;

import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * Fuzzes the decoder and the request handlers of an in-process broker with mutations of real client requests (the
 * corpus {@link FuzzCorpusCaptureIT} records) for a bounded time, then restarts it; {@link FuzzTarget} says what is
 * checked. jqwik generates the mutations: it runs on the JUnit Platform beside Jupiter with nothing native, and a run
 * is replayed exactly from its seed.
 *
 * <p>System properties: {@code samsa.fuzz.seconds} (default 60), {@code samsa.fuzz.seed} (replay; the seed of every
 * run is printed, "FuzzIT seed ..."). The last line of the run is "FUZZ RESULT frames=... failures=... rss_mb=...".
 */
@PropertyDefaults(shrinking = ShrinkingMode.OFF)
class FuzzIT {

    /** Steps per try: jqwik's per-try overhead stays small against the socket round trips. */
    private static final int STEPS_PER_TRY = 20;

    private static FuzzTarget target;
    private static long deadlineNanos;
    private static long seconds;
    private static String seed;
    private static boolean finished;

    @BeforeContainer
    static void start() {
        seconds = Long.getLong("samsa.fuzz.seconds", 60);
        target = FuzzTarget.start();
        deadlineNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    }

    @AfterContainer
    static void stop() throws Exception {
        try {
            if (target != null && !finished) { // the tries ran out before the time did
                finish();
            }
        } finally {
            if (target != null) {
                target.close();
            }
        }
    }

    private static void finish() throws Exception {
        finished = true;
        List<String> problems = target.finish();
        System.out.println(target.summary(seed, seconds));
        if (!problems.isEmpty()) {
            throw new AssertionError(problems.size() + " problem(s) (replay with -Dsamsa.fuzz.seed=" + seed + "):\n"
                    + String.join("\n", problems));
        }
    }

    /** Sets the seed (given, or drawn and printed) and enough tries to fill the time budget. */
    static final class Budget implements AroundPropertyHook {
        @Override
        public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
            seed = System.getProperty("samsa.fuzz.seed", Long.toString(new SecureRandom().nextLong()));
            context.attributes().setSeed(seed);
            // Far more tries than a run gets through: once the budget is spent, the remaining ones return at once.
            context.attributes().setTries((int) Math.min(Integer.MAX_VALUE, Long.getLong("samsa.fuzz.seconds", 60)
                    * 1_000));
            System.out.println("FuzzIT seed " + seed + " (replay with -Dsamsa.fuzz.seed=" + seed + ")");
            return property.execute();
        }
    }

    @Provide
    Arbitrary<List<FuzzStep>> steps() {
        return FuzzStep.arbitrary().list().ofSize(STEPS_PER_TRY);
    }

    @Property
    @AddLifecycleHook(Budget.class)
    void mutatedClientRequestsNeverHurtTheBroker(@ForAll("steps") List<FuzzStep> steps) throws Exception {
        if (finished) {
            return;
        }
        if (System.nanoTime() < deadlineNanos) {
            steps.forEach(target::run);
            return;
        }
        finish();
    }
}
