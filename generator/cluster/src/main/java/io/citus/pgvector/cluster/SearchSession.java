package io.citus.pgvector.cluster;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A connection that runs one kNN statement with a configuration's settings, changing nothing on the cluster: each
 * setting is SET for the session (the coordinator's own behaviour, such as {@code citus.max_cached_conns_per_worker})
 * and, in the transaction around every query, SET LOCAL after {@code citus.propagate_set_commands = 'local'}, which
 * Citus sends to every worker connection the query uses (a session SET on the coordinator does not reach the
 * workers). A setting that pgvector defines works even where no node preloads pgvector: PostgreSQL keeps it as a
 * placeholder until the query loads the library. With no settings and {@code wrap} off, queries run in autocommit.
 */
final class SearchSession implements AutoCloseable {

    /** Binds one query's parameters. */
    interface Binder {
        void bind(PreparedStatement statement) throws SQLException;
    }

    /** Reads the value of one row. */
    interface RowReader<T> {
        T read(ResultSet row) throws SQLException;
    }

    private final Connection connection;
    private final Interruption interruption;
    private final String prelude;
    private final PreparedStatement statement;

    private SearchSession(
            Connection connection, Interruption interruption, String prelude, PreparedStatement statement) {
        this.connection = connection;
        this.interruption = interruption;
        this.prelude = prelude;
        this.statement = statement;
    }

    /**
     * Opens a session for {@code sql}.
     *
     * @param wrap run every query in a transaction even without settings, so configurations with and without
     *     settings pay the same BEGIN/COMMIT and are compared like with like
     */
    static SearchSession open(
            ConnectionSettings target,
            Map<String, String> settings,
            boolean wrap,
            String sql,
            Interruption interruption)
            throws SQLException {
        return open(target, false, settings, wrap, sql, interruption);
    }

    /**
     * Opens a session for {@code sql}; with {@code readSecondaries} through the read endpoint of replica reads
     * ({@code citus.use_secondary_nodes = 'always'} from connection start).
     */
    static SearchSession open(
            ConnectionSettings target,
            boolean readSecondaries,
            Map<String, String> settings,
            boolean wrap,
            String sql,
            Interruption interruption)
            throws SQLException {
        Connection connection = interruption.track(target.connect(readSecondaries));
        try {
            try (Statement s = connection.createStatement()) {
                s.execute("SET citus.node_connection_timeout = " + Coordinator.NODE_CONNECTION_TIMEOUT_MS);
                for (Map.Entry<String, String> setting : new TreeMap<>(settings).entrySet()) {
                    s.execute("SET " + setting.getKey() + " = " + ClusterSettings.literal(setting.getValue()));
                }
            }
            String prelude = null;
            if (wrap || !settings.isEmpty()) {
                prelude = prelude(settings);
                connection.setAutoCommit(false);
            }
            return new SearchSession(connection, interruption, prelude, connection.prepareStatement(sql));
        } catch (SQLException | RuntimeException e) {
            interruption.release(connection);
            connection.close();
            throw e;
        }
    }

    /**
     * Refuses settings that the coordinator does not know, that only the server's configuration can change, or whose
     * value it rejects, before anything runs: each is SET LOCAL once in a transaction that is rolled back.
     *
     * @param owner what the settings belong to, for messages (e.g. "configuration low")
     */
    static void validate(Coordinator coordinator, String owner, Map<String, String> settings)
            throws SQLException, BenchException {
        if (settings.isEmpty()) {
            return;
        }
        // Loads pgvector into this session, so its settings are known even where no node preloads it.
        coordinator.queryString("SELECT '[1]'::vector::text");
        Connection connection = coordinator.connection();
        for (Map.Entry<String, String> setting : new TreeMap<>(settings).entrySet()) {
            String name = setting.getKey();
            List<String> context = coordinator.queryStrings("SELECT context FROM pg_settings WHERE name = ?", name);
            if (context.isEmpty()) {
                List<String> near = coordinator.queryStrings(
                        "SELECT name FROM pg_settings WHERE name <> ? AND split_part(name, '.', 2) <> ''"
                                + " AND split_part(name, '.', 2) = split_part(?, '.', 2) ORDER BY name",
                        name,
                        name);
                throw BenchException.invalidInput(owner + ": the coordinator has no setting \"" + name + "\""
                        + (near.isEmpty() ? "" : " (did you mean " + String.join(" or ", near) + "?)"));
            }
            if (!context.get(0).equals("user") && !context.get(0).equals("superuser")) {
                throw BenchException.invalidInput(owner + ": " + name + " can only be changed in the servers'"
                        + " configuration (context " + context.get(0) + "), and this command changes no node's"
                        + " configuration: set it on every node, then measure the configuration 'cluster'");
            }
            connection.setAutoCommit(false);
            try (Statement s = connection.createStatement()) {
                s.execute("SET LOCAL " + name + " = " + ClusterSettings.literal(setting.getValue()));
            } catch (SQLException e) {
                if (e.getSQLState() != null
                        && (e.getSQLState().startsWith("22") || e.getSQLState().equals("42704"))) {
                    throw BenchException.invalidInput(
                            owner + ": " + name + "=" + setting.getValue() + ": " + firstLine(e.getMessage()));
                }
                throw e;
            } finally {
                connection.rollback();
                connection.setAutoCommit(true);
            }
        }
    }

    static String firstLine(String message) {
        String text = message == null ? "" : message.strip();
        int newline = text.indexOf('\n');
        return (newline < 0 ? text : text.substring(0, newline)).replaceFirst("^ERROR: ", "");
    }

    /** The statements that open every query's transaction: the settings, for this node and every worker. */
    static String prelude(Map<String, String> settings) {
        StringBuilder sql = new StringBuilder("SET LOCAL citus.propagate_set_commands = 'local'");
        new TreeMap<>(settings)
                .forEach((name, value) ->
                        sql.append("; SET LOCAL ").append(name).append(" = ").append(ClusterSettings.literal(value)));
        return sql.toString();
    }

    /** Runs the statement once and returns what {@code reader} reads of every row. */
    <T> List<T> run(Binder binder, RowReader<T> reader) throws SQLException {
        interruption.check();
        try {
            if (prelude != null) {
                try (Statement s = connection.createStatement()) {
                    s.execute(prelude);
                }
            }
            binder.bind(statement);
            List<T> values = new ArrayList<>();
            try (ResultSet r = statement.executeQuery()) {
                while (r.next()) {
                    values.add(reader.read(r));
                }
            }
            if (prelude != null) {
                connection.commit();
            }
            return values;
        } catch (SQLException e) {
            if (prelude != null) {
                try {
                    connection.rollback();
                } catch (SQLException ignored) {
                    // The connection is gone; the first error says why.
                }
            }
            throw e;
        }
    }

    @Override
    public void close() {
        interruption.release(connection);
        try {
            connection.close();
        } catch (SQLException e) {
            // Closing a broken session has nothing left to release.
        }
    }
}
