package io.citus.pgvector;

import java.util.List;

/**
 * A failure to report to the user as a short message (and, for several problems at once, one line each), without a
 * stack trace. Its kind says whose fault it is; the command line maps each kind to its exit code in one place.
 */
public class Failure extends Exception {

    private static final long serialVersionUID = 1L;

    /** Whose fault it is. */
    public enum Kind {
        /** A values file, chart folder or option value is invalid; nothing was written. */
        INVALID_INPUT,
        /** Something outside the input failed: a registry, a cluster, the file system. */
        ENVIRONMENT
    }

    private final Kind kind;
    private final List<String> details;

    public Failure(Kind kind, String message) {
        this(kind, message, List.of(), null);
    }

    public Failure(Kind kind, String message, Throwable cause) {
        this(kind, message, List.of(), cause);
    }

    /** A failure with one line per problem, shown below the message. */
    public Failure(Kind kind, String message, List<String> details) {
        this(kind, message, details, null);
    }

    protected Failure(Kind kind, String message, List<String> details, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.details = List.copyOf(details);
    }

    public Kind kind() {
        return kind;
    }

    /** One line per problem, when there are several. */
    public List<String> details() {
        return details;
    }
}
