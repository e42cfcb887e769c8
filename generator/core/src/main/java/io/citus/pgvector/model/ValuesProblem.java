package io.citus.pgvector.model;

/** One thing wrong with a values file, at a YAML path such as {@code workers.count}. */
public record ValuesProblem(String path, String message) {

    @Override
    public String toString() {
        return path.isEmpty() ? message : path + ": " + message;
    }
}
