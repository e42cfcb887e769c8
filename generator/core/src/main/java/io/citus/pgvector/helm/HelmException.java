package io.citus.pgvector.helm;

/** Helm refused or failed; the message is Helm's own text. */
public final class HelmException extends Exception {

    private static final long serialVersionUID = 1L;

    public HelmException(String action, RuntimeException cause) {
        super(action + ": " + (cause.getMessage() == null ? cause.toString() : cause.getMessage().strip()), cause);
    }
}
