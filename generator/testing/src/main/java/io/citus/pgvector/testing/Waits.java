package io.citus.pgvector.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Bounded polling: every wait of the tests ends, and a timeout says what was awaited and what was seen. */
public final class Waits {

    private static final long POLL_MILLIS = 200;

    private Waits() {}

    /** Polls until the condition holds; fails with the description after the timeout. Returns the time it took. */
    public static Duration until(Duration timeout, String description, BooleanSupplier condition) {
        return until(timeout, description, condition, () -> "");
    }

    /** Like {@link #until(Duration, String, BooleanSupplier)}, adding {@code diagnostics} to the failure. */
    public static Duration until(
            Duration timeout, String description, BooleanSupplier condition, Supplier<String> diagnostics) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        while (System.nanoTime() - deadline < 0) {
            if (condition.getAsBoolean()) {
                return Duration.ofNanos(System.nanoTime() - start);
            }
            sleep(POLL_MILLIS);
        }
        String seen = diagnostics.get();
        throw new AssertionError(
                "timed out after " + timeout + " waiting for " + description + (seen.isEmpty() ? "" : "\n" + seen));
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
