package io.citus.pgvector.cluster;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.postgresql.PGConnection;

/**
 * A request to stop a run early (Ctrl-C, SIGTERM): it cancels the statements the run's connections are executing,
 * so the run gets an error at once, stops, and undoes what it did to the cluster on its way out.
 */
public final class Interruption {

    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private volatile boolean requested;

    /** Stops the run: from now on every check fails and every running statement is cancelled. */
    public void request() {
        requested = true;
        for (Connection connection : connections) {
            try {
                connection.unwrap(PGConnection.class).cancelQuery();
            } catch (SQLException e) {
                // The connection is closed or broken: nothing of it to stop.
            }
        }
    }

    public boolean requested() {
        return requested;
    }

    /** Fails once a stop was requested, so a run ends between two steps. */
    void check() throws SQLException {
        if (requested) {
            throw new SQLException("interrupted");
        }
    }

    /** The connection's statements are cancelled on a request until it is released. */
    Connection track(Connection connection) throws SQLException {
        connections.add(connection);
        if (requested) {
            throw new SQLException("interrupted");
        }
        return connection;
    }

    void release(Connection connection) {
        connections.remove(connection);
    }
}
