package io.citus.pgvector.registrar;

import static org.assertj.core.api.Assertions.assertThat;

import io.citus.pgvector.testing.LocalPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Citus cluster on 127.0.0.1: a coordinator and two workers as local PostgreSQL servers with
 * password authentication, and registrars running as processes the way the sidecar runs them.
 * Internode connections work only through the pg_dist_authinfo rows the registrars maintain (no
 * .pgpass), as in Kubernetes. Skipped where Citus and pgvector are not installed.
 */
@DisplayName("registrar.sh on a real Citus cluster")
class RegistrarCitusClusterTest {

    private static final String PASSWORD = "Same-Superuser-Pa55word";
    private static final String DATABASE = "vectors";
    private static final Duration CONVERGE = Duration.ofSeconds(60);

    @TempDir
    Path tempDir;

    private LocalPostgres coordinator;
    private final List<LocalPostgres> workers = new ArrayList<>();
    private final List<RegistrarProcess> registrars = new ArrayList<>();

    @BeforeEach
    void startCluster() throws IOException {
        Optional<String> reason = LocalPostgres.citusUnavailableReason();
        Assumptions.assumeTrue(reason.isEmpty(), () -> reason.orElseThrow());
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

    /** A started server with the database the operator would create (extensions are the registrar's job). */
    private LocalPostgres server(String name) throws IOException {
        LocalPostgres server = LocalPostgres.create(tempDir, name, PASSWORD, true, false);
        server.start();
        server.query("postgres", "CREATE DATABASE " + DATABASE);
        return server;
    }

    private RegistrarProcess registrar(String id, LocalPostgres worker) throws IOException {
        RegistrarProcess registrar = RegistrarProcess.start(
                tempDir.resolve("registrars"), id, coordinator.port(), worker.port(), DATABASE, PASSWORD);
        registrars.add(registrar);
        return registrar;
    }

    private String coordinatorQuery(String sql) {
        return coordinator.query(DATABASE, sql);
    }

    /** Rows of pg_dist_node for one worker port. */
    private String workerRows(LocalPostgres worker) {
        return coordinatorQuery(
                "SELECT count(*) FROM pg_dist_node WHERE nodename = '127.0.0.1' AND nodeport = " + worker.port());
    }

    private boolean bothWorkersActive() {
        try {
            return "2"
                    .equals(coordinator.query(
                            DATABASE,
                            "SELECT count(*) FROM pg_dist_node WHERE groupid <> 0 AND isactive AND nodeport IN ("
                                    + workers.get(0).port() + ", "
                                    + workers.get(1).port() + ")"));
        } catch (RuntimeException e) {
            return false;
        }
    }

    private boolean allRegistered() {
        return registrars.stream().allMatch(registrar -> {
            try {
                return registrar.isAlive() && "registered".equals(registrar.state());
            } catch (IOException e) {
                return false;
            }
        });
    }

    private Duration awaitConverged(String what) {
        return RegistrarProcess.await(CONVERGE, what, () -> bothWorkersActive() && allRegistered());
    }

    private void assertExactlyTwoActiveWorkers() {
        assertThat(coordinatorQuery("SELECT count(*) FROM pg_dist_node WHERE groupid <> 0"))
                .isEqualTo("2");
        assertThat(coordinatorQuery("SELECT count(*) FROM pg_dist_node WHERE groupid <> 0 AND isactive"))
                .isEqualTo("2");
        for (LocalPostgres worker : workers) {
            assertThat(workerRows(worker)).as("rows for %s", worker.name()).isEqualTo("1");
        }
    }

    @Test
    @DisplayName("two workers register exactly once; a distributed vector table with HNSW answers kNN")
    void twoWorkersThenVectorTable() throws Exception {
        registrar("worker-1", workers.get(0));
        registrar("worker-2", workers.get(1));

        awaitConverged("both workers registered");
        Thread.sleep(3000);

        assertExactlyTwoActiveWorkers();
        assertThat(coordinatorQuery("SELECT nodename || ':' || nodeport FROM pg_dist_node WHERE groupid = 0"))
                .isEqualTo("127.0.0.1:" + coordinator.port());
        assertThat(registrars.get(0).statusCommand().exitCode())
                .as("status exit code when registered")
                .isZero();
        assertVectorTableWorks("items");
    }

    @Test
    @DisplayName("two registrars for one worker at once: still one row")
    void concurrentRegistrarsForOneWorker() throws Exception {
        registrar("worker-1-a", workers.get(0));
        registrar("worker-1-b", workers.get(0));
        registrar("worker-2-a", workers.get(1));
        registrar("worker-2-b", workers.get(1));

        awaitConverged("both workers registered by racing registrars");
        Thread.sleep(3000);

        assertExactlyTwoActiveWorkers();
        long adds = registrars.stream()
                .map(this::output)
                .flatMap(String::lines)
                .filter(line -> line.contains("add the worker to pg_dist_node"))
                .count();
        assertThat(adds).as("citus_add_node calls across all registrars").isEqualTo(2);
    }

    @Test
    @DisplayName("coordinator restarted mid-loop: converges again")
    void coordinatorRestart() throws Exception {
        registrar("worker-1", workers.get(0));
        registrar("worker-2", workers.get(1));
        awaitConverged("both workers registered");

        coordinator.stop();
        RegistrarProcess.await(
                Duration.ofSeconds(20),
                "registrars to notice the coordinator is down",
                () -> registrars.stream()
                        .allMatch(registrar -> output(registrar).contains("does not accept connections")));
        coordinator.start();
        Duration converged = awaitConverged("registered again after the coordinator restart");
        System.out.printf("registrar: converged %d ms after the coordinator restart%n", converged.toMillis());

        assertExactlyTwoActiveWorkers();
        assertThat(registrars).allMatch(RegistrarProcess::isAlive);
    }

    @Test
    @DisplayName("coordinator wiped and recreated: the workers are registered again; a new table works")
    void coordinatorWiped() throws Exception {
        registrar("worker-1", workers.get(0));
        registrar("worker-2", workers.get(1));
        awaitConverged("both workers registered");
        createVectorTable("items");

        coordinator.wipe();
        coordinator.start();
        coordinator.query("postgres", "CREATE DATABASE " + DATABASE);
        Duration converged = awaitConverged("registered with the rebuilt coordinator");
        System.out.printf("registrar: converged %d ms after the coordinator was rebuilt%n", converged.toMillis());

        assertExactlyTwoActiveWorkers();
        // The workers still hold the old coordinator's shard tables; the new shards must not clash with them.
        assertVectorTableWorks("items");
    }

    @Test
    @DisplayName("node marked inactive: activated again")
    void inactiveNodeIsActivated() throws Exception {
        registrar("worker-1", workers.get(0));
        registrar("worker-2", workers.get(1));
        awaitConverged("both workers registered");

        coordinatorQuery(
                "SELECT citus_disable_node('127.0.0.1', " + workers.get(1).port() + ", synchronous := true)");
        Duration converged = awaitConverged("the disabled worker active again");
        System.out.printf("registrar: reactivated a disabled node in %d ms%n", converged.toMillis());

        assertExactlyTwoActiveWorkers();
        assertThat(output(registrars.get(1))).contains("activate the inactive worker");
    }

    private void createVectorTable(String table) {
        coordinatorQuery("CREATE TABLE " + table + " (id bigint PRIMARY KEY, embedding vector(3))");
        coordinatorQuery("SELECT create_distributed_table('" + table + "', 'id')");
        coordinatorQuery(
                "INSERT INTO " + table + " SELECT g, ARRAY[g, g * 2, g * 3]::vector FROM generate_series(1, 100) g");
        coordinatorQuery("CREATE INDEX ON " + table + " USING hnsw (embedding vector_l2_ops)");
    }

    private void assertVectorTableWorks(String table) {
        createVectorTable(table);
        assertThat(coordinatorQuery("SELECT count(DISTINCT n.nodeport) FROM pg_dist_shard s"
                        + " JOIN pg_dist_placement p USING (shardid) JOIN pg_dist_node n USING (groupid)"
                        + " WHERE s.logicalrelid = '" + table + "'::regclass"))
                .as("workers holding shards")
                .isEqualTo("2");
        String knn = coordinatorQuery("SELECT id || ',' || (embedding <-> '[10,20,30]') FROM " + table
                + " ORDER BY embedding <-> '[10,20,30]'::vector LIMIT 5");
        List<String[]> rows = knn.lines().map(line -> line.split(",")).toList();
        assertThat(rows).hasSize(5);
        assertThat(rows.get(0)[0]).as("nearest id").isEqualTo("10");
        double[] distances =
                rows.stream().mapToDouble(row -> Double.parseDouble(row[1])).toArray();
        double[] sorted = distances.clone();
        Arrays.sort(sorted);
        assertThat(distances).as("distances in ascending order").containsExactly(sorted);
        assertThat(rows.stream().map(row -> row[0]).toList()).containsExactlyInAnyOrder("10", "9", "11", "8", "12");
    }

    private String output(RegistrarProcess registrar) {
        try {
            return registrar.output();
        } catch (IOException e) {
            return "";
        }
    }

    /** Runs one of the chart's shipped SQL files on the coordinator with psql variables, as the hook scripts do. */
    private void runShippedSql(String file, String... variables) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                LocalPostgres.psql().toString(),
                "-X",
                "-q",
                "-A",
                "-t",
                "-w",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                "127.0.0.1",
                "-p",
                String.valueOf(coordinator.port()),
                "-U",
                "postgres",
                "-d",
                DATABASE));
        for (String variable : variables) {
            command.addAll(List.of("-v", variable));
        }
        command.addAll(List.of(
                "-f",
                RegistrarProcess.SOURCE.resolveSibling("sql").resolve(file).toString()));
        LocalPostgres.Result result = LocalPostgres.run(
                command, java.util.Map.of("PGPASSWORD", PASSWORD, "PGSSLMODE", "disable"), Duration.ofSeconds(60));
        assertThat(result.exitCode()).as("%s: %s", file, result.stderr()).isZero();
    }

    @Test
    @DisplayName("a worker the scale-down hook removed is not registered again until a scale-up wants it back")
    void retiredWorkerStaysOut() throws Exception {
        registrar("worker-1", workers.get(0));
        RegistrarProcess second = registrar("worker-2", workers.get(1));
        awaitConverged("both workers registered");

        runShippedSql(
                "remove-node.sql",
                "node_name=127.0.0.1",
                "node_port=" + workers.get(1).port());
        RegistrarProcess.await(
                CONVERGE,
                "the second registrar notices it was retired",
                () -> readState(second).equals("retired"));
        Thread.sleep(3000);
        assertThat(workerRows(workers.get(1)))
                .as("rows of the retired worker after 3 intervals")
                .isEqualTo("0");
        assertThat(workerRows(workers.get(0))).isEqualTo("1");

        runShippedSql(
                "unretire-workers.sql",
                "desired_workers=127.0.0.1:" + workers.get(0).port() + ",127.0.0.1:"
                        + workers.get(1).port());
        awaitConverged("the worker is wanted again and registered");
        assertExactlyTwoActiveWorkers();
    }

    private static String readState(RegistrarProcess registrar) {
        try {
            return registrar.state();
        } catch (IOException e) {
            return "";
        }
    }
}
