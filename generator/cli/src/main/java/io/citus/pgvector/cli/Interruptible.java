package io.citus.pgvector.cli;

import io.citus.pgvector.Failure;
import io.citus.pgvector.cluster.Interruption;
import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command's work so that Ctrl-C and SIGTERM stop it cleanly: the JVM's shutdown hook requests the
 * {@link Interruption} (which cancels the running statements) and waits until the work has undone its changes and
 * returned, at most {@link #GRACE_SECONDS}, before the JVM exits.
 */
final class Interruptible {

    static final int GRACE_SECONDS = 60;

    /** The work of a command. */
    interface Work<T> {
        T run() throws Failure;
    }

    private Interruptible() {}

    static <T> T run(Interruption interruption, PrintWriter err, Work<T> work) throws Failure {
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(
                () -> {
                    err.println("-- stopping: cancelling the running statements, then undoing what the run did");
                    err.flush();
                    interruption.request();
                    try {
                        done.await(GRACE_SECONDS, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "citus-pgvector-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return work.run();
        } finally {
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // The JVM is shutting down: the hook is running and has just been released.
            }
        }
    }
}
