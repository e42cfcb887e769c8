package io.citus.pgvector.cluster;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** A session on the Citus coordinator, and through it on the workers ({@code run_command_on_workers}). */
public final class Coordinator implements AutoCloseable {

    /** How long Citus waits for a worker connection in our sessions: a dead worker is reported, not waited for. */
    static final int NODE_CONNECTION_TIMEOUT_MS = 5000;

    private final ConnectionSettings settings;
    private final Connection connection;

    private Coordinator(ConnectionSettings settings, Connection connection) {
        this.settings = settings;
        this.connection = connection;
    }

    /**
     * Connects.
     *
     * @throws ClusterUnreachableException when no session can be opened (network, authentication, no such database)
     */
    public static Coordinator connect(ConnectionSettings settings) throws ClusterUnreachableException {
        Connection connection;
        try {
            connection = settings.connect();
        } catch (SQLException e) {
            throw new ClusterUnreachableException(
                    "cannot connect to " + settings.describe() + ": " + e.getMessage(), e);
        }
        Coordinator coordinator = new Coordinator(settings, connection);
        try {
            if (coordinator.hasCitus()) {
                coordinator.execute("SET citus.node_connection_timeout = " + NODE_CONNECTION_TIMEOUT_MS);
            }
        } catch (SQLException e) {
            coordinator.close();
            throw new ClusterUnreachableException("cannot use " + settings.describe() + ": " + e.getMessage(), e);
        }
        return coordinator;
    }

    public ConnectionSettings settings() {
        return settings;
    }

    public Connection connection() {
        return connection;
    }

    /** Whether the citus extension exists in this database. */
    public boolean hasCitus() throws SQLException {
        return !queryStrings("SELECT extversion FROM pg_extension WHERE extname = 'citus'")
                .isEmpty();
    }

    /** A worker as the coordinator's metadata knows it. */
    public record Worker(String name, int port, boolean active, boolean shouldHaveShards) {
        public String address() {
            return name + ":" + port;
        }
    }

    /** The primary workers in pg_dist_node (the coordinator's own group 0 left out). */
    public List<Worker> workers() throws SQLException {
        List<Worker> workers = new ArrayList<>();
        try (Statement s = connection.createStatement();
                ResultSet r = s.executeQuery("SELECT nodename, nodeport, isactive, shouldhaveshards FROM pg_dist_node"
                        + " WHERE noderole = 'primary' AND groupid <> 0 ORDER BY nodename, nodeport")) {
            while (r.next()) {
                workers.add(new Worker(r.getString(1), r.getInt(2), r.getBoolean(3), r.getBoolean(4)));
            }
        }
        return workers;
    }

    /** One worker's answer to a command run through {@code run_command_on_workers}. */
    public record WorkerResult(String node, boolean success, String result) {}

    /** Runs one command on every active primary worker; a worker that cannot run it answers success=false. */
    public List<WorkerResult> onWorkers(String command) throws SQLException {
        List<WorkerResult> results = new ArrayList<>();
        try (PreparedStatement s = connection.prepareStatement(
                "SELECT nodename, nodeport, success, result FROM run_command_on_workers(?) ORDER BY 1, 2")) {
            s.setString(1, command);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    results.add(new WorkerResult(r.getString(1) + ":" + r.getInt(2), r.getBoolean(3), r.getString(4)));
                }
            }
        }
        return results;
    }

    /** Runs a command of its own on each given worker, in parallel; fails with the workers' errors. */
    public void onEachWorker(List<Worker> workers, List<String> commands) throws SQLException {
        if (workers.isEmpty()) {
            return;
        }
        List<String> failures = new ArrayList<>();
        try (PreparedStatement s = connection.prepareStatement("SELECT node_name || ':' || node_port, success, result"
                + " FROM master_run_on_worker(?, ?, ?, true)")) {
            s.setArray(
                    1,
                    connection.createArrayOf(
                            "text", workers.stream().map(Worker::name).toArray()));
            s.setArray(
                    2,
                    connection.createArrayOf(
                            "int4", workers.stream().map(Worker::port).toArray()));
            s.setArray(3, connection.createArrayOf("text", commands.toArray()));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    if (!r.getBoolean(2)) {
                        failures.add(r.getString(1) + ": " + r.getString(3));
                    }
                }
            }
        }
        if (!failures.isEmpty()) {
            throw new SQLException("failed on " + String.join("; ", failures));
        }
    }

    /** Runs one command on every worker and fails with the workers' errors unless all succeed. */
    public List<WorkerResult> onWorkersOrFail(String command) throws SQLException {
        List<WorkerResult> results = onWorkers(command);
        List<String> failures = results.stream()
                .filter(r -> !r.success())
                .map(r -> r.node() + ": " + r.result())
                .toList();
        if (!failures.isEmpty()) {
            throw new SQLException("\"" + command + "\" failed on " + String.join("; ", failures));
        }
        return results;
    }

    public void execute(String sql) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute(sql);
        }
    }

    /** The first column of every row, as text. */
    public List<String> queryStrings(String sql, Object... parameters) throws SQLException {
        List<String> values = new ArrayList<>();
        try (PreparedStatement s = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                s.setObject(i + 1, parameters[i]);
            }
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    values.add(r.getString(1));
                }
            }
        }
        return values;
    }

    /** The single value of a one-row, one-column query. */
    public String queryString(String sql, Object... parameters) throws SQLException {
        List<String> values = queryStrings(sql, parameters);
        if (values.size() != 1) {
            throw new SQLException("expected one row from " + sql + ", got " + values.size());
        }
        return values.get(0);
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            // Closing a broken session has nothing left to release.
        }
    }
}
