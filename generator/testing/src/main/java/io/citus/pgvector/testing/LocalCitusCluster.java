package io.citus.pgvector.testing;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A Citus cluster on this machine: a coordinator and workers, each a {@link LocalPostgres} with Citus preloaded and
 * the {@code citus} and {@code vector} extensions in database {@code postgres}. Nodes are known to Citus as
 * {@code 127.0.0.1:<port>}; every node has the same superuser password and a server password file, so Citus's
 * connections between nodes authenticate. Check {@link LocalPostgres#citusUnavailableReason()} first.
 */
public final class LocalCitusCluster implements AutoCloseable {

    public static final String DATABASE = "postgres";
    public static final String HOST = "127.0.0.1";

    private final Path dir;
    private final String password;
    private final LocalPostgres coordinator;
    private final List<LocalPostgres> workers = new ArrayList<>();
    private final Consumer<LocalPostgres> firstBoot;

    private LocalCitusCluster(Path dir, String password, LocalPostgres coordinator, Consumer<LocalPostgres> firstBoot) {
        this.dir = dir;
        this.password = password;
        this.coordinator = coordinator;
        this.firstBoot = firstBoot;
    }

    /**
     * Starts a coordinator and {@code workers} workers with the extensions created.
     *
     * @param register also register the workers with the coordinator, as the registrar sidecars would
     */
    public static LocalCitusCluster start(Path dir, int workers, String password, boolean register) {
        return start(dir, workers, password, register, node -> {});
    }

    /**
     * Like {@link #start(Path, int, String, boolean)}, with {@code firstBoot} run on every node once its server is
     * up and before the extensions are created, as the image's own first boot runs before the operator creates them.
     */
    public static LocalCitusCluster start(
            Path dir, int workers, String password, boolean register, Consumer<LocalPostgres> firstBoot) {
        LocalCitusCluster cluster = new LocalCitusCluster(
                dir, password, LocalPostgres.start(dir, "coordinator", password, true, true), firstBoot);
        try {
            firstBoot.accept(cluster.coordinator);
            createExtensions(cluster.coordinator);
            for (int i = 1; i <= workers; i++) {
                cluster.startWorker(register);
            }
            if (register) {
                cluster.sql(
                        cluster.coordinator,
                        "SELECT citus_set_coordinator_host(?, ?)",
                        HOST,
                        cluster.coordinator.port());
            }
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** Starts one more worker with the extensions created, registered with the coordinator when asked. */
    public LocalPostgres startWorker(boolean register) {
        LocalPostgres worker = LocalPostgres.start(dir, "worker-" + (workers.size() + 1), password, true, true);
        workers.add(worker);
        firstBoot.accept(worker);
        createExtensions(worker);
        if (register) {
            sql(coordinator, "SELECT citus_add_node(?, ?)", HOST, worker.port());
        }
        return worker;
    }

    private static void createExtensions(LocalPostgres node) {
        try (Connection c = node.connect(DATABASE);
                Statement s = c.createStatement()) {
            s.execute("CREATE EXTENSION IF NOT EXISTS citus");
            s.execute("CREATE EXTENSION IF NOT EXISTS vector");
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "cannot create citus and vector on port " + node.port() + ": " + e.getMessage() + "\n" + node.log(),
                    e);
        }
    }

    /** Runs one statement with parameters on a node's {@link #DATABASE}. */
    public void sql(LocalPostgres node, String statement, Object... parameters) {
        try (Connection c = node.connect(DATABASE);
                PreparedStatement s = c.prepareStatement(statement)) {
            for (int i = 0; i < parameters.length; i++) {
                s.setObject(i + 1, parameters[i]);
            }
            s.execute();
        } catch (SQLException e) {
            throw new IllegalStateException(statement + " on port " + node.port() + ": " + e.getMessage(), e);
        }
    }

    /** The first column of every row of a query on the coordinator's {@link #DATABASE}. */
    public List<String> query(String sql) {
        try (Connection c = coordinator.connect(DATABASE);
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery(sql)) {
            List<String> rows = new ArrayList<>();
            while (r.next()) {
                rows.add(r.getString(1));
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /**
     * The environment a chart hook (scaling Jobs, helm test) gets, pointed at this cluster's coordinator: the libpq
     * variables (no SSL locally), the workers' loopback names, a 1 s poll; {@code overrides} last.
     */
    public Map<String, String> hookEnvironment(Map<String, String> overrides) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PGHOST", HOST);
        env.put("PGPORT", Integer.toString(coordinator.port()));
        env.put("PGUSER", LocalPostgres.SUPERUSER);
        env.put("PGPASSWORD", password);
        env.put("PGDATABASE", DATABASE);
        env.put("PGSSLMODE", "disable");
        env.put("WORKER_NAME_REGEX", "^127\\.0\\.0\\.1$");
        env.put("POLL_SECONDS", "1");
        env.putAll(overrides);
        return env;
    }

    public LocalPostgres coordinator() {
        return coordinator;
    }

    public List<LocalPostgres> workers() {
        return List.copyOf(workers);
    }

    public String password() {
        return password;
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        for (LocalPostgres node : workers) {
            try {
                node.close();
            } catch (RuntimeException e) {
                failure = e;
            }
        }
        try {
            coordinator.close();
        } catch (RuntimeException e) {
            failure = e;
        }
        if (failure != null) {
            throw failure;
        }
    }
}
