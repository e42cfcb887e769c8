package io.citus.pgvector.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.function.Predicate;

/** One run of the command line, captured. */
public record CliRun(int exitCode, String out, String err) {

    public static CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.run(new PrintWriter(out), new PrintWriter(err), args);
        return new CliRun(code, out.toString(), err.toString());
    }

    /**
     * Runs again until the result is what is expected, at most 25 times 200 ms apart: a reload on a server reaches a
     * new session a moment later.
     */
    public static CliRun until(Predicate<CliRun> expected, String... args) throws InterruptedException {
        CliRun run = of(args);
        for (int i = 0; i < 25 && !expected.test(run); i++) {
            Thread.sleep(200);
            run = of(args);
        }
        return run;
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
    }
}
