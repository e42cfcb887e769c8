package io.citus.pgvector.pooler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.citus.pgvector.registrar.RegistrarProcess;
import io.citus.pgvector.testing.LocalCitusCluster;
import io.citus.pgvector.testing.LocalPgBouncer;
import io.citus.pgvector.testing.LocalPostgres;
import io.citus.pgvector.testing.Waits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the README promises about the coordinator's pooler, checked through Debian's real PgBouncer in transaction mode
 * in front of a local Citus coordinator with two workers (see {@link LocalPgBouncer} for how it reproduces the
 * operator's pooler): kNN queries with a bound {@code $1::vector}, router and fan-out, the exact-path transaction with
 * {@code SET LOCAL}, more clients than server connections, and the prepared statement limit of PgBouncer before 1.21.
 * Clients log in as an ordinary role, as applications do, which the registrars create and whose password they store
 * in pg_dist_authinfo on every node ({@code applicationRoles}).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class PoolerWithCitusTest {

    private static final String DB = LocalCitusCluster.DATABASE;
    private static final String APP_USER = "app";
    private static final String APP_PASSWORD = "app-secret";
    private static final int SERVER_POOL = 2;
    private static final String ROUTER =
            "SELECT id FROM items WHERE channel = ? ORDER BY embedding <=> ?::vector, id LIMIT 5";
    private static final String FAN_OUT = "SELECT id FROM items ORDER BY embedding <=> ?::vector, id LIMIT 5";
    /** The README's query for the exact path, without a tie-breaker so that it may use the HNSW index. */
    private static final String EXACT_ROUTER =
            "SELECT id FROM items WHERE channel = ? ORDER BY embedding <=> ?::vector LIMIT 5";

    @TempDir
    static Path dir;

    private static LocalCitusCluster cluster;
    private static LocalPgBouncer bouncer;
    private static final List<RegistrarProcess> registrars = new ArrayList<>();

    @BeforeAll
    static void start() throws SQLException, IOException {
        Optional<String> citus = LocalPostgres.citusUnavailableReason();
        Assumptions.assumeTrue(citus.isEmpty(), () -> citus.orElse(""));
        Optional<String> pgbouncer = LocalPgBouncer.unavailableReason();
        Assumptions.assumeTrue(pgbouncer.isEmpty(), () -> pgbouncer.orElse(""));
        cluster = LocalCitusCluster.start(dir, 2, "pw-pooler", true);
        // The role as the chart gives it (applicationRoles): created and its password stored on every node by the
        // registrars, one per worker, from the password file its Secret would be.
        Path roles = Files.createDirectories(dir.resolve("application-roles"));
        Files.writeString(roles.resolve(APP_USER), APP_PASSWORD);
        for (LocalPostgres worker : cluster.workers()) {
            registrars.add(RegistrarProcess.start(
                    dir.resolve("registrars"),
                    worker.name(),
                    cluster.coordinator().port(),
                    worker.port(),
                    DB,
                    cluster.password(),
                    Map.of(
                            "REGISTRAR_APPLICATION_ROLES",
                            APP_USER,
                            "REGISTRAR_APPLICATION_ROLES_DIR",
                            roles.toString())));
        }
        Waits.until(
                Duration.ofSeconds(90),
                "the registrars to create " + APP_USER + " on every node",
                () -> allNodes().stream()
                        .allMatch(node -> "1"
                                .equals(node.query(
                                        DB,
                                        "SELECT count(*) FROM pg_dist_authinfo WHERE nodeid = 0 AND rolename = '"
                                                + APP_USER + "'"))));
        try (Connection c = cluster.coordinator().connect(DB);
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE items (channel bigint, id bigint, embedding vector(3), PRIMARY KEY (channel, id))");
            s.execute("SELECT create_distributed_table('items', 'channel')");
            s.execute("INSERT INTO items SELECT i % 20, i, ARRAY[sin(i), cos(i), sin(i * 0.7)]::vector"
                    + " FROM generate_series(1, 2000) i");
            s.execute("CREATE INDEX ON items USING hnsw (embedding vector_cosine_ops)");
            s.execute("GRANT SELECT ON items TO " + APP_USER);
        }
        // Says where it runs: created per node, not propagated, so the coordinator's and the workers' differ.
        for (LocalPostgres node : allNodes()) {
            String where = node == cluster.coordinator() ? "coordinator" : "worker";
            try (Connection c = node.connect(DB);
                    Statement s = c.createStatement()) {
                s.execute("SET citus.enable_ddl_propagation = off");
                s.execute("CREATE FUNCTION setting_on_node(name text) RETURNS text LANGUAGE sql VOLATILE"
                        + " AS $$ SELECT '" + where + ":' || current_setting(name) $$");
            }
        }
        bouncer = LocalPgBouncer.start(dir, cluster.coordinator(), DB, "transaction", SERVER_POOL);
    }

    private static List<LocalPostgres> allNodes() {
        List<LocalPostgres> nodes = new ArrayList<>(cluster.workers());
        nodes.add(0, cluster.coordinator());
        return nodes;
    }

    @AfterAll
    static void stop() throws IOException {
        for (RegistrarProcess registrar : registrars) {
            registrar.stop();
        }
        if (bouncer != null) {
            bouncer.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private static Connection pooled() throws SQLException {
        return DriverManager.getConnection(bouncer.jdbcUrl(DB), APP_USER, APP_PASSWORD);
    }

    private static Connection direct() throws SQLException {
        return cluster.coordinator().connect(DB);
    }

    private static List<Long> ids(Connection c, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                s.setObject(i + 1, parameters[i]);
            }
            List<Long> ids = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    ids.add(r.getLong(1));
                }
            }
            return ids;
        }
    }

    private static String vector(int i) {
        return "[" + Math.sin(i * 0.3) + "," + Math.cos(i * 0.3) + "," + Math.sin(i * 0.11) + "]";
    }

    @Test
    @DisplayName("router and fan-out kNN with a bound $1::vector give through the pooler what they give directly")
    void boundVectorParameters() throws SQLException {
        try (Connection pooled = pooled();
                Connection direct = direct()) {
            for (int q = 0; q < 10; q++) {
                long channel = q % 20;
                List<Long> router = ids(pooled, ROUTER, channel, vector(q));
                assertThat(router).hasSize(5).isEqualTo(ids(direct, ROUTER, channel, vector(q)));
                List<Long> fanOut = ids(pooled, FAN_OUT, vector(q));
                assertThat(fanOut).hasSize(5).isEqualTo(ids(direct, FAN_OUT, vector(q)));
            }
        }
    }

    @Test
    @DisplayName("the README's exact-path transaction: SET LOCAL reaches the worker, gives the exact top 5 and ends"
            + " with the transaction")
    void exactPathTransaction() throws SQLException {
        long channel = 7;
        String query = vector(3);
        try (Connection pooled = pooled();
                Statement s = pooled.createStatement()) {
            pooled.setAutoCommit(false);
            s.execute("SET LOCAL citus.propagate_set_commands = 'local'");
            s.execute("SET LOCAL enable_indexscan = off");
            assertThat(settingOnShard(pooled, channel)).isEqualTo("worker:off");
            List<Long> viaPooler = ids(pooled, EXACT_ROUTER, channel, query);
            pooled.commit();
            assertThat(viaPooler).isEqualTo(exactTop5(channel, query));

            pooled.setAutoCommit(true);
            for (int i = 0; i < SERVER_POOL * 2; i++) {
                assertThat(settingOnShard(pooled, channel))
                        .as("SET LOCAL ended with its transaction")
                        .isEqualTo("worker:on");
            }
        }
    }

    /** enable_indexscan where the shard of a channel is read, through a function only the nodes' own copies define. */
    private static String settingOnShard(Connection c, long channel) throws SQLException {
        try (PreparedStatement s =
                c.prepareStatement("SELECT setting_on_node('enable_indexscan') FROM items WHERE channel = ? LIMIT 1")) {
            s.setLong(1, channel);
            try (ResultSet r = s.executeQuery()) {
                assertThat(r.next()).isTrue();
                return r.getString(1);
            }
        }
    }

    /** The 5 nearest rows of a channel by cosine distance, computed here from every row. */
    private static List<Long> exactTop5(long channel, String query) throws SQLException {
        double[] q = parse(query);
        List<double[]> scored = new ArrayList<>();
        try (Connection direct = direct();
                PreparedStatement s =
                        direct.prepareStatement("SELECT id, embedding::text FROM items WHERE channel = ?")) {
            s.setLong(1, channel);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    double[] v = parse(r.getString(2));
                    double dot = 0;
                    double nq = 0;
                    double nv = 0;
                    for (int i = 0; i < v.length; i++) {
                        dot += q[i] * v[i];
                        nq += q[i] * q[i];
                        nv += v[i] * v[i];
                    }
                    scored.add(new double[] {1 - dot / Math.sqrt(nq * nv), r.getLong(1)});
                }
            }
        }
        scored.sort((a, b) -> a[0] != b[0] ? Double.compare(a[0], b[0]) : Double.compare(a[1], b[1]));
        return scored.stream().limit(5).map(a -> (long) a[1]).toList();
    }

    private static double[] parse(String vector) {
        String[] parts = vector.substring(1, vector.length() - 1).split(",");
        double[] v = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            v[i] = Float.parseFloat(parts[i].strip());
        }
        return v;
    }

    @Test
    @DisplayName("a session SET is not the client's own: it stays on the server connection for the next client")
    void sessionSettingsLeak() throws SQLException {
        try (Connection first = pooled();
                Connection second = pooled();
                Statement a = first.createStatement();
                Statement b = second.createStatement()) {
            a.execute("SET hnsw.ef_search = 7");
            try (ResultSet r = b.executeQuery("SHOW hnsw.ef_search")) {
                r.next();
                assertThat(r.getString(1))
                        .as("the next client on the most recently used server connection")
                        .isEqualTo("7");
            }
            b.execute("RESET hnsw.ef_search");
        }
    }

    @Test
    @DisplayName("more concurrent clients than server connections: every query answers, the coordinator sees at most"
            + " the pool")
    void moreClientsThanServerConnections() throws Exception {
        int clients = SERVER_POOL * 6;
        List<List<Long>> expected = new ArrayList<>();
        try (Connection direct = direct()) {
            for (int q = 0; q < 20; q++) {
                expected.add(q % 2 == 0 ? ids(direct, ROUTER, (long) q, vector(q)) : ids(direct, FAN_OUT, vector(q)));
            }
        }
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger maxServerConnections = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(clients + 1);
        try {
            Future<?> sampler = pool.submit(() -> {
                try (Connection direct = direct();
                        Statement s = direct.createStatement()) {
                    while (running.get()) {
                        try (ResultSet r = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE usename = '"
                                + APP_USER + "' AND backend_type = 'client backend'")) {
                            r.next();
                            maxServerConnections.accumulateAndGet(r.getInt(1), Math::max);
                        }
                        Thread.sleep(20);
                    }
                }
                return null;
            });
            List<Future<Integer>> results = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                results.add(pool.submit(() -> {
                    int answered = 0;
                    try (Connection pooled = pooled()) {
                        for (int q = 0; q < 20; q++) {
                            List<Long> got = q % 2 == 0
                                    ? ids(pooled, ROUTER, (long) q, vector(q))
                                    : ids(pooled, FAN_OUT, vector(q));
                            assertThat(got).isEqualTo(expected.get(q));
                            answered++;
                        }
                    }
                    return answered;
                }));
            }
            for (Future<Integer> result : results) {
                assertThat(result.get(3, TimeUnit.MINUTES)).isEqualTo(20);
            }
            running.set(false);
            sampler.get(30, TimeUnit.SECONDS);
        } finally {
            running.set(false);
            pool.shutdownNow();
        }
        assertThat(maxServerConnections.get())
                .as("the application's connections on the coordinator")
                .isPositive()
                .isLessThanOrEqualTo(SERVER_POOL);
    }

    @Test
    @DisplayName("PgBouncer before 1.21 keeps no protocol-level prepared statements: pgJDBC's default named statements"
            + " fail in a transaction that lands on another server connection; prepareThreshold=0 does not")
    void namedPreparedStatementsNeedPgBouncer121() throws Exception {
        String defaults = bouncer.jdbcUrlWithDriverDefaults(DB);
        assertThatThrownBy(() -> queryAfterServerSwitch(DriverManager.getConnection(defaults, APP_USER, APP_PASSWORD)))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("prepared statement")
                .hasMessageContaining("does not exist");
        assertThat(queryAfterServerSwitch(pooled())).hasSize(5);
    }

    /**
     * Runs the fan-out query in 6 transactions (pgJDBC names it on the server from the 5th), then once more while
     * another client holds the server connection used last (PgBouncer hands out the most recently used one first),
     * so the last transaction runs on another server connection. pgJDBC re-prepares a missing statement by itself only
     * outside a transaction.
     */
    private static List<Long> queryAfterServerSwitch(Connection client) throws SQLException {
        try (client;
                Connection other = pooled();
                PreparedStatement query = client.prepareStatement(FAN_OUT)) {
            client.setAutoCommit(false);
            for (int i = 0; i < 6; i++) {
                query.setString(1, vector(i));
                query.executeQuery().close();
                client.commit();
            }
            other.setAutoCommit(false);
            try (Statement s = other.createStatement()) {
                s.execute("SELECT 1");
                query.setString(1, vector(1));
                List<Long> ids = new ArrayList<>();
                try (ResultSet r = query.executeQuery()) {
                    while (r.next()) {
                        ids.add(r.getLong(1));
                    }
                }
                client.commit();
                return ids;
            } finally {
                other.rollback();
            }
        }
    }
}
