package io.citus.pgvector.helm;

import io.citus.pgvector.Failure;

/** Helm refused or failed; the message is Helm's own text. */
public final class HelmException extends Failure {

    private static final long serialVersionUID = 1L;

    public HelmException(Kind kind, String action, RuntimeException cause) {
        super(
                kind,
                action + ": "
                        + (cause.getMessage() == null
                                ? cause.toString()
                                : cause.getMessage().strip()),
                cause);
    }
}
