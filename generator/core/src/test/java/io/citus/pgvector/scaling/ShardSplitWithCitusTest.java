package io.citus.pgvector.scaling;

import static org.assertj.core.api.Assertions.assertThat;

import io.citus.pgvector.testing.LocalCitusCluster;
import io.citus.pgvector.testing.LocalPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
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
 * {@code helm upgrade --set workers.count=4} of a release with two workers whose tables were distributed with the
 * chart's layout: the pre-upgrade and post-upgrade hooks, rendered with the new values and run as their Jobs run them
 * (bash, psql, the Jobs' env), against a real local Citus cluster. The scale-up hook splits the layout's shards online
 * so every worker holds shards of every pre-existing table: first stopped by its deadline and killed mid-split, then
 * run to the end. One cluster goes through the steps in order; afterwards it scales down to 2 again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 15, unit = TimeUnit.MINUTES)
@DisplayName("shard splits on scale-up 2 -> 4 on a local Citus cluster")
class ShardSplitWithCitusTest {

    private static final int ROWS = 20_000;
    private static final int DIMENSION = 32;
    private static final int QUERIES = 5;
    private static final Pattern SPLITTING = Pattern.compile("splitting shard (\\d+) ");
    private static final Pattern SPLIT = Pattern.compile(" split shard (\\d+) ");

    @TempDir
    static Path dir;

    private LocalCitusCluster cluster;
    private Path scripts;
    private Map<String, String> scaleDownEnv;
    private Map<String, String> scaleUpEnv;
    private Map<String, String> testEnv;
    private VectorTableSnapshot baseline;
    private Map<String, List<String>> untouchedShards;
    private int shardsPerWorker;
    private Map<String, String> layout;
    private final List<String> splitShardIds = new ArrayList<>();

    @BeforeAll
    void startCluster() throws Exception {
        Optional<String> unavailable = LocalPostgres.citusUnavailableReason();
        Assumptions.assumeTrue(unavailable.isEmpty(), () -> unavailable.orElse(""));
        ShippedHooks before = ShippedHooks.render(dir, Map.of("workers.count", "2"));
        ShippedHooks upgrade = ShippedHooks.render(dir, Map.of("workers.count", "4"));
        scripts = upgrade.mountScripts(dir.resolve("mounted-scripts"));
        scaleDownEnv = ShippedHooks.env(upgrade.named("Job", "citus-scale-down"));
        scaleUpEnv = ShippedHooks.env(upgrade.named("Job", "citus-scale-up"));
        // The local cluster's workers have no standbys, so no secondaries to read from: no replica-read step.
        testEnv = new LinkedHashMap<>(ShippedHooks.env(upgrade.named("Pod", "citus-test-vector-queries")));
        testEnv.put("REPLICA_READS", "false");
        shardsPerWorker = Integer.parseInt(scaleUpEnv.get("SHARDS_PER_WORKER"));
        assertThat(scaleUpEnv).containsEntry("SPLIT_SHARDS", "layout").containsEntry("RELEASE", "citus");
        String layoutShardCount = before.named("postgresql", "citus-coordinator")
                .at("/spec/postgresql/parameters")
                .path("citus.shard_count")
                .asText();

        cluster = LocalCitusCluster.start(dir, 2, "split-pw", true);
        // The release with 2 workers: Patroni put the chart's citus.shard_count on every node.
        layout = Map.of("citus.shard_count", layoutShardCount);
        cluster.coordinator().configure(layout);
        cluster.workers().forEach(w -> w.configure(layout));
        try (Connection c = coordinator();
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE items (id bigint PRIMARY KEY, embedding vector(" + DIMENSION + ") NOT NULL)");
            s.execute("SELECT create_distributed_table('items', 'id')");
            s.execute("INSERT INTO items SELECT i, (SELECT array_agg(sin(i * 0.37 + d * 1.91)::real ORDER BY d)"
                    + " FROM generate_series(1, " + DIMENSION + ") d)::vector FROM generate_series(1, " + ROWS
                    + ") i");
            s.execute("CREATE INDEX items_embedding ON items USING hnsw (embedding vector_l2_ops)");
            // Colocated tables with a foreign key between them, split together with items.
            s.execute("CREATE TABLE docs (id bigint PRIMARY KEY, title text)");
            s.execute("CREATE TABLE chunks (id bigint, doc bigint REFERENCES docs (id), body text,"
                    + " PRIMARY KEY (doc, id))");
            s.execute("SELECT create_distributed_table('docs', 'id', colocate_with => 'items')");
            s.execute("SELECT create_distributed_table('chunks', 'doc', colocate_with => 'docs')");
            s.execute("INSERT INTO docs SELECT i, 'doc ' || i FROM generate_series(1, 2000) i");
            s.execute("INSERT INTO chunks SELECT c, d, 'chunk' FROM generate_series(1, 2000) d,"
                    + " generate_series(1, 3) c");
            // No primary key and no replica identity: logical replication cannot split it (until step 5 gives it one).
            s.execute("CREATE TABLE events (id integer, payload text)");
            s.execute("SELECT create_distributed_table('events', 'id')");
            s.execute("INSERT INTO events SELECT i, 'e' FROM generate_series(1, 1000) i");
            // A shard count of its own: left alone.
            s.execute("CREATE TABLE own_count (id bigint PRIMARY KEY)");
            s.execute("SELECT create_distributed_table('own_count', 'id', shard_count => 3)");
            s.execute("INSERT INTO own_count SELECT generate_series(1, 300)");
            s.execute("CREATE TABLE countries (code text PRIMARY KEY)");
            s.execute("SELECT create_reference_table('countries')");
            s.execute("INSERT INTO countries VALUES ('de'), ('fr')");
            s.execute("CREATE TABLE notes (id integer PRIMARY KEY)");
            s.execute("INSERT INTO notes VALUES (1)");
        }
        baseline = snapshot();
        assertThat(baseline.rows()).isEqualTo(ROWS);
        assertThat(shardsOf("items")).as("the layout's shards").hasSize(Integer.parseInt(layoutShardCount));
        untouchedShards = Map.of("events", shardRanges("events"), "own_count", shardRanges("own_count"));
    }

    @AfterAll
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    // ---- the steps -------------------------------------------------------------------------------------------

    @Test
    @Order(1)
    @DisplayName("pre-upgrade: nothing leaves; the shard count the release ran with is recorded as the layout's")
    void preUpgradeRecordsTheLayout() {
        // The new workers do not run yet; every registered worker stays.
        ShippedHooks.Run run = runScript("scale-down.sh", scaleDownEnv, Map.of("DESIRED_WORKERS", desired(2)));
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("no worker leaves");
        assertThat(query("SELECT string_agg(shard_count::text, ',') FROM citus_pgvector.layout_shard_counts"))
                .containsExactly(Integer.toString(shardsOf("items").size()));
    }

    @Test
    @Order(2)
    @DisplayName("splitShards=off: the new workers are registered, nothing is split")
    void switchedOff() {
        cluster.startWorker(true).configure(layout);
        cluster.startWorker(true).configure(layout);
        ShippedHooks.Run run = runScript(
                "scale-up.sh",
                scaleUpEnv,
                Map.of("DESIRED_WORKERS", desired(4), "SPLIT_SHARDS", "off", "REBALANCE", "false"));
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("shard splits are off").doesNotContain("splitting shard");
        assertThat(shardsOf("items")).hasSize(Integer.parseInt(layoutShardCount()));
    }

    @Test
    @Order(3)
    @DisplayName("a split that cannot finish within the Job's deadline (a session holds a lock it needs) is rolled"
            + " back; the hook names the table it left alone and says how to resume")
    void deadlineStopsCleanly() throws Exception {
        List<String> shardsBefore = shardRanges("items");
        try (Connection blocker = coordinator();
                Statement s = blocker.createStatement()) {
            blocker.setAutoCommit(false);
            s.execute("LOCK TABLE docs IN SHARE UPDATE EXCLUSIVE MODE");
            ShippedHooks.Run run = runScript(
                    "scale-up.sh", scaleUpEnv, Map.of("DESIRED_WORKERS", desired(4), "TIMEOUT_SECONDS", "20"));
            blocker.rollback();
            assertThat(run.exitCode()).as(run.output()).isNotZero();
            assertThat(run.output())
                    .contains("NOT split: events: no replica identity or primary key on events")
                    .contains("splitting shard")
                    .contains("out of time (scaling.timeoutSeconds=20)")
                    .contains("helm upgrade citus <chart> --reuse-values")
                    .contains("SELECT citus_split_shard_by_split_points(");
        }
        assertThat(shardRanges("items")).isEqualTo(shardsBefore);
        assertColocatedShardsAligned();
        assertThat(snapshot()).isEqualTo(baseline);
    }

    @Test
    @Order(4)
    @DisplayName("the Job's pod killed mid-split: the shard group stays whole or is split whole, no row changes")
    void killedMidSplit() throws Exception {
        ShippedHooks.Running hook = ShippedHooks.start(
                scripts, "scale-up.sh", scaleUpEnv, connection(Map.of("DESIRED_WORKERS", desired(4))));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!hook.output().contains("splitting shard") && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(hook.output()).contains("splitting shard");
        Thread.sleep(1500);
        hook.process().descendants().forEach(ProcessHandle::destroyForcibly);
        hook.process().destroyForcibly();
        String output = hook.output();
        hook.process().waitFor(30, TimeUnit.SECONDS);
        java.nio.file.Files.deleteIfExists(hook.outputFile());
        splitShardIds.addAll(matches(SPLIT, output));
        // The backend notices the client is gone (client_connection_check_interval) and Citus rolls the split back.
        awaitNoSplitRunning();
        assertColocatedShardsAligned();
        assertThat(snapshot()).isEqualTo(baseline);
        assertThat(shardRanges("events")).as("events never split").isEqualTo(untouchedShards.get("events"));
    }

    @Test
    @Order(5)
    @DisplayName("re-run: finishes the splits from the catalog, never splitting a shard twice; every worker holds"
            + " shards of every layout table, 20-30% of the rows, HNSW on every piece; rows, checksum, top-10 and"
            + " foreign keys intact; others untouched")
    void rerunFinishes() throws Exception {
        // What the hook advised for events: with a replica identity it is split too.
        cluster.sql(cluster.coordinator(), "ALTER TABLE events REPLICA IDENTITY FULL");
        ShippedHooks.Run run = runScript("scale-up.sh", scaleUpEnv, Map.of("DESIRED_WORKERS", desired(4)));
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output())
                .doesNotContain("NOT split")
                .contains("shard splits done:")
                .contains("rebalance");
        List<String> splitNow = matches(SPLIT, run.output());
        assertThat(matches(SPLITTING, run.output())).isEqualTo(splitNow);
        splitShardIds.addAll(splitNow);
        assertThat(splitShardIds).as("no shard split twice").doesNotHaveDuplicates();
        int workers = 4;
        assertThat(splitShardIds)
                .as("every shard of the two layout groups (items, docs, chunks; events) split once")
                .hasSize(2 * Integer.parseInt(layoutShardCount()));
        assertThat(query("SELECT count(*)::text FROM citus_pgvector.shard_splits"))
                .containsExactly(Integer.toString(splitShardIds.size()));
        assertThat(query("SELECT to_do::text FROM citus_pgvector.shard_split_status"))
                .containsExactly("0");

        for (String table : List.of("items", "docs", "chunks", "events")) {
            Map<Integer, Long> perWorker = shardsPerWorker(table);
            assertThat(perWorker)
                    .as("shards of %s per worker", table)
                    .hasSize(workers)
                    .allSatisfy((port, shards) -> assertThat(shards).isEqualTo((long) shardsPerWorker));
        }
        assertColocatedShardsAligned();
        Map<Integer, Long> rows = rowsPerWorker("items");
        long total = rows.values().stream().mapToLong(Long::longValue).sum();
        assertThat(total).isEqualTo(ROWS);
        assertThat(rows)
                .allSatisfy((port, n) -> assertThat(n * 100.0 / total)
                        .as("share of items rows on %s", port)
                        .isBetween(20.0, 30.0));
        // Old shards the rebalance may have left for Citus's deferred drop would count too.
        cluster.sql(cluster.coordinator(), "CALL citus_cleanup_orphaned_resources()");
        assertThat(query("SELECT result FROM run_command_on_workers($$SELECT count(*) FROM pg_class c"
                        + " JOIN pg_am a ON a.oid = c.relam WHERE a.amname = 'hnsw'"
                        + " AND c.relname ~ '^items_embedding_[0-9]+$'$$) ORDER BY nodeport"))
                .as("HNSW index on every piece")
                .containsOnly(Integer.toString(shardsPerWorker));
        assertThat(query("SELECT result FROM run_command_on_workers($$SELECT count(*) FROM pg_constraint"
                        + " WHERE contype = 'f' AND conrelid::regclass::text ~ '^chunks_[0-9]+$'$$)"
                        + " ORDER BY nodeport"))
                .as("foreign key on every chunks piece")
                .containsOnly(Integer.toString(shardsPerWorker));
        assertThat(snapshot()).isEqualTo(baseline);
        assertThat(query("SELECT count(*)::text FROM chunks JOIN docs ON docs.id = chunks.doc"))
                .containsExactly("6000");
        cluster.sql(cluster.coordinator(), "INSERT INTO chunks VALUES (9, 77, 'new')");
        assertThat(cluster.coordinator()
                        .psql(LocalCitusCluster.DATABASE, "INSERT INTO chunks VALUES (1, 999999, 'x')")
                        .stderr())
                .contains("violates foreign key constraint");

        assertThat(shardRanges("own_count"))
                .as("a table with its own shard count is not split")
                .isEqualTo(untouchedShards.get("own_count"));
        assertThat(query("SELECT count(*)::text FROM events")).containsExactly("1000");
        assertThat(query("SELECT count(*)::text FROM own_count")).containsExactly("300");
        assertThat(
                        query(
                                "SELECT count(DISTINCT nodeport)::text FROM citus_shards WHERE table_name = 'countries'::regclass"))
                .as("the reference table on the coordinator and 4 workers")
                .containsExactly("5");
        assertThat(query("SELECT count(*)::text FROM pg_dist_partition WHERE logicalrelid = 'notes'::regclass"))
                .as("the local table stays local")
                .containsExactly("0");

        ShippedHooks.Run test = runScript("helm-test.sh", testEnv, Map.of("EXPECTED_WORKERS", "4"));
        assertThat(test.exitCode()).as(test.output()).isZero();
    }

    @Test
    @Order(6)
    @DisplayName("another run finds nothing to split")
    void idempotent() {
        ShippedHooks.Run run = runScript("scale-up.sh", scaleUpEnv, Map.of("DESIRED_WORKERS", desired(4)));
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("shard splits to do: 0").doesNotContain("splitting shard");
    }

    @Test
    @Order(7)
    @DisplayName("scale down 4 -> 2 after the split: the drain keeps every row, checksum and top-10")
    void scaleDownAfterSplit() throws Exception {
        ShippedHooks.Run run = runScript("scale-down.sh", scaleDownEnv, Map.of("DESIRED_WORKERS", desired(2)));
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(shardsPerWorker("items")).hasSize(2);
        assertThat(snapshot()).isEqualTo(baseline);
        assertThat(query("SELECT count(*)::text FROM chunks")).containsExactly("6001");
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private String layoutShardCount() {
        return query("SELECT min(shard_count)::text FROM citus_pgvector.layout_shard_counts")
                .get(0);
    }

    /** Waits until no session on any node runs a split or holds a split's replication slot. */
    private void awaitNoSplitRunning() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            List<String> busy = query("SELECT count(*)::text FROM pg_stat_activity"
                    + " WHERE query ~ 'citus_split_shard_by_split_points' AND pid <> pg_backend_pid()");
            if (busy.equals(List.of("0"))) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("a split still runs 60s after its client was killed");
    }

    /** Every table of the layout group has the same hash ranges, covering the whole space without overlap. */
    private void assertColocatedShardsAligned() {
        List<String> items = shardRanges("items");
        assertThat(shardRanges("docs")).isEqualTo(items);
        assertThat(shardRanges("chunks")).isEqualTo(items);
        long expectedLow = Integer.MIN_VALUE;
        for (String range : items) {
            String[] bounds = range.split("\\.\\.");
            assertThat(Long.parseLong(bounds[0])).as("ranges %s", items).isEqualTo(expectedLow);
            expectedLow = Long.parseLong(bounds[1]) + 1;
        }
        assertThat(expectedLow).isEqualTo((long) Integer.MAX_VALUE + 1);
    }

    private List<String> shardRanges(String table) {
        return query("SELECT shardminvalue || '..' || shardmaxvalue FROM pg_dist_shard WHERE logicalrelid = '" + table
                + "'::regclass ORDER BY shardminvalue::bigint");
    }

    private List<String> shardsOf(String table) {
        return query("SELECT shardid::text FROM pg_dist_shard WHERE logicalrelid = '" + table + "'::regclass");
    }

    private Map<Integer, Long> shardsPerWorker(String table) {
        Map<Integer, Long> shards = new TreeMap<>();
        for (String row : query("SELECT nodeport || ':' || count(*) FROM citus_shards WHERE table_name = '" + table
                + "'::regclass GROUP BY nodeport")) {
            String[] parts = row.split(":");
            shards.put(Integer.valueOf(parts[0]), Long.valueOf(parts[1]));
        }
        return shards;
    }

    private Map<Integer, Long> rowsPerWorker(String table) {
        Map<Integer, Long> rows = new TreeMap<>();
        for (String row : query("SELECT s.nodeport || ':' || sum(r.result::bigint) FROM citus_shards s"
                + " JOIN run_command_on_shards('" + table + "', 'SELECT count(*) FROM %s') r"
                + " ON r.shardid = s.shardid WHERE s.table_name = '" + table + "'::regclass GROUP BY s.nodeport")) {
            String[] parts = row.split(":");
            rows.put(Integer.valueOf(parts[0]), Long.valueOf(parts[1]));
        }
        return rows;
    }

    private static List<String> matches(Pattern pattern, String output) {
        List<String> ids = new ArrayList<>();
        Matcher m = pattern.matcher(output);
        while (m.find()) {
            ids.add(m.group(1));
        }
        return ids;
    }

    /** host:port of the first {@code count} workers, comma-separated. */
    private String desired(int count) {
        return IntStream.range(0, count)
                .mapToObj(i ->
                        LocalCitusCluster.HOST + ":" + cluster.workers().get(i).port())
                .collect(Collectors.joining(","));
    }

    /** The hook env's connection settings replaced by the local coordinator's (no SSL locally). */
    private Map<String, String> connection(Map<String, String> overrides) {
        return cluster.hookEnvironment(overrides);
    }

    private ShippedHooks.Run runScript(String script, Map<String, String> podEnv, Map<String, String> overrides) {
        return ShippedHooks.run(scripts, script, podEnv, connection(overrides), 600);
    }

    private Connection coordinator() throws SQLException {
        return cluster.coordinator().connect(LocalCitusCluster.DATABASE);
    }

    private List<String> query(String sql) {
        return cluster.query(sql);
    }

    private VectorTableSnapshot snapshot() throws SQLException {
        try (Connection c = coordinator()) {
            return VectorTableSnapshot.of(c, "items", DIMENSION, QUERIES);
        }
    }
}
