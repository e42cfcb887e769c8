package io.citus.pgvector.model;

import io.citus.pgvector.Failure;
import java.util.List;

/** Every problem found in the values, reported together. */
public final class InvalidValuesException extends Failure {

    private static final long serialVersionUID = 1L;

    private final transient List<ValuesProblem> problems;

    public InvalidValuesException(String source, List<ValuesProblem> problems) {
        super(
                Kind.INVALID_INPUT,
                source + ": " + problems.size() + (problems.size() == 1 ? " problem" : " problems"),
                problems.stream().map(ValuesProblem::toString).toList(),
                null);
        this.problems = List.copyOf(problems);
    }

    public List<ValuesProblem> problems() {
        return problems;
    }
}
