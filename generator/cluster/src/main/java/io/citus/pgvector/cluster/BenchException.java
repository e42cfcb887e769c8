package io.citus.pgvector.cluster;

import io.citus.pgvector.Failure;

/** The cluster cannot run the benchmark: an extension missing, a statement refused. */
public final class BenchException extends Failure {

    private static final long serialVersionUID = 1L;

    public BenchException(String message) {
        super(Kind.ENVIRONMENT, "bench failed: " + message);
    }

    public BenchException(String message, Throwable cause) {
        super(Kind.ENVIRONMENT, "bench failed: " + message, cause);
    }
}
