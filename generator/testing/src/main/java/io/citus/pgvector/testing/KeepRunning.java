package io.citus.pgvector.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** For fixtures kept up from the command line: waits until a lifetime is over or a stop file appears. */
public final class KeepRunning {

    private KeepRunning() {}

    /** Says how to stop, then returns after {@code lifetime} or once {@code dir/stop} exists. */
    public static void untilStopped(Path dir, Duration lifetime) throws InterruptedException {
        Path stop = dir.resolve("stop");
        System.out.println("stopping in " + lifetime.toMinutes() + " minutes, or once " + stop + " exists");
        System.out.flush();
        long deadline = System.nanoTime() + lifetime.toNanos();
        while (System.nanoTime() - deadline < 0 && !Files.exists(stop)) {
            Thread.sleep(1000);
        }
    }
}
