package io.citus.pgvector.cluster;

/** The coordinator cannot be reached or refuses the login: an environment problem, not an unhealthy cluster. */
public final class ClusterUnreachableException extends Exception {

    private static final long serialVersionUID = 1L;

    public ClusterUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
