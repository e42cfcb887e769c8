package io.citus.pgvector.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.citus.pgvector.cli.CliRun;
import io.citus.pgvector.testing.LocalCitusCluster;
import io.citus.pgvector.testing.LocalPostgres;
import io.citus.pgvector.testing.ProjectFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code verify} and {@code bench} against a real coordinator and two workers on 127.0.0.1 with the chart's Citus and
 * pgvector parameters in every node's postgresql.conf. The worker removal comes last: it changes the cluster.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterCommandsTest {

    private static final String PASSWORD = "verify-pw-1";

    @TempDir
    static Path dir;

    static LocalCitusCluster cluster;
    static Path passwordFile;

    @BeforeAll
    static void startCluster() throws Exception {
        Optional<String> unavailable = LocalPostgres.citusUnavailableReason();
        Assumptions.assumeTrue(unavailable.isEmpty(), () -> unavailable.orElse(""));
        cluster = LocalCitusCluster.start(dir, 2, PASSWORD, true);
        cluster.coordinator().configure(ChartParameters.of(ProjectFiles.committedChart(), "citus-coordinator", 2));
        Map<String, String> worker = ChartParameters.of(ProjectFiles.committedChart(), "citus-worker-1", 2);
        cluster.workers().forEach(w -> w.configure(worker));
        passwordFile = Files.writeString(dir.resolve("password"), PASSWORD + "\n");
        sql(cluster.coordinator(), "CREATE TABLE items (channel bigint, id bigint, embedding vector(3))");
        sql(cluster.coordinator(), "SELECT create_distributed_table('items', 'channel')");
        sql(
                cluster.coordinator(),
                "INSERT INTO items SELECT i % 10, i, ARRAY[i, i * 2 % 7, i % 5]::vector"
                        + " FROM generate_series(1, 200) i");
        sql(cluster.coordinator(), "CREATE INDEX items_embedding ON items USING hnsw (embedding vector_cosine_ops)");
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String[] connection(String... more) {
        return Stream.concat(
                        Stream.of(
                                "-h",
                                LocalCitusCluster.HOST,
                                "-p",
                                Integer.toString(cluster.coordinator().port()),
                                "-U",
                                "postgres",
                                "-d",
                                "postgres",
                                "--password-file",
                                passwordFile.toString()),
                        Stream.of(more))
                .toArray(String[]::new);
    }

    private static String[] verifyArgs(String... more) {
        return Stream.concat(Stream.of("verify"), Stream.of(connection(more))).toArray(String[]::new);
    }

    private static CliRun verify(String... more) {
        return CliRun.of(verifyArgs(more));
    }

    private static CliRun verifyUntil(Predicate<CliRun> expected, String... more) throws InterruptedException {
        return CliRun.until(expected, verifyArgs(more));
    }

    private static void sql(LocalPostgres node, String statement) {
        cluster.sql(node, statement);
    }

    private static String query(LocalPostgres node, String sql) throws Exception {
        try (Connection c = node.connect(LocalCitusCluster.DATABASE);
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery(sql)) {
            return r.next() ? r.getString(1) : null;
        }
    }

    private static LocalPostgres node(int port) {
        return cluster.workers().stream()
                .filter(w -> w.port() == port)
                .findFirst()
                .orElseThrow();
    }

    @Test
    @Order(1)
    @DisplayName("verify: a healthy cluster passes every check, in text and JSON, with the chart's settings")
    void healthy() throws Exception {
        CliRun run = verify("--expected-workers", "2", "--setting", "hnsw.ef_search=100");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out())
                .contains("OK    workers")
                .contains("2 active workers")
                .contains("citus 13")
                .contains("vector 0.8")
                .contains("hnsw.ef_search = 100, hnsw.iterative_scan = relaxed_order on every node")
                .contains("1 table with vector columns, 2 shard placements checked")
                .contains("OK    secondaries")
                .contains("healthy: 6 checks passed")
                .doesNotContain(PASSWORD);
        JsonNode json = new ObjectMapper().readTree(verify("--format", "json").out());
        assertThat(json.path("healthy").asBoolean()).isTrue();
        assertThat(json.path("checks"))
                .hasSize(6)
                .allSatisfy(c -> assertThat(c.path("status").asText()).isEqualTo("ok"));
    }

    @Test
    @Order(2)
    @DisplayName("verify: a secondary registered for a node that is not a standby of its primary makes the cluster"
            + " unhealthy; the primary itself under a second name does not")
    void wrongSecondary() throws Exception {
        LocalPostgres first = cluster.workers().get(0);
        LocalPostgres second = cluster.workers().get(1);
        // The second worker's server registered as the first worker's secondary: another cluster entirely.
        sql(
                cluster.coordinator(),
                "SELECT citus_add_secondary_node('localhost', " + second.port() + ", '127.0.0.1', " + first.port()
                        + ")");
        try {
            CliRun run = verify();
            assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
            assertThat(run.out())
                    .contains("FAIL  secondaries")
                    .contains("secondary localhost:" + second.port() + " is not a standby of its primary 127.0.0.1:"
                            + first.port() + ": system identifier");
            sql(
                    cluster.coordinator(),
                    "SELECT citus_update_node(nodeid, 'localhost', " + first.port()
                            + ") FROM pg_dist_node WHERE noderole = 'secondary'");
            CliRun itself = verify();
            assertThat(itself.exitCode()).as(itself.toString()).isZero();
            assertThat(itself.out())
                    .contains("127.0.0.1:" + first.port() + " -> localhost:" + first.port()
                            + " (the primary itself: no standby)");
        } finally {
            sql(
                    cluster.coordinator(),
                    "SELECT citus_remove_node(nodename, nodeport) FROM pg_dist_node" + " WHERE noderole = 'secondary'");
        }
    }

    @Test
    @Order(3)
    @DisplayName("verify: an HNSW index dropped on one shard, directly on its worker, makes the cluster unhealthy")
    void missingShardIndex() throws Exception {
        String shard;
        int port;
        try (Connection c = cluster.coordinator().connect(LocalCitusCluster.DATABASE);
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT shardid, nodeport FROM citus_shards"
                        + " WHERE table_name = 'items'::regclass ORDER BY shardid LIMIT 1")) {
            r.next();
            shard = r.getString(1);
            port = r.getInt(2);
        }
        LocalPostgres worker = node(port);
        try (Connection c = worker.connect(LocalCitusCluster.DATABASE);
                Statement s = c.createStatement()) {
            s.execute("SET citus.enable_manual_changes_to_shards = on");
            s.execute("DROP INDEX items_embedding_" + shard);
        }
        try {
            CliRun run = verify();
            assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
            assertThat(run.out())
                    .contains("FAIL  vector indexes")
                    .contains("items shard " + shard + " on 127.0.0.1:" + port + " has 0 of the table's 1 valid vector"
                            + " index")
                    .contains("unhealthy: 1 of 6 checks failed");
            assertThat(new ObjectMapper()
                            .readTree(verify("--format", "json").out())
                            .path("healthy")
                            .asBoolean())
                    .isFalse();
        } finally {
            try (Connection c = worker.connect(LocalCitusCluster.DATABASE);
                    Statement s = c.createStatement()) {
                s.execute("SET citus.enable_manual_changes_to_shards = on");
                s.execute("CREATE INDEX items_embedding_" + shard + " ON items_" + shard
                        + " USING hnsw (embedding vector_cosine_ops)");
            }
        }
        assertThat(verify().exitCode()).isZero();
    }

    @Test
    @Order(4)
    @DisplayName("verify: hnsw.ef_search changed on one worker only does not reach the workers consistently")
    void settingNotOnEveryWorker() throws Exception {
        LocalPostgres worker = cluster.workers().get(1);
        sql(worker, "ALTER SYSTEM SET hnsw.ef_search = 40");
        sql(worker, "SELECT pg_reload_conf()");
        try {
            CliRun run = verifyUntil(r -> r.exitCode() == 1);
            assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
            assertThat(run.out())
                    .contains("FAIL  settings")
                    .contains("127.0.0.1:" + worker.port() + ": hnsw.ef_search = 40, the coordinator has 100");
        } finally {
            sql(worker, "ALTER SYSTEM RESET hnsw.ef_search");
            sql(worker, "SELECT pg_reload_conf()");
        }
        CliRun healed = verifyUntil(r -> r.exitCode() == 0);
        assertThat(healed.exitCode()).as(healed.toString()).isZero();
        CliRun expectedElsewhere = verify("--setting", "hnsw.iterative_scan=strict_order");
        assertThat(expectedElsewhere.exitCode()).isEqualTo(1);
        assertThat(expectedElsewhere.out())
                .contains("coordinator: hnsw.iterative_scan = relaxed_order, expected strict_order");
    }

    @Test
    @Order(5)
    @DisplayName("verify: a stopped worker is unhealthy (exit 1), an unreachable coordinator is exit 4")
    void stoppedWorkerAndUnreachableCoordinator() throws Exception {
        LocalPostgres worker = cluster.workers().get(0);
        worker.stop();
        try {
            CliRun run = verify();
            assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
            assertThat(run.out()).contains("FAIL  workers").contains("127.0.0.1:" + worker.port() + " does not answer");
        } finally {
            worker.start();
        }
        assertThat(verify().exitCode()).isZero();
        Path wrong = Files.writeString(dir.resolve("wrong"), "not-the-password\n");
        CliRun refused = CliRun.of(
                "verify",
                "-h",
                "127.0.0.1",
                "-p",
                Integer.toString(cluster.coordinator().port()),
                "-U",
                "postgres",
                "-d",
                "postgres",
                "--password-file",
                wrong.toString());
        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(4);
        assertThat(refused.err()).contains("password authentication failed").doesNotContain("not-the-password");
        assertThat(CliRun.of("verify", "postgresql://postgres@127.0.0.1:1/postgres")
                        .exitCode())
                .isEqualTo(4);
    }

    @Test
    @Order(6)
    @DisplayName("bench: recall agrees with an exact computation of the test's own; no node's configuration changes")
    void bench() throws Exception {
        Path json = dir.resolve("bench.json");
        Path csv = dir.resolve("bench.csv");
        CliRun run = CliRun.of(Stream.concat(
                        Stream.of("bench"),
                        Stream.of(connection(
                                "--rows",
                                "5000",
                                "--dimension",
                                "16",
                                "--channels",
                                "20",
                                "--centers",
                                "50",
                                "--queries",
                                "40",
                                "--warmup",
                                "0.5",
                                "--duration",
                                "1.5",
                                "--config",
                                "stock",
                                "--config",
                                "cluster",
                                "--config",
                                "low:hnsw.ef_search=10,hnsw.iterative_scan=off",
                                "--table-prefix",
                                "tbench",
                                "--keep",
                                "--json",
                                json.toString(),
                                "--csv",
                                csv.toString())))
                .toArray(String[]::new));
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out())
                .contains("recall@10")
                .contains("stock")
                .contains("fan-out")
                .doesNotContain(PASSWORD);
        assertThat(run.err()).contains("-- building the HNSW index of tbench_32 (32 shards)");
        JsonNode report = new ObjectMapper().readTree(json.toFile());
        assertThat(report.path("results")).hasSize(6);
        assertThat(Files.readAllLines(csv)).hasSize(7).first().asString().startsWith("config,shards,mode,recall_at_k");

        for (JsonNode result : report.path("results")) {
            assertThat(result.path("qps").asDouble()).as(result.toString()).isPositive();
            assertThat(result.path("p50_ms").asDouble())
                    .isPositive()
                    .isLessThanOrEqualTo(result.path("p95_ms").asDouble());
            if (result.path("config").asText().equals("cluster")) {
                assertThat(result.path("shards").asInt())
                        .as("the chart's shard count for 2 workers x 1 shard per worker (citus.shardsPerWorker)")
                        .isEqualTo(2);
                assertThat(result.path("mean_rows").asDouble())
                        .as(result.toString())
                        .isEqualTo(10.0);
                assertThat(result.path("recall_at_k").asDouble())
                        .as(result.toString())
                        .isGreaterThanOrEqualTo(0.99);
            }
        }

        // The test's own exact neighbors, from the rows as stored, against the test's own run of the same queries.
        Map<Long, float[]> rows = new java.util.HashMap<>();
        Map<Long, Long> channels = new java.util.HashMap<>();
        List<float[]> queryVectors = new ArrayList<>();
        List<Long> queryChannels = new ArrayList<>();
        try (Connection c = cluster.coordinator().connect(LocalCitusCluster.DATABASE);
                Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery("SELECT id, channel, embedding::text FROM tbench_2")) {
                while (r.next()) {
                    rows.put(r.getLong(1), parse(r.getString(3)));
                    channels.put(r.getLong(1), r.getLong(2));
                }
            }
            try (ResultSet r = s.executeQuery("SELECT channel, embedding::text FROM tbench_queries ORDER BY id")) {
                while (r.next()) {
                    queryChannels.add(r.getLong(1));
                    queryVectors.add(parse(r.getString(2)));
                }
            }
            assertThat(rows).hasSize(5000);
            assertThat(queryVectors).hasSize(40);
            for (String mode : List.of("router", "fan-out")) {
                double sum = 0;
                for (int q = 0; q < queryVectors.size(); q++) {
                    float[] vector = queryVectors.get(q);
                    long channel = queryChannels.get(q);
                    List<Long> exact = rows.keySet().stream()
                            .filter(id -> mode.equals("fan-out") || channels.get(id) == channel)
                            .sorted(Comparator.comparingDouble((Long id) -> cosine(vector, rows.get(id))))
                            .limit(10)
                            .toList();
                    List<Long> found = search(c, mode, vector, channel);
                    Set<Long> hits = new HashSet<>(found);
                    hits.retainAll(exact);
                    sum += hits.size() / (double) exact.size();
                }
                double ours = sum / queryVectors.size();
                JsonNode benchFigure = findResult(report, "low", mode);
                assertThat(benchFigure.path("recall_at_k").asDouble())
                        .as(mode + ": bench vs the test's computation")
                        .isCloseTo(ours, org.assertj.core.api.Assertions.within(0.0051));
            }
        } finally {
            sql(cluster.coordinator(), "DROP TABLE IF EXISTS tbench_2, tbench_32, tbench_queries");
        }
        assertThat(query(cluster.coordinator(), "SELECT current_setting('hnsw.ef_search')"))
                .isEqualTo("100");
        assertThat(query(
                        cluster.workers().get(0),
                        "SELECT count(*) FROM pg_file_settings"
                                + " WHERE sourcefile LIKE '%postgresql.auto.conf' AND name LIKE 'hnsw.%'"))
                .isEqualTo("0");
        assertThat(verify().exitCode()).as("every node keeps its settings").isZero();
    }

    /** The query as bench's "low" configuration runs it, with the settings propagated to the workers' sessions. */
    private static List<Long> search(Connection c, String mode, float[] vector, long channel) throws Exception {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("SET LOCAL citus.propagate_set_commands = 'local'");
            s.execute("SET LOCAL hnsw.ef_search = 10");
            s.execute("SET LOCAL hnsw.iterative_scan = off");
            String sql = mode.equals("router")
                    ? "SELECT id FROM tbench_2 WHERE channel = ? ORDER BY embedding <=> ?::vector LIMIT 10"
                    : "SELECT id FROM tbench_2 ORDER BY embedding <=> ?::vector LIMIT 10";
            try (PreparedStatement p = c.prepareStatement(sql)) {
                String text = Arrays.toString(vector).replace(" ", "");
                if (mode.equals("router")) {
                    p.setLong(1, channel);
                    p.setString(2, text);
                } else {
                    p.setString(1, text);
                }
                List<Long> ids = new ArrayList<>();
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        ids.add(r.getLong(1));
                    }
                }
                return ids;
            }
        } finally {
            c.commit();
            c.setAutoCommit(true);
        }
    }

    private static JsonNode findResult(JsonNode report, String config, String mode) {
        for (JsonNode result : report.path("results")) {
            if (result.path("config").asText().equals(config)
                    && result.path("mode").asText().equals(mode)) {
                return result;
            }
        }
        throw new AssertionError("no " + config + " " + mode + " in " + report);
    }

    private static float[] parse(String text) {
        String[] parts = text.substring(1, text.length() - 1).split(",");
        float[] vector = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            vector[i] = Float.parseFloat(parts[i]);
        }
        return vector;
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return 1 - dot / Math.sqrt(na * nb);
    }

    @Test
    @Order(7)
    @DisplayName("verify: a worker drained and removed fails the expected worker count")
    void removedWorker() throws Exception {
        LocalPostgres worker = cluster.workers().get(1);
        sql(
                cluster.coordinator(),
                "SELECT citus_set_node_property('127.0.0.1', " + worker.port() + ", 'shouldhaveshards', false)");
        sql(
                cluster.coordinator(),
                "SELECT citus_drain_node('127.0.0.1', " + worker.port() + ", shard_transfer_mode => 'block_writes')");
        sql(cluster.coordinator(), "CALL citus_cleanup_orphaned_resources()");
        sql(cluster.coordinator(), "SELECT citus_remove_node('127.0.0.1', " + worker.port() + ")");
        CliRun run = verify("--expected-workers", "2");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.out()).contains("FAIL  workers").contains("1 active worker, expected 2");
        assertThat(verify("--expected-workers", "1").exitCode()).isZero();
    }
}
