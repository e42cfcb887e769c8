package io.citus.pgvector.cluster;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tables {@code bench} creates, marked on the cluster by their comment so that a run killed before its clean-up
 * (kill -9, a lost connection) can be undone later by {@code bench --restore}: a table of a run is commented
 * {@code citus-pgvector bench run PID@START: ...} from the transaction that creates it, with the process id and start
 * time of the run's coordinator session, and {@code citus-pgvector bench kept: SIGNATURE} once a run with
 * {@code --keep} has filled it. A table of a run whose session is gone is a leftover; a kept table is reused by a
 * later run with the same dataset and never dropped by {@code --restore}. A table without such a comment is never
 * touched.
 */
final class BenchTables {

    static final String MARK = "citus-pgvector bench";
    private static final String KEPT = MARK + " kept: ";
    private static final Pattern RUN = Pattern.compile(Pattern.quote(MARK) + " run (\\d+)@(\\d+): .*");

    private final Coordinator coordinator;
    private final String run;
    private final List<String> created = new ArrayList<>();

    private BenchTables(Coordinator coordinator, String run) {
        this.coordinator = coordinator;
        this.run = run;
    }

    /** The tables of a run on this coordinator session. */
    static BenchTables of(Coordinator coordinator) throws SQLException {
        return new BenchTables(coordinator, MARK + " run " + sessionId(coordinator) + ": ");
    }

    private static String sessionId(Coordinator coordinator) throws SQLException {
        return coordinator.queryString("SELECT pid || '@' || extract(epoch FROM backend_start)::bigint"
                + " FROM pg_stat_activity WHERE pid = pg_backend_pid()");
    }

    /** What a table is to bench. */
    enum State {
        ABSENT,
        /** Not made by bench, or by an older version: never touched. */
        FOREIGN,
        /** Left by a run that did not finish; {@code --restore} drops it. */
        LEFTOVER,
        /** Kept by a run with {@code --keep}, with its signature. */
        KEPT
    }

    record Found(State state, String comment) {}

    Found find(String table) throws SQLException {
        List<String> comment = coordinator.queryStrings(
                "SELECT coalesce(obj_description(c.oid, 'pg_class'), '') FROM pg_class c WHERE c.oid = to_regclass(?)",
                table);
        if (comment.isEmpty()) {
            return new Found(State.ABSENT, "");
        }
        String text = comment.get(0);
        if (text.startsWith(KEPT)) {
            return new Found(State.KEPT, text.substring(KEPT.length()));
        }
        return new Found(RUN.matcher(text).matches() ? State.LEFTOVER : State.FOREIGN, text);
    }

    /** Whether a kept table was built from this signature. */
    static boolean keptWith(Found found, String signature) {
        return found.state() == State.KEPT && found.comment().equals(signature);
    }

    /**
     * Runs {@code create} (statements that create {@code table}) and marks the table as this run's in the same
     * transaction, so no moment exists where the table is on the cluster without its mark.
     */
    void create(String table, String what, List<String> create) throws SQLException {
        Connection connection = coordinator.connection();
        connection.setAutoCommit(false);
        try {
            for (String statement : create) {
                coordinator.execute(statement);
            }
            coordinator.execute("COMMENT ON TABLE " + table + " IS " + ClusterSettings.literal(run + what));
            connection.commit();
            created.add(table);
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }

    /** Marks a table of this run as kept, with the signature a later run must match to reuse it. */
    void keep(String table, String signature) throws SQLException {
        coordinator.execute("COMMENT ON TABLE " + table + " IS " + ClusterSettings.literal(KEPT + signature));
    }

    boolean createdByThisRun(String table) {
        return created.contains(table);
    }

    List<String> created() {
        return List.copyOf(created);
    }

    /** Drops every table this run created, last first. */
    void dropCreated() throws SQLException {
        SQLException failure = null;
        for (int i = created.size() - 1; i >= 0; i--) {
            String table = created.get(i);
            for (int attempt = 1; ; attempt++) {
                try {
                    coordinator.execute("DROP TABLE IF EXISTS " + table);
                    break;
                } catch (SQLException e) {
                    // An interruption's cancel request can arrive after the statement it meant: try again.
                    if (!"57014".equals(e.getSQLState()) || attempt == 3) {
                        failure = failure == null ? e : failure;
                        break;
                    }
                }
            }
        }
        created.clear();
        if (failure != null) {
            throw failure;
        }
    }

    /** What {@code bench --restore} did to one table. */
    record Restored(String table, String action) {}

    /**
     * Drops the tables left by runs whose coordinator session is gone; names those of a running run and the kept
     * ones, and leaves them.
     */
    static List<Restored> restore(Coordinator coordinator) throws SQLException {
        List<Restored> restored = new ArrayList<>();
        List<String> rows = coordinator.queryStrings("SELECT c.oid::regclass::text || E'\\t' || obj_description(c.oid,"
                + " 'pg_class') FROM pg_class c WHERE c.relkind IN ('r', 'p') AND obj_description(c.oid, 'pg_class')"
                + " LIKE " + ClusterSettings.literal(MARK + " %") + " ORDER BY 1");
        for (String row : rows) {
            String[] parts = row.split("\t", 2);
            String table = parts[0];
            String comment = parts[1];
            Matcher m = RUN.matcher(comment);
            if (comment.startsWith(KEPT)) {
                restored.add(new Restored(table, "kept by --keep, left alone (DROP TABLE " + table + " to remove it)"));
            } else if (m.matches()) {
                boolean running = !coordinator
                        .queryStrings(
                                "SELECT 1 FROM pg_stat_activity WHERE pid = ?"
                                        + " AND extract(epoch FROM backend_start)::bigint = ?",
                                Integer.parseInt(m.group(1)),
                                Long.parseLong(m.group(2)))
                        .isEmpty();
                if (running) {
                    restored.add(new Restored(
                            table, "in use by a running bench (coordinator session " + m.group(1) + "), left alone"));
                } else {
                    coordinator.execute("DROP TABLE IF EXISTS " + table);
                    restored.add(new Restored(table, "dropped (left by an interrupted run)"));
                }
            }
        }
        return restored;
    }
}
