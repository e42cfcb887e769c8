package io.citus.pgvector.scaling;

import static org.assertj.core.api.Assertions.assertThat;

import io.citus.pgvector.testing.LocalCitusCluster;
import io.citus.pgvector.testing.LocalPostgres;
import io.citus.pgvector.testing.StatementTextSampler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's own scale-down, scale-up, helm test and uninstall-guard scripts, taken from the rendered hook
 * ConfigMap and run the way the hook containers run them (bash, psql, the Jobs' env), against a real local Citus
 * cluster holding a distributed vector table. One cluster goes through the steps in order: 3 workers, a failed
 * drain, down to 2, back to 3.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
@DisplayName("scaling scripts on a local Citus cluster")
class ScalingWithCitusTest {

    private static final int ROWS = 10_000;
    private static final int DIMENSION = 32;
    private static final int QUERIES = 5;

    @TempDir
    static Path dir;

    private LocalCitusCluster cluster;
    private Path scripts;
    private Map<String, String> scaleDownEnv;
    private Map<String, String> scaleUpEnv;
    private Map<String, String> testEnv;
    private Map<String, String> guardEnv;
    private VectorTableSnapshot baseline;
    private LocalPostgres newWorker;
    /** The coordinator's statement texts while the scripts run: they must never carry the password. */
    private StatementTextSampler sampler;

    @BeforeAll
    void startCluster() throws Exception {
        Optional<String> unavailable = LocalPostgres.citusUnavailableReason();
        Assumptions.assumeTrue(unavailable.isEmpty(), () -> unavailable.orElse(""));
        ShippedHooks hooks = ShippedHooks.render(dir, Map.of("workers.count", "2"));
        scripts = hooks.mountScripts(dir.resolve("mounted-scripts"));
        scaleDownEnv = ShippedHooks.env(hooks.named("Job", "citus-scale-down"));
        scaleUpEnv = ShippedHooks.env(hooks.named("Job", "citus-scale-up"));
        // The local cluster's workers have no standbys, so no secondaries to read from: no replica-read step.
        testEnv = new LinkedHashMap<>(ShippedHooks.env(hooks.named("Pod", "citus-test-vector-queries")));
        testEnv.put("REPLICA_READS", "false");
        guardEnv = ShippedHooks.env(hooks.named("Job", "citus-uninstall-guard"));

        cluster = LocalCitusCluster.start(dir, 3, "scaling-pw", true);
        try (Connection c = coordinator();
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE items (id bigint PRIMARY KEY, embedding vector(" + DIMENSION + ") NOT NULL)");
            s.execute("SELECT create_distributed_table('items', 'id', shard_count => 12)");
            s.execute("INSERT INTO items SELECT i, (SELECT array_agg(sin(i * 0.37 + d * 1.91)::real ORDER BY d)"
                    + " FROM generate_series(1, " + DIMENSION + ") d)::vector FROM generate_series(1, " + ROWS
                    + ") i");
            s.execute("CREATE INDEX ON items USING hnsw (embedding vector_l2_ops)");
        }
        baseline = snapshot();
        assertThat(baseline.rows()).isEqualTo(ROWS);
        assertThat(shardsPerWorker()).hasSize(3);
        sampler = StatementTextSampler.start(cluster.coordinator(), "postgres");
    }

    @AfterAll
    void stopCluster() {
        if (sampler != null) {
            sampler.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    // ---- the steps -------------------------------------------------------------------------------------------

    @Test
    @Order(1)
    @DisplayName("helm test passes on 3 workers with EXPECTED_WORKERS=3")
    void helmTestPasses() {
        ShippedHooks.Run run = runScript("helm-test.sh", testEnv, Map.of("EXPECTED_WORKERS", "3"));
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output())
                .contains("router kNN query: 10 rows in distance order over 1 shard(s)")
                .contains("fan-out kNN query: 10 rows in distance order")
                .contains("passed");
        assertThat(tables()).as("the test table is dropped").containsExactly("items");
    }

    @Test
    @Order(2)
    @DisplayName("a drain that cannot succeed (worker 3 stopped) fails clearly and removes nothing; helm test fails")
    void failedDrainChangesNothing() throws Exception {
        Map<Integer, Long> shardsBefore = shardsPerWorker();
        LocalPostgres third = cluster.workers().get(2);
        third.stop();
        try {
            ShippedHooks.Run run = runScript("scale-down.sh", scaleDownEnv, desired(0, 1));
            assertThat(run.exitCode()).as(run.output()).isNotZero();
            assertThat(run.output())
                    .contains("unreachable")
                    .contains("127.0.0.1:" + third.port())
                    .contains("nothing was changed");

            ShippedHooks.Run test = runScript("helm-test.sh", testEnv, Map.of("EXPECTED_WORKERS", "3"));
            assertThat(test.exitCode())
                    .as("helm test with a worker down: %s", test.output())
                    .isNotZero();
        } finally {
            third.start();
        }
        assertThat(activeWorkers())
                .containsExactlyInAnyOrderElementsOf(
                        cluster.workers().stream().map(LocalPostgres::port).toList());
        assertThat(shardsPerWorker()).isEqualTo(shardsBefore);
        assertThat(query("SELECT bool_and(shouldhaveshards)::text FROM pg_dist_node WHERE groupid <> 0"))
                .containsExactly("true");
        assertThat(snapshot()).isEqualTo(baseline);
        assertThat(tables()).containsExactly("items");
    }

    @Test
    @Order(3)
    @DisplayName("scale down 3 -> 2: every row, the checksum and the kNN top-10 stay; the drained worker holds"
            + " nothing and is gone from the metadata")
    void scaleDown() throws Exception {
        LocalPostgres third = cluster.workers().get(2);
        long started = System.nanoTime();
        ShippedHooks.Run run = runScript("scale-down.sh", scaleDownEnv, desired(0, 1));
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output())
                .contains("leaving: 127.0.0.1:" + third.port())
                .contains("drained 127.0.0.1:" + third.port())
                .contains("removed 127.0.0.1:" + third.port());
        System.out.printf("scale-down of %d rows (12 shards, 1 of 3 workers) took %ds%n", ROWS, seconds);

        assertThat(activeWorkers())
                .containsExactlyInAnyOrder(
                        cluster.workers().get(0).port(),
                        cluster.workers().get(1).port());
        assertThat(shardsPerWorker()).doesNotContainKey(third.port()).hasSize(2);
        assertThat(query("SELECT count(*)::text FROM pg_dist_placement p JOIN pg_dist_node n USING (groupid)"
                        + " WHERE n.nodeport = " + third.port()))
                .containsExactly("0");
        assertThat(snapshot()).isEqualTo(baseline);
    }

    @Test
    @Order(4)
    @DisplayName("helm test: fails expecting 3 workers when one is missing, passes expecting 2")
    void helmTestCountsWorkers() {
        ShippedHooks.Run missing = runScript("helm-test.sh", testEnv, Map.of("EXPECTED_WORKERS", "3"));
        assertThat(missing.exitCode()).isNotZero();
        assertThat(missing.output()).contains("2 active workers, expected 3");
        ShippedHooks.Run two = runScript("helm-test.sh", testEnv, Map.of("EXPECTED_WORKERS", "2"));
        assertThat(two.exitCode()).as(two.output()).isZero();
        assertThat(tables()).containsExactly("items");
    }

    @Test
    @Order(5)
    @DisplayName("scaling down to no worker is refused with a clear message")
    void refusesToRemoveEveryWorker() {
        ShippedHooks.Run run = runScript("scale-down.sh", scaleDownEnv, Map.of("DESIRED_WORKERS", "127.0.0.1:1"));
        assertThat(run.exitCode()).isNotZero();
        assertThat(run.output()).contains("refusing to remove every worker").contains("at least 1");
        assertThat(activeWorkers()).hasSize(2);
    }

    @Test
    @Order(6)
    @DisplayName("scale-up with a worker that never registers fails after its timeout, naming the worker")
    void scaleUpTimesOut() {
        ShippedHooks.Run run = runScript(
                "scale-up.sh",
                scaleUpEnv,
                Map.of(
                        "TIMEOUT_SECONDS",
                        "4",
                        "DESIRED_WORKERS",
                        desired(0, 1).get("DESIRED_WORKERS") + ",127.0.0.1:1"));
        assertThat(run.exitCode()).isNotZero();
        assertThat(run.output()).contains("only 2 of 3 workers are active; not yet: 127.0.0.1:1");
    }

    @Test
    @Order(7)
    @DisplayName("scale up 2 -> 3: the hook waits for the new worker to register, rebalances onto it; rows,"
            + " checksum and kNN top-10 unchanged; helm test passes with 3")
    void scaleUp() throws Exception {
        newWorker = cluster.startWorker(false);
        Map<String, String> overrides = new LinkedHashMap<>(desired(0, 1));
        overrides.put("DESIRED_WORKERS", overrides.get("DESIRED_WORKERS") + ",127.0.0.1:" + newWorker.port());
        ShippedHooks.Running hook = ShippedHooks.start(scripts, "scale-up.sh", scaleUpEnv, connection(overrides));
        Thread.sleep(3000);
        assertThat(hook.process().isAlive()).as("the hook waits for the worker").isTrue();
        cluster.sql(cluster.coordinator(), "SELECT citus_add_node(?, ?)", LocalCitusCluster.HOST, newWorker.port());
        long started = System.nanoTime();
        ShippedHooks.Run run = hook.await(300);
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output())
                .contains("waiting: 2 of 3 workers active")
                .contains("all 3 workers are active")
                .contains("rebalance job")
                .contains("finished");
        System.out.printf("scale-up rebalance of %d rows onto 1 new worker took %ds%n", ROWS, seconds);

        Map<Integer, Long> shards = shardsPerWorker();
        assertThat(shards).hasSize(3).containsKey(newWorker.port());
        assertThat(shards.get(newWorker.port()))
                .as("the new worker got its share")
                .isEqualTo(4L);
        assertThat(snapshot()).isEqualTo(baseline);

        ShippedHooks.Run test = runScript("helm-test.sh", testEnv, Map.of("EXPECTED_WORKERS", "3"));
        assertThat(test.exitCode()).as(test.output()).isZero();
    }

    @Test
    @Order(8)
    @DisplayName("scale-up removes a stale node of the release that holds nothing (a registrar re-added it)")
    void scaleUpRemovesStaleEmptyNode() throws Exception {
        LocalPostgres stale = cluster.workers().get(2);
        cluster.sql(cluster.coordinator(), "SELECT citus_add_node(?, ?)", LocalCitusCluster.HOST, stale.port());
        Map<String, String> overrides = new LinkedHashMap<>(desired(0, 1));
        overrides.put("DESIRED_WORKERS", overrides.get("DESIRED_WORKERS") + ",127.0.0.1:" + newWorker.port());
        ShippedHooks.Run run = runScript("scale-up.sh", scaleUpEnv, overrides);
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("removed stale worker 127.0.0.1:" + stale.port());
        assertThat(activeWorkers()).doesNotContain(stale.port()).hasSize(3);
        assertThat(snapshot()).isEqualTo(baseline);
    }

    @Test
    @Order(9)
    @DisplayName("the uninstall guard refuses while a table exists and lets an empty database go")
    void uninstallGuard() throws Exception {
        ShippedHooks.Run refused = runScript("uninstall-guard.sh", guardEnv, Map.of());
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.output()).contains("refusing helm uninstall").contains("public.items");
        cluster.sql(cluster.coordinator(), "DROP TABLE items");
        ShippedHooks.Run allowed = runScript("uninstall-guard.sh", guardEnv, Map.of());
        assertThat(allowed.exitCode()).as(allowed.output()).isZero();
    }

    @Test
    @Order(10)
    @DisplayName("no script sent the password or its base64 in a statement's text (the coordinator's pg_stat_activity"
            + " sampled through every step)")
    void noPasswordInStatementText() {
        StatementTextSampler.Samples samples = sampler.finish();
        sampler = null;
        System.out.printf(
                "scaling: %d samples of the coordinator's pg_stat_activity (one every %d us), %d distinct statements%n",
                samples.samples(),
                samples.interval().toNanos() / 1000,
                samples.texts().size());
        assertThat(samples.texts())
                .as("the sampler saw the scripts' statements")
                .anyMatch(text -> text.contains("citus_drain_node") || text.contains("citus_rebalance"));
        String password = cluster.password();
        String base64 = Base64.getEncoder().encodeToString(password.getBytes(StandardCharsets.UTF_8));
        for (String text : samples.texts()) {
            assertThat(text).doesNotContain(password).doesNotContain(base64);
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    /** DESIRED_WORKERS naming the given workers (0-based) and the regex that matches the local node names. */
    private Map<String, String> desired(int... workers) {
        String list = java.util.Arrays.stream(workers)
                .mapToObj(i ->
                        LocalCitusCluster.HOST + ":" + cluster.workers().get(i).port())
                .collect(Collectors.joining(","));
        return Map.of("DESIRED_WORKERS", list);
    }

    /** The hook env's connection settings replaced by the local coordinator's (no SSL locally). */
    private Map<String, String> connection(Map<String, String> overrides) {
        return cluster.hookEnvironment(overrides);
    }

    private ShippedHooks.Run runScript(String script, Map<String, String> podEnv, Map<String, String> overrides) {
        return ShippedHooks.run(scripts, script, podEnv, connection(overrides), 300);
    }

    private Connection coordinator() throws SQLException {
        return cluster.coordinator().connect(LocalCitusCluster.DATABASE);
    }

    private List<String> query(String sql) {
        return cluster.query(sql);
    }

    private List<String> tables() {
        return query("SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace"
                + " ORDER BY 1");
    }

    private List<Integer> activeWorkers() {
        return query("SELECT node_port FROM citus_get_active_worker_nodes()").stream()
                .map(Integer::valueOf)
                .toList();
    }

    private Map<Integer, Long> shardsPerWorker() {
        Map<Integer, Long> shards = new java.util.TreeMap<>();
        for (String row : query("SELECT nodeport || ':' || count(*) FROM citus_shards"
                + " WHERE table_name = 'items'::regclass GROUP BY nodeport")) {
            String[] parts = row.split(":");
            shards.put(Integer.valueOf(parts[0]), Long.valueOf(parts[1]));
        }
        return shards;
    }

    private VectorTableSnapshot snapshot() throws SQLException {
        try (Connection c = coordinator()) {
            return VectorTableSnapshot.of(c, "items", DIMENSION, QUERIES);
        }
    }
}
