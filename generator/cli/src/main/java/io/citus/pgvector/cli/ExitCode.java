package io.citus.pgvector.cli;

import io.citus.pgvector.Failure;

/** The exit codes of every subcommand, documented in the README and in {@code --help}. */
public final class ExitCode {

    /** Done. */
    public static final int OK = 0;
    /** The chart is not what it should be: {@code check} found differences or {@code lint} found errors. */
    public static final int CHECK_FAILED = 1;
    /** The command line itself is wrong (unknown option, missing argument). */
    public static final int USAGE = 2;
    /** A values file, chart folder, archive, key or option value is invalid; nothing was written. */
    public static final int INVALID_INPUT = 3;
    /** Something outside the input failed: registry unreachable or refusing, a file that cannot be written. */
    public static final int ENVIRONMENT = 4;
    /** A bug in the generator; rerun with --stacktrace and report it. */
    public static final int INTERNAL = 5;

    private ExitCode() {}

    /** The one mapping of failures to exit codes. */
    static int of(Failure.Kind kind) {
        return switch (kind) {
            case INVALID_INPUT -> INVALID_INPUT;
            case ENVIRONMENT -> ENVIRONMENT;
        };
    }

    static final String HELP = """
            Exit codes:
              0  done
              1  check found differences, or lint found errors
              2  bad command line
              3  invalid input (values file, chart, archive, key or option value);
                 nothing written
              4  environment problem: registry unreachable or refusing, file not writable
              5  internal error (rerun with --stacktrace)""";
}
