package io.citus.pgvector.model;

import java.util.List;

/** Every problem found in the values, reported together. */
public final class InvalidValuesException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient List<ValuesProblem> problems;

    public InvalidValuesException(String source, List<ValuesProblem> problems) {
        super(source + ": " + problems.size() + (problems.size() == 1 ? " problem" : " problems"));
        this.problems = List.copyOf(problems);
    }

    public List<ValuesProblem> problems() {
        return problems;
    }
}
