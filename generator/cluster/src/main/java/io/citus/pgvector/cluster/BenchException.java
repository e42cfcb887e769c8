package io.citus.pgvector.cluster;

import io.citus.pgvector.Failure;

/**
 * {@code bench} or {@code tune} cannot go on: the cluster cannot run them (an extension missing, a statement refused:
 * the environment), or what the user asked for does not exist or does not fit (a table, a column, a setting: the
 * input).
 */
public final class BenchException extends Failure {

    private static final long serialVersionUID = 1L;

    public BenchException(String message) {
        super(Kind.ENVIRONMENT, message);
    }

    public BenchException(String message, Throwable cause) {
        super(Kind.ENVIRONMENT, message, cause);
    }

    private BenchException(Kind kind, String message) {
        super(kind, message);
    }

    /** The user's input does not fit the cluster: exit 3, nothing changed. */
    public static BenchException invalidInput(String message) {
        return new BenchException(Kind.INVALID_INPUT, message);
    }
}
