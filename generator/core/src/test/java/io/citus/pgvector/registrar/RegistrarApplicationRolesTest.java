package io.citus.pgvector.registrar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.citus.pgvector.testing.LocalPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * applicationRoles on a real Citus cluster on 127.0.0.1: a coordinator and workers as local PostgreSQL servers with
 * password authentication for every role and no password file for the servers, so a node reaches another only
 * through pg_dist_authinfo, as in Kubernetes. The registrars run as the sidecar runs them, with the environment the
 * chart renders for an application role and its password in a file of the folder the chart's projected Secret volume
 * mounts; a new password is swapped in the way the kubelet updates such a volume (a new file renamed over the old).
 * The role logs in and runs its distributed queries with no SQL from anyone but itself, apart from the one privilege
 * the README says to grant. Every server logs every statement, and no password may reach a log. Skipped where Citus
 * and pgvector are not installed.
 */
@DisplayName("registrar.sh keeps application roles and their passwords on a real Citus cluster")
class RegistrarApplicationRolesTest {

    private static final String SUPERUSER_PASSWORD = "Same-Superuser-Pa55word";
    private static final String ROLE = "app";
    private static final String FIRST_PASSWORD = "first 'app' pa$$word\\";
    private static final String SECOND_PASSWORD = "second-app-password";
    private static final String DATABASE = "vectors";
    private static final Duration CONVERGE = Duration.ofSeconds(90);

    @TempDir
    Path tempDir;

    private Path rolesDir;
    private LocalPostgres coordinator;
    private final List<LocalPostgres> workers = new ArrayList<>();
    private final List<RegistrarProcess> registrars = new ArrayList<>();

    @BeforeEach
    void startCluster() throws IOException {
        Optional<String> reason = LocalPostgres.citusUnavailableReason();
        Assumptions.assumeTrue(reason.isEmpty(), () -> reason.orElseThrow());
        rolesDir = Files.createDirectories(tempDir.resolve("application-roles"));
        writePassword(FIRST_PASSWORD);
        coordinator = server("coordinator");
        workers.add(server("worker-1"));
        workers.add(server("worker-2"));
    }

    @AfterEach
    void stopCluster() throws IOException {
        List<LocalPostgres> servers = new ArrayList<>(workers);
        servers.add(coordinator);
        assertThat(RegistrarProcess.stopAllThenClose(registrars, servers))
                .as("registrars' exit codes on SIGTERM")
                .allMatch(code -> code == 0);
    }

    private LocalPostgres server(String name) throws IOException {
        LocalPostgres server = LocalPostgres.create(tempDir, name, SUPERUSER_PASSWORD, true, false);
        server.start();
        server.configure(Map.of("log_statement", "all"));
        server.query("postgres", "CREATE DATABASE " + DATABASE);
        return server;
    }

    /** Replaces the role's password file as the kubelet updates a Secret volume: never a half-written file. */
    private void writePassword(String password) throws IOException {
        Path next = Files.writeString(rolesDir.resolve(".next"), password);
        Files.move(next, rolesDir.resolve(ROLE), StandardCopyOption.ATOMIC_MOVE);
    }

    private RegistrarProcess registrar(String id, LocalPostgres worker) throws IOException {
        RegistrarProcess registrar = RegistrarProcess.start(
                tempDir.resolve("registrars"),
                id,
                coordinator.port(),
                worker.port(),
                DATABASE,
                SUPERUSER_PASSWORD,
                Map.of(
                        "REGISTRAR_APPLICATION_ROLES",
                        RegistrarProcess.renderedEnv(
                                "REGISTRAR_APPLICATION_ROLES", Map.of("applicationRoles[0].name", ROLE)),
                        "REGISTRAR_APPLICATION_ROLES_DIR",
                        rolesDir.toString()));
        registrars.add(registrar);
        return registrar;
    }

    private List<LocalPostgres> nodes() {
        List<LocalPostgres> nodes = new ArrayList<>(workers);
        nodes.add(0, coordinator);
        return nodes;
    }

    private boolean registered(List<LocalPostgres> expected) {
        try {
            String ports = String.join(
                    ",", expected.stream().map(w -> String.valueOf(w.port())).toList());
            return String.valueOf(expected.size())
                            .equals(coordinator.query(
                                    DATABASE,
                                    "SELECT count(*) FROM pg_dist_node WHERE groupid <> 0 AND isactive AND nodeport IN ("
                                            + ports + ")"))
                    && registrars.stream().allMatch(r -> {
                        try {
                            return r.isAlive() && "registered".equals(r.state());
                        } catch (IOException e) {
                            return false;
                        }
                    });
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Whether the role logs in with {@code password} on every node given. */
    private static boolean logsInEverywhere(List<LocalPostgres> nodes, String password) {
        for (LocalPostgres node : nodes) {
            try (Connection ignored = connectAs(node, password)) {
                // logged in
            } catch (SQLException e) {
                return false;
            }
        }
        return true;
    }

    private static Connection connectAs(LocalPostgres node, String password) throws SQLException {
        return DriverManager.getConnection(node.jdbcUrl(DATABASE), ROLE, password);
    }

    private static List<String> rows(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet r = s.executeQuery(sql)) {
            List<String> rows = new ArrayList<>();
            while (r.next()) {
                rows.add(r.getString(1));
            }
            return rows;
        }
    }

    private static void execute(Connection c, String... statements) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    /** As the role: a distributed vector table with an HNSW index, created on the coordinator. */
    private static void createTable(Connection c, String table) throws SQLException {
        execute(
                c,
                "CREATE TABLE " + table + " (id bigint PRIMARY KEY, embedding vector(3))",
                // Not colocated with an earlier table: its shards go to every worker there is now.
                "SELECT create_distributed_table('" + table + "', 'id', colocate_with => 'none')",
                "INSERT INTO " + table + " SELECT g, ARRAY[g, g * 2, g * 3]::vector FROM generate_series(1, 100) g",
                "CREATE INDEX ON " + table + " USING hnsw (embedding vector_l2_ops)");
    }

    /** As the role: a fan-out kNN query over every shard and a router query to one shard. */
    private static void assertQueriesWork(Connection c, String table) throws SQLException {
        assertThat(rows(c, "SELECT id FROM " + table + " ORDER BY embedding <-> '[10,20,30]'::vector LIMIT 5"))
                .as("fan-out kNN as %s", ROLE)
                .containsExactlyInAnyOrder("10", "9", "11", "8", "12");
        assertThat(rows(c, "SELECT id FROM " + table + " WHERE id = 42 ORDER BY embedding <-> '[1,2,3]'::vector"))
                .as("router query as %s", ROLE)
                .containsExactly("42");
    }

    private String workersWithShards(String table) {
        return coordinator.query(
                DATABASE,
                "SELECT string_agg(DISTINCT n.nodeport::text, ',' ORDER BY n.nodeport::text) FROM pg_dist_shard s"
                        + " JOIN pg_dist_placement p USING (shardid) JOIN pg_dist_node n USING (groupid)"
                        + " WHERE s.logicalrelid = '" + table + "'::regclass");
    }

    private static String ports(List<LocalPostgres> nodes) {
        return String.join(
                ",", nodes.stream().map(n -> String.valueOf(n.port())).sorted().toList());
    }

    private void assertNoPasswordLogged() {
        for (LocalPostgres node : nodes()) {
            String log = node.log();
            assertThat(log).as("%s logs statements", node.name()).contains("statement:");
            for (String password : List.of(FIRST_PASSWORD, SECOND_PASSWORD, SUPERUSER_PASSWORD)) {
                assertThat(log).as("%s's log", node.name()).doesNotContain(password);
            }
        }
        for (RegistrarProcess registrar : registrars) {
            String output = output(registrar);
            for (String password : List.of(FIRST_PASSWORD, SECOND_PASSWORD)) {
                assertThat(output).as("registrar %s's output", registrar.id()).doesNotContain(password);
            }
        }
    }

    /** {@link RegistrarProcess#await}, failing with what the registrars said. */
    private Duration await(Duration timeout, String description, java.util.function.BooleanSupplier condition) {
        try {
            return RegistrarProcess.await(timeout, description, condition);
        } catch (AssertionError e) {
            StringBuilder said = new StringBuilder(e.getMessage());
            for (RegistrarProcess registrar : registrars) {
                said.append("\n--- registrar ")
                        .append(registrar.id())
                        .append(":\n")
                        .append(output(registrar));
            }
            throw new AssertionError(said.toString(), e);
        }
    }

    private static String output(RegistrarProcess registrar) {
        try {
            return registrar.output();
        } catch (IOException e) {
            return "";
        }
    }

    @Test
    @DisplayName("the role runs distributed kNN queries, gets a new password from its file, and reaches a worker added"
            + " later")
    void applicationRoleWorksEverywhere() throws Exception {
        registrar("worker-1", workers.get(0));
        registrar("worker-2", workers.get(1));
        await(
                CONVERGE,
                "both workers registered and the role logging in on every node",
                () -> registered(workers) && logsInEverywhere(nodes(), FIRST_PASSWORD));
        for (LocalPostgres node : nodes()) {
            assertThat(node.query(
                            DATABASE,
                            "SELECT rolcanlogin || ',' || rolsuper || ',' || rolcreaterole || ',' || rolcreatedb"
                                    + " FROM pg_roles WHERE rolname = '" + ROLE + "'"))
                    .as("%s: LOGIN and nothing else", node.name())
                    .isEqualTo("true,false,false,false");
        }
        // The one privilege the README leaves to the user: a schema the role may create tables in.
        coordinator.query(DATABASE, "GRANT CREATE ON SCHEMA public TO " + ROLE);

        try (Connection c = connectAs(coordinator, FIRST_PASSWORD)) {
            createTable(c, "items");
            assertQueriesWork(c, "items");
        }
        assertThat(workersWithShards("items")).as("workers holding shards").isEqualTo(ports(workers));

        writePassword(SECOND_PASSWORD);
        Duration rotated = await(
                CONVERGE, "the new password in force on every node", () -> logsInEverywhere(nodes(), SECOND_PASSWORD));
        System.out.printf(
                "registrar: a new application role password in force everywhere after %d ms%n", rotated.toMillis());
        assertThatThrownBy(() -> connectAs(coordinator, FIRST_PASSWORD).close())
                .as("the old password")
                .isInstanceOf(SQLException.class);
        try (Connection c = connectAs(coordinator, SECOND_PASSWORD)) {
            assertQueriesWork(c, "items");
        }

        LocalPostgres third = server("worker-3");
        workers.add(third);
        registrar("worker-3", third);
        await(
                CONVERGE,
                "the third worker registered",
                () -> registered(workers) && logsInEverywhere(List.of(third), SECOND_PASSWORD));
        try (Connection c = connectAs(coordinator, SECOND_PASSWORD)) {
            createTable(c, "later_items");
            assertQueriesWork(c, "later_items");
        }
        assertThat(workersWithShards("later_items"))
                .as("workers holding shards of a table created after the third joined")
                .isEqualTo(ports(workers));

        assertThat(output(registrars.get(0)))
                .contains("create application role " + ROLE)
                .contains("set the password of application role " + ROLE);
        assertNoPasswordLogged();
    }

    @Test
    @DisplayName("a role whose password file is missing is reported, and the worker is registered all the same")
    void missingPasswordIsReported() throws Exception {
        Files.delete(rolesDir.resolve(ROLE));
        RegistrarProcess registrar = registrar("worker-1", workers.get(0));
        await(CONVERGE, "the registrar reports the missing password", () -> {
            try {
                return "error".equals(registrar.state())
                        && registrar.output().contains("application role(s) " + ROLE + " have no password");
            } catch (IOException e) {
                return false;
            }
        });
        assertThat(coordinator.query(
                        DATABASE,
                        "SELECT count(*) FROM pg_dist_node WHERE isactive AND nodeport = "
                                + workers.get(0).port()))
                .isEqualTo("1");
        assertThat(coordinator.query(DATABASE, "SELECT count(*) FROM pg_roles WHERE rolname = '" + ROLE + "'"))
                .isEqualTo("0");

        writePassword(FIRST_PASSWORD);
        await(
                CONVERGE,
                "registered once the password is there",
                () -> registered(List.of(workers.get(0)))
                        && logsInEverywhere(List.of(coordinator, workers.get(0)), FIRST_PASSWORD));
    }
}
