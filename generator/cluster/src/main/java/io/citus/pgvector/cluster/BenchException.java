package io.citus.pgvector.cluster;

/** The cluster cannot run the benchmark: an extension missing, a statement refused. */
public final class BenchException extends Exception {

    private static final long serialVersionUID = 1L;

    public BenchException(String message) {
        super(message);
    }

    public BenchException(String message, Throwable cause) {
        super(message, cause);
    }
}
