package io.citus.pgvector.registrar;

import static org.assertj.core.api.Assertions.assertThat;

import io.citus.pgvector.testing.LocalPostgres;
import io.citus.pgvector.testing.StatementTextSampler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Citus cluster on 127.0.0.1: a coordinator and two workers as local PostgreSQL servers with
 * password authentication for every role, and registrars running as processes the way the sidecar runs them.
 * Internode connections work only through the pg_dist_authinfo rows the registrars maintain (no
 * .pgpass), as in Kubernetes. For applicationRoles the registrars get the environment the chart renders and the
 * role's password in a file of the folder its projected Secret volume mounts; a new password is swapped in the way the
 * kubelet updates such a volume (a new file renamed over the old). Every server logs every statement, so a test can
 * check that no password reaches a log. Skipped where Citus and pgvector are not installed.
 */
@DisplayName("registrar.sh on a real Citus cluster")
class RegistrarCitusClusterTest {

    private static final String PASSWORD = "Same-Superuser-Pa55word";
    private static final String ROLE = "app";
    private static final String FIRST_PASSWORD = "first 'app' pa$$word\\";
    private static final String SECOND_PASSWORD = "second-app-password";
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
        List<Integer> exitCodes = RegistrarProcess.stopAllThenClose(registrars, servers);
        assertThat(exitCodes)
                .as(() -> "registrars' exit codes on SIGTERM; what they said:\n"
                        + String.join(
                                "\n", registrars.stream().map(this::output).toList()))
                .allMatch(code -> code == 0);
    }

    /** A started server with the database the operator would create (extensions are the registrar's job). */
    private LocalPostgres server(String name) throws IOException {
        LocalPostgres server = LocalPostgres.create(tempDir, name, PASSWORD, true, false);
        server.start();
        server.configure(Map.of("log_statement", "all"));
        server.query("postgres", "CREATE DATABASE " + DATABASE);
        return server;
    }

    private RegistrarProcess registrar(String id, LocalPostgres worker) throws IOException {
        return registrar(id, worker, Map.of());
    }

    private RegistrarProcess registrar(String id, LocalPostgres worker, Map<String, String> overrides)
            throws IOException {
        RegistrarProcess registrar = RegistrarProcess.start(
                tempDir.resolve("registrars"), id, coordinator.port(), worker.port(), DATABASE, PASSWORD, overrides);
        registrars.add(registrar);
        return registrar;
    }

    /** A registrar with application role {@link #ROLE} configured as the chart renders it. */
    private RegistrarProcess registrarWithRole(String id, LocalPostgres worker) throws IOException {
        return registrar(
                id,
                worker,
                Map.of(
                        "REGISTRAR_APPLICATION_ROLES",
                        RegistrarProcess.renderedEnv(
                                "REGISTRAR_APPLICATION_ROLES", Map.of("applicationRoles[0].name", ROLE)),
                        "REGISTRAR_APPLICATION_ROLES_DIR",
                        rolesDir().toString()));
    }

    private Path rolesDir() throws IOException {
        return Files.createDirectories(tempDir.resolve("application-roles"));
    }

    /** Replaces the role's password file as the kubelet updates a Secret volume: never a half-written file. */
    private void writePassword(String password) throws IOException {
        Path next = Files.writeString(rolesDir().resolve(".next"), password);
        Files.move(next, rolesDir().resolve(ROLE), StandardCopyOption.ATOMIC_MOVE);
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
        return activeWorkers(workers.subList(0, 2));
    }

    /** Whether exactly these workers are active nodes (primaries: a secondary may have a worker's port too). */
    private boolean activeWorkers(List<LocalPostgres> expected) {
        try {
            return String.valueOf(expected.size())
                    .equals(coordinator.query(
                            DATABASE,
                            "SELECT count(*) FROM pg_dist_node WHERE groupid <> 0 AND isactive AND noderole = 'primary'"
                                    + " AND nodeport IN ("
                                    + String.join(
                                            ",",
                                            expected.stream()
                                                    .map(w -> String.valueOf(w.port()))
                                                    .toList())
                                    + ")"));
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
        createVectorTable(this::coordinatorQuery, table);
    }

    /** A distributed vector table with an HNSW index, created on the coordinator by {@code sql} (a role's queries). */
    private static void createVectorTable(UnaryOperator<String> sql, String table) {
        sql.apply("CREATE TABLE " + table + " (id bigint PRIMARY KEY, embedding vector(3))");
        // Not colocated with an earlier table: its shards go to every worker there is now.
        sql.apply("SELECT create_distributed_table('" + table + "', 'id', colocate_with => 'none')");
        sql.apply("INSERT INTO " + table + " SELECT g, ARRAY[g, g * 2, g * 3]::vector FROM generate_series(1, 100) g");
        sql.apply("CREATE INDEX ON " + table + " USING hnsw (embedding vector_l2_ops)");
    }

    private void assertVectorTableWorks(String table) {
        assertVectorTableWorks(this::coordinatorQuery, table);
    }

    /**
     * Creates the table with {@code sql}, which runs on the coordinator as some role, and checks that every worker
     * holds shards and that the role's fan-out kNN and router queries answer.
     */
    private void assertVectorTableWorks(UnaryOperator<String> sql, String table) {
        createVectorTable(sql, table);
        assertThat(coordinatorQuery("SELECT count(DISTINCT n.nodeport) FROM pg_dist_shard s"
                        + " JOIN pg_dist_placement p USING (shardid) JOIN pg_dist_node n USING (groupid)"
                        + " WHERE s.logicalrelid = '" + table + "'::regclass"))
                .as("workers holding shards")
                .isEqualTo(String.valueOf(workers.size()));
        assertThat(sql.apply("SELECT id FROM " + table + " WHERE id = 42 ORDER BY embedding <-> '[1,2,3]'::vector"))
                .as("router query")
                .isEqualTo("42");
        String knn = sql.apply("SELECT id || ',' || (embedding <-> '[10,20,30]') FROM " + table
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
    private void runShippedSql(String file, String... variables) {
        LocalPostgres.Result result = coordinator.psqlFile(
                DATABASE, RegistrarProcess.SOURCE.resolveSibling("sql").resolve(file), variables);
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

    private List<LocalPostgres> nodes() {
        List<LocalPostgres> nodes = new ArrayList<>(workers);
        nodes.add(0, coordinator);
        return nodes;
    }

    /** The role's queries on the coordinator, with this password. */
    private UnaryOperator<String> asRole(String password) {
        return sql -> coordinator.queryAs(ROLE, password, DATABASE, sql);
    }

    /** Whether the role logs in with {@code password} on every node given. */
    private static boolean logsInEverywhere(List<LocalPostgres> nodes, String password) {
        return nodes.stream()
                .allMatch(node ->
                        node.psqlAs(ROLE, password, DATABASE, "SELECT 1").exitCode() == 0);
    }

    /** Waits for the registrars' work, failing with what they said. */
    private Duration awaitRegistrars(String description, BooleanSupplier condition) {
        try {
            return RegistrarProcess.await(CONVERGE, description, condition);
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

    private void assertNoPasswordLogged() {
        for (LocalPostgres node : nodes()) {
            String log = node.log();
            assertThat(log).as("%s logs statements", node.name()).contains("statement:");
            for (String password : List.of(FIRST_PASSWORD, SECOND_PASSWORD, PASSWORD)) {
                assertThat(log).as("%s's log", node.name()).doesNotContain(password);
            }
        }
        for (RegistrarProcess registrar : registrars) {
            for (String password : List.of(FIRST_PASSWORD, SECOND_PASSWORD)) {
                assertThat(output(registrar))
                        .as("registrar %s's output", registrar.id())
                        .doesNotContain(password);
            }
        }
    }

    @Test
    @DisplayName("an application role runs distributed kNN queries with no SQL of anyone's but one grant, gets a new"
            + " password from its file, and reaches a worker added later; no password in any log")
    void applicationRole() throws Exception {
        writePassword(FIRST_PASSWORD);
        registrarWithRole("worker-1", workers.get(0));
        registrarWithRole("worker-2", workers.get(1));
        awaitRegistrars(
                "both workers registered and the role logging in on every node",
                () -> activeWorkers(workers) && allRegistered() && logsInEverywhere(nodes(), FIRST_PASSWORD));
        for (LocalPostgres node : nodes()) {
            assertThat(node.query(
                            DATABASE,
                            "SELECT rolcanlogin || ',' || rolsuper || ',' || rolcreaterole || ',' || rolcreatedb"
                                    + " FROM pg_roles WHERE rolname = '" + ROLE + "'"))
                    .as("%s: LOGIN and nothing else", node.name())
                    .isEqualTo("true,false,false,false");
        }
        // The one privilege the README leaves to the user: a schema the role may create tables in.
        coordinatorQuery("GRANT CREATE ON SCHEMA public TO " + ROLE);
        assertVectorTableWorks(asRole(FIRST_PASSWORD), "items");

        writePassword(SECOND_PASSWORD);
        Duration rotated = awaitRegistrars(
                "the new password in force on every node", () -> logsInEverywhere(nodes(), SECOND_PASSWORD));
        System.out.printf(
                "registrar: a new application role password in force everywhere after %d ms%n", rotated.toMillis());
        assertThat(coordinator
                        .psqlAs(ROLE, FIRST_PASSWORD, DATABASE, "SELECT 1")
                        .exitCode())
                .as("the old password")
                .isNotZero();
        assertThat(asRole(SECOND_PASSWORD).apply("SELECT count(*) FROM items")).isEqualTo("100");

        LocalPostgres third = server("worker-3");
        workers.add(third);
        registrarWithRole("worker-3", third);
        awaitRegistrars(
                "the third worker registered",
                () -> activeWorkers(workers) && allRegistered() && logsInEverywhere(List.of(third), SECOND_PASSWORD));
        assertVectorTableWorks(asRole(SECOND_PASSWORD), "later_items");

        String log = registrars.stream().map(this::output).reduce("", String::concat);
        assertThat(log)
                .contains("create application role " + ROLE)
                .contains("set the password of application role " + ROLE);
        assertNoPasswordLogged();
    }

    @Test
    @DisplayName("replica reads: with no standby behind the replica Service the worker's secondary is its primary under"
            + " its second name; a replicaReads role reads through it with the setting at connection start, and"
            + " cannot write")
    void replicaReadRole() throws Exception {
        writePassword(FIRST_PASSWORD);
        int nothingListens = LocalPostgres.freePort();
        for (int i = 0; i < 2; i++) {
            LocalPostgres worker = workers.get(i);
            registrar(
                    "worker-" + (i + 1),
                    worker,
                    Map.of(
                            "REGISTRAR_APPLICATION_ROLES",
                            ROLE,
                            "REGISTRAR_APPLICATION_ROLES_DIR",
                            rolesDir().toString(),
                            "REGISTRAR_REPLICA_READ_ROLES",
                            RegistrarProcess.renderedEnv(
                                    "REGISTRAR_REPLICA_READ_ROLES",
                                    Map.of(
                                            "applicationRoles[0].name",
                                            ROLE,
                                            "applicationRoles[0].replicaReads",
                                            "true")),
                            "WORKER_REPLICA_HOST",
                            "127.0.0.1",
                            "WORKER_REPLICA_PORT",
                            Integer.toString(nothingListens),
                            "WORKER_PRIMARY_ALIAS_HOST",
                            "localhost",
                            "WORKER_PRIMARY_ALIAS_PORT",
                            Integer.toString(worker.port())));
        }
        String expected = workers.stream()
                .map(w -> w.port() + ">localhost:" + w.port())
                .sorted()
                .reduce((a, b) -> a + "," + b)
                .orElseThrow();
        awaitRegistrars(
                "each worker's secondary on its primary's second name, the role set up",
                () -> activeWorkers(workers)
                        && allRegistered()
                        && expected.equals(coordinator.query(
                                DATABASE,
                                "SELECT string_agg(p.nodeport || '>' || s.nodename || ':' || s.nodeport, ','"
                                        + " ORDER BY p.nodeport::text) FROM pg_dist_node s JOIN pg_dist_node p"
                                        + " ON p.groupid = s.groupid AND p.noderole = 'primary'"
                                        + " WHERE s.noderole = 'secondary'"))
                        && coordinator
                                .query(
                                        DATABASE,
                                        "SELECT has_parameter_privilege('" + ROLE
                                                + "', 'citus.use_secondary_nodes', 'SET')")
                                .equals("t"));
        coordinatorQuery("CREATE TABLE items (channel bigint, id bigint, embedding vector(3))");
        coordinatorQuery("SELECT create_distributed_table('items', 'channel')");
        coordinatorQuery("INSERT INTO items SELECT i % 10, i, ARRAY[sin(i), cos(i), sin(2 * i)]::vector"
                + " FROM generate_series(1, 100) i");
        coordinatorQuery("GRANT SELECT, INSERT ON items TO " + ROLE);
        java.util.Properties properties = new java.util.Properties();
        properties.setProperty("user", ROLE);
        properties.setProperty("password", FIRST_PASSWORD);
        properties.setProperty("options", "-c citus.use_secondary_nodes=always");
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(coordinator.jdbcUrl(DATABASE), properties);
                java.sql.Statement s = c.createStatement()) {
            try (java.sql.ResultSet r = s.executeQuery("SELECT current_setting('citus.use_secondary_nodes'),"
                    + " current_setting('default_transaction_read_only')")) {
                r.next();
                assertThat(r.getString(1) + "," + r.getString(2)).isEqualTo("always,on");
            }
            List<String> ports = new ArrayList<>();
            try (java.sql.ResultSet r = s.executeQuery(
                    "SELECT id, inet_server_port() FROM items" + " ORDER BY embedding <-> '[1,0,0]' LIMIT 10")) {
                while (r.next()) {
                    ports.add(r.getString(2));
                }
            }
            assertThat(ports)
                    .hasSize(10)
                    .allSatisfy(port -> assertThat(workers.stream().map(w -> String.valueOf(w.port())))
                            .contains(port));
            assertThat(org.assertj.core.api.Assertions.catchThrowable(
                            () -> s.execute("INSERT INTO items VALUES (1, 1000, '[1,1,1]')")))
                    .hasMessageContaining("writing to worker nodes is not currently allowed");
        }
        assertThat(coordinator
                        .psqlAs(
                                LocalPostgres.SUPERUSER,
                                PASSWORD,
                                DATABASE,
                                "ALTER ROLE " + ROLE + " SET citus.use_secondary_nodes = 'always'")
                        .stderr())
                .as("why the setting is given at connection start")
                .contains("cannot be set after connection start");
        assertThat(registrars.stream().map(this::output).reduce("", String::concat))
                .contains("add secondary localhost:")
                .contains(ROLE + " reads from the secondaries");
    }

    @Test
    @DisplayName("an application role whose password file is missing is reported; the worker is registered all the"
            + " same, and the role comes once the file does")
    void applicationRoleWithoutPassword() throws Exception {
        RegistrarProcess registrar = registrarWithRole("worker-1", workers.get(0));
        awaitRegistrars(
                "the registrar reports the missing password",
                () -> readState(registrar).equals("error")
                        && output(registrar).contains("application role(s) " + ROLE + " have no password"));
        assertThat(workerRows(workers.get(0))).isEqualTo("1");
        assertThat(coordinatorQuery("SELECT count(*) FROM pg_roles WHERE rolname = '" + ROLE + "'"))
                .isEqualTo("0");

        writePassword(FIRST_PASSWORD);
        awaitRegistrars(
                "registered once the password is there",
                () -> readState(registrar).equals("registered")
                        && logsInEverywhere(List.of(coordinator, workers.get(0)), FIRST_PASSWORD));
    }

    @Test
    @DisplayName("no password nor its base64 in any statement's text (pg_stat_activity sampled every millisecond or"
            + " faster on every node) through many passes and a rotation; nothing sent while nothing changed")
    void noPasswordInStatementText() throws Exception {
        for (LocalPostgres node : nodes()) {
            // Long statements whole, as a setting Spilo leaves at its default would cut them (a restart).
            node.configure(Map.of("track_activity_query_size", "65536"));
            node.restart();
        }
        writePassword(FIRST_PASSWORD);
        List<StatementTextSampler> samplers = new ArrayList<>();
        for (LocalPostgres node : nodes()) {
            samplers.add(StatementTextSampler.start(node, "postgres"));
        }
        List<StatementTextSampler.Samples> seen = new ArrayList<>();
        try {
            registrarWithRole("worker-1", workers.get(0));
            registrarWithRole("worker-2", workers.get(1));
            awaitRegistrars(
                    "both workers registered and the role logging in on every node",
                    () -> activeWorkers(workers) && allRegistered() && logsInEverywhere(nodes(), FIRST_PASSWORD));
            long storedBefore = actions("did store the password of") + actions("application role " + ROLE);
            // Several passes of every registrar (one a second) with nothing to change.
            Thread.sleep(6000);
            assertThat(actions("did store the password of") + actions("application role " + ROLE))
                    .as("password changes while no password changed")
                    .isEqualTo(storedBefore);
            writePassword(SECOND_PASSWORD);
            awaitRegistrars(
                    "the new password in force on every node", () -> logsInEverywhere(nodes(), SECOND_PASSWORD));
            Thread.sleep(3000);
        } finally {
            for (StatementTextSampler sampler : samplers) {
                seen.add(sampler.finish());
            }
        }
        List<String> secrets = new ArrayList<>();
        for (String password : List.of(PASSWORD, FIRST_PASSWORD, SECOND_PASSWORD)) {
            secrets.add(password);
            secrets.add(Base64.getEncoder().encodeToString(password.getBytes(StandardCharsets.UTF_8)));
        }
        List<LocalPostgres> nodes = nodes();
        for (int i = 0; i < nodes.size(); i++) {
            StatementTextSampler.Samples samples = seen.get(i);
            String node = nodes.get(i).name();
            System.out.printf(
                    "registrar: %s: %d samples of pg_stat_activity in %d ms (one every %d us, longest gap %d us),"
                            + " %d distinct statements%n",
                    node,
                    samples.samples(),
                    samples.elapsed().toMillis(),
                    samples.interval().toNanos() / 1000,
                    samples.longestGap().toNanos() / 1000,
                    samples.texts().size());
            for (String text : samples.texts()) {
                for (String secret : secrets) {
                    assertThat(text).as("%s: a statement's text", node).doesNotContain(secret);
                }
            }
            assertThat(samples.interval())
                    .as("%s: time between samples", node)
                    .isLessThanOrEqualTo(Duration.ofMillis(1));
            assertThat(samples.texts())
                    .as("%s: the sampler saw the registrars' credential pass", node)
                    .anyMatch(text -> text.contains("stored_digests"));
        }
        assertNoPasswordLogged();
    }

    /** How many times the registrars logged an action containing {@code text}. */
    private long actions(String text) {
        return registrars.stream()
                .map(this::output)
                .flatMap(String::lines)
                .filter(line -> line.contains(text))
                .count();
    }
}
