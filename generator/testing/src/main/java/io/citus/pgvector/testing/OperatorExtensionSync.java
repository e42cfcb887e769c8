package io.citus.pgvector.testing;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Stands in for the Zalando operator's extension sync of {@code preparedDatabases} (v1.15.1 and v2.0.1:
 * {@code syncPreparedDatabases}/{@code syncExtensions} in pkg/cluster/sync.go, the SQL in database.go), which runs at
 * cluster create and on every sync. Like the operator it connects as the superuser with {@code sslmode=require} (the
 * server must require SSL, as Spilo's does: {@link LocalPostgres#rejectTcpWithoutSsl()}), reads every extension with its
 * schema from {@code pg_extension}, then for each wanted extension runs, each statement on its own (autocommit),
 * {@code CREATE EXTENSION IF NOT EXISTS "name" SCHEMA "schema"} when missing or {@code ALTER EXTENSION "name" SET
 * SCHEMA "schema"} when elsewhere, in random order (Go's map iteration), collecting errors instead of stopping.
 */
public final class OperatorExtensionSync {

    private OperatorExtensionSync() {}

    /** One sync of {@code extensions} (name to schema) in {@code database}; the errors the operator would report. */
    public static List<String> sync(LocalPostgres server, String database, Map<String, String> extensions) {
        try (Connection c = server.connect(database)) {
            return sync(c, "port " + server.port(), extensions);
        } catch (SQLException e) {
            return List.of("could not sync extensions on port " + server.port() + ": " + e.getMessage());
        }
    }

    /** One sync over {@code connection} (made the way the operator connects: superuser, TLS) to {@code where}. */
    public static List<String> sync(Connection connection, String where, Map<String, String> extensions) {
        List<String> errors = new ArrayList<>();
        try (Statement s = connection.createStatement()) {
            try (ResultSet ssl = s.executeQuery("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
                if (!ssl.next() || !ssl.getBoolean(1)) {
                    throw new IllegalStateException(
                            "the operator connects with SSL only; " + where + " let it in without");
                }
            }
            Map<String, String> current = new HashMap<>();
            try (ResultSet r = s.executeQuery("SELECT e.extname, n.nspname FROM pg_catalog.pg_extension e"
                    + " LEFT JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace ORDER BY 1")) {
                while (r.next()) {
                    current.put(r.getString(1), r.getString(2));
                }
            }
            List<String> names = new ArrayList<>(extensions.keySet());
            Collections.shuffle(names);
            for (String name : names) {
                String schema = extensions.get(name);
                String statement = !current.containsKey(name)
                        ? String.format("CREATE EXTENSION IF NOT EXISTS \"%s\" SCHEMA \"%s\"", name, schema)
                        : !schema.equals(current.get(name))
                                ? String.format("ALTER EXTENSION \"%s\" SET SCHEMA \"%s\"", name, schema)
                                : null;
                if (statement == null) {
                    continue;
                }
                try {
                    s.execute(statement);
                } catch (SQLException e) {
                    errors.add(statement + ": " + e.getMessage());
                }
            }
        } catch (SQLException e) {
            errors.add("could not sync extensions on " + where + ": " + e.getMessage());
        }
        return errors;
    }
}
