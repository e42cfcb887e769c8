package io.citus.pgvector.cluster;

/** Where a long run reports how far it is. */
public interface Progress {

    /** A phase starts. */
    void phase(String description);

    /** A phase is this far (0 to 1). */
    void update(String description, double fraction);

    Progress NONE = new Progress() {
        @Override
        public void phase(String description) {}

        @Override
        public void update(String description, double fraction) {}
    };
}
