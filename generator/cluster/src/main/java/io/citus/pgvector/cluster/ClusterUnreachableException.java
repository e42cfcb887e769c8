package io.citus.pgvector.cluster;

import io.citus.pgvector.Failure;

/** The coordinator cannot be reached or refuses the login: an environment problem, not an unhealthy cluster. */
public final class ClusterUnreachableException extends Failure {

    private static final long serialVersionUID = 1L;

    public ClusterUnreachableException(String message, Throwable cause) {
        super(Kind.ENVIRONMENT, message, cause);
    }
}
