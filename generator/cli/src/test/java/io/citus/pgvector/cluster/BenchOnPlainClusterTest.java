package io.citus.pgvector.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.citus.pgvector.cli.CliRun;
import io.citus.pgvector.testing.LocalCitusCluster;
import io.citus.pgvector.testing.LocalPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench} and {@code tune} on a plain Citus cluster built without the chart: a coordinator and two workers on
 * 127.0.0.1 with Citus preloaded and pgvector not, no {@code hnsw.*} in any node's configuration, and a table made
 * here with SQL, as a user would make it. Every test checks that the cluster is left as it was: the same tables, the
 * same rows, nothing in any node's postgresql.auto.conf.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class BenchOnPlainClusterTest {

    private static final String PASSWORD = "plain-pw-1";

    @TempDir
    static Path dir;

    static LocalCitusCluster cluster;
    static Path passwordFile;

    @BeforeAll
    static void startCluster() {
        Optional<String> unavailable = LocalPostgres.citusUnavailableReason();
        Assumptions.assumeTrue(unavailable.isEmpty(), () -> unavailable.orElse(""));
        cluster = LocalCitusCluster.start(dir, 2, PASSWORD, true);
        passwordFile = write("password", PASSWORD + "\n");
        // The user's table: tenants as distribution column, 4000 random vectors, an L2 HNSW index.
        sql("CREATE TABLE docs (tenant int NOT NULL, id bigserial, title text, emb vector(16))");
        sql("SELECT create_distributed_table('docs', 'tenant', shard_count := 4)");
        sql("INSERT INTO docs (tenant, title, emb) SELECT i % 10, 'doc ' || i,"
                + " (SELECT array_agg(random()) FROM generate_series(1, 16) WHERE i > 0)::vector"
                + " FROM generate_series(1, 4000) i");
        sql("CREATE INDEX docs_emb ON docs USING hnsw (emb vector_l2_ops)");
        sql("CREATE TABLE unindexed (tenant int, emb vector(16))");
        sql("INSERT INTO unindexed SELECT 1, array_fill(1, ARRAY[16])::vector");
        sql("CREATE TABLE empty (tenant int, emb vector(16))");
        sql("CREATE INDEX ON empty USING hnsw (emb vector_cosine_ops)");
        sql("CREATE TABLE small (tenant int, emb vector(16))");
        sql("INSERT INTO small SELECT i, array_fill(i, ARRAY[16])::vector FROM generate_series(1, 5) i");
        sql("CREATE INDEX ON small USING hnsw (emb vector_l2_ops)");
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static Path write(String name, String content) {
        try {
            return Files.writeString(dir.resolve(name), content);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sql(String statement) {
        cluster.sql(cluster.coordinator(), statement);
    }

    private static String query(LocalPostgres node, String sql) {
        return node.query(LocalCitusCluster.DATABASE, sql).strip();
    }

    private static List<String> connection() {
        return List.of(
                "-h",
                LocalCitusCluster.HOST,
                "-p",
                Integer.toString(cluster.coordinator().port()),
                "-U",
                "postgres",
                "-d",
                "postgres",
                "--password-file",
                passwordFile.toString());
    }

    private static String[] args(String command, String... more) {
        return Stream.of(Stream.of(command), connection().stream(), Stream.of(more))
                .flatMap(s -> s)
                .toArray(String[]::new);
    }

    /**
     * What a run must leave as it was: every relation of the coordinator, the rows of the user's table, and every
     * node's postgresql.auto.conf (empty on this cluster).
     */
    private static String state() {
        StringBuilder state = new StringBuilder(query(
                cluster.coordinator(),
                "SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class WHERE relnamespace ="
                        + " 'public'::regnamespace"));
        state.append(" | docs ")
                .append(query(
                        cluster.coordinator(),
                        "SELECT count(*) || ' ' || md5(string_agg(id || title || emb::text, ',' ORDER BY id))"
                                + " FROM docs"));
        for (LocalPostgres node : nodes()) {
            state.append(" | ")
                    .append(node.port())
                    .append(" auto.conf: ")
                    .append(query(
                            node,
                            "SELECT count(*) FROM pg_file_settings WHERE sourcefile LIKE '%postgresql.auto.conf'"));
        }
        return state.toString();
    }

    private static List<LocalPostgres> nodes() {
        List<LocalPostgres> nodes = new ArrayList<>(cluster.workers());
        nodes.add(0, cluster.coordinator());
        return nodes;
    }

    @Test
    @DisplayName("the cluster has neither pgvector preloaded nor hnsw.* in any node's configuration")
    void plainCluster() {
        for (LocalPostgres node : nodes()) {
            assertThat(query(node, "SHOW shared_preload_libraries")).isEqualTo("citus");
            assertThat(query(node, "SELECT count(*) FROM pg_file_settings WHERE name LIKE 'hnsw.%'"))
                    .isEqualTo("0");
        }
    }

    @Test
    @DisplayName("bench with a synthetic dataset: stock, cluster and a low ef_search; leaves the cluster as it was")
    void syntheticBench() throws Exception {
        String before = state();
        Path json = dir.resolve("synthetic.json");
        CliRun run = CliRun.of(args(
                "bench",
                "--rows",
                "3000",
                "--dimension",
                "16",
                "--channels",
                "10",
                "--centers",
                "30",
                "--queries",
                "20",
                "--warmup",
                "0.2",
                "--duration",
                "0.5",
                "--config",
                "stock",
                "--config",
                "cluster",
                "--config",
                "low:shards=4,hnsw.ef_search=1,hnsw.iterative_scan=off",
                "--table-prefix",
                "synth",
                "--json",
                json.toString()));
        assertThat(run.exitCode()).as(run.toString()).isZero();
        JsonNode report = new ObjectMapper().readTree(json.toFile());
        assertThat(report.path("results")).hasSize(6);
        for (JsonNode result : report.path("results")) {
            double recall = result.path("recall_at_k").asDouble();
            if (result.path("config").asText().equals("low")) {
                // One candidate per shard search: the setting reached every worker.
                assertThat(recall).as(result.toString()).isLessThan(0.7);
            } else if (result.path("mode").asText().equals("fan-out")) {
                assertThat(recall).as(result.toString()).isGreaterThanOrEqualTo(0.9);
            }
        }
        assertThat(state()).isEqualTo(before);
    }

    @Test
    @DisplayName("bench --table: the user's table measured against exact neighbors on the cluster, never written")
    void tableBench() throws Exception {
        String before = state();
        Path json = dir.resolve("table.json");
        CliRun run = CliRun.of(args(
                "bench",
                "--table",
                "docs",
                "--column",
                "emb",
                "--queries",
                "30",
                "--warmup",
                "0.2",
                "--duration",
                "0.5",
                "--config",
                "cluster",
                "--config",
                "exactish:hnsw.ef_search=400",
                "--config",
                "one:hnsw.ef_search=1,hnsw.iterative_scan=off",
                "--json",
                json.toString()));
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out())
                .contains("docs.emb (vector_l2_ops, index docs_emb)")
                .contains("4000 rows, 4 shards");
        assertThat(run.err()).contains("exact neighbors of 30 fan-out queries");
        JsonNode report = new ObjectMapper().readTree(json.toFile());
        assertThat(report.path("table").path("filter_column").asText()).isEqualTo("tenant");
        assertThat(report.path("results")).hasSize(6);
        for (JsonNode result : report.path("results")) {
            double recall = result.path("recall_at_k").asDouble();
            switch (result.path("config").asText()) {
                case "exactish" -> assertThat(recall).as(result.toString()).isGreaterThanOrEqualTo(0.99);
                // One candidate per shard search cannot find ten neighbors: the setting reached every worker. A
                // router query on a 1000-row shard is sometimes planned as a scan of the tenant's rows instead.
                case "one" ->
                    assertThat(recall)
                            .as(result.toString())
                            .isLessThan(result.path("mode").asText().equals("fan-out") ? 0.5 : 0.9);
                default -> assertThat(result.path("qps").asDouble()).isPositive();
            }
        }
        assertThat(state()).isEqualTo(before);
    }

    @Test
    @DisplayName("tune: finds values reaching the target, prints the chart's --set lines, writes a values file")
    void tune() throws Exception {
        String before = state();
        Path output = dir.resolve("tuned.yaml");
        CliRun run = CliRun.of(args(
                "tune",
                "--table",
                "docs",
                "--column",
                "emb",
                "-k",
                "10",
                "--recall",
                "0.95",
                "--queries",
                "30",
                "--warmup",
                "0.1",
                "--duration",
                "0.3",
                "--output",
                output.toString()));
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out())
                .contains("router    cluster's")
                .contains("fan-out   cluster's")
                .contains("The chart carries it with:")
                .containsPattern("--set vector.hnswEfSearch=\\d+ --set vector.hnswIterativeScan=(off|relaxed_order)");
        assertThat(run.err()).contains("exact neighbors, fan-out, 30/30");
        JsonNode values = new ObjectMapper(new YAMLFactory()).readTree(output.toFile());
        int efSearch = values.path("vector").path("hnswEfSearch").asInt();
        String iterativeScan = values.path("vector").path("hnswIterativeScan").asText();
        assertThat(efSearch).isBetween(1, 1000);
        assertThat(run.out()).contains("--set vector.hnswEfSearch=" + efSearch);

        // The printed values, measured by bench on the same table, reach the target too.
        Path json = dir.resolve("check.json");
        CliRun check = CliRun.of(args(
                "bench",
                "--table",
                "docs",
                "--column",
                "emb",
                "--queries",
                "60",
                "--warmup",
                "0.1",
                "--duration",
                "0.3",
                "--config",
                "tuned:hnsw.ef_search=" + efSearch + ",hnsw.iterative_scan=" + iterativeScan,
                "--json",
                json.toString()));
        assertThat(check.exitCode()).as(check.toString()).isZero();
        for (JsonNode result : new ObjectMapper().readTree(json.toFile()).path("results")) {
            assertThat(result.path("recall_at_k").asDouble())
                    .as(result.toString())
                    .isGreaterThanOrEqualTo(0.9);
        }
        CliRun again = CliRun.of(args("tune", "--table", "docs", "--column", "emb", "--output", output.toString()));
        assertThat(again.exitCode()).as(again.toString()).isEqualTo(3);
        assertThat(again.err()).contains("--output " + output + " exists");
        assertThat(state()).isEqualTo(before);
    }

    @Test
    @DisplayName("tune: every bad input gets one line and exit 3 (4 for the environment); nothing changes")
    void badTuneInput() throws Exception {
        String before = state();
        Path wrong = write("wrong", "not-the-password\n");
        record Case(int exit, String message, List<String> args) {}
        List<String> plain = new ArrayList<>(connection());
        List<String> wrongPassword = new ArrayList<>(connection());
        wrongPassword.set(wrongPassword.size() - 1, wrong.toString());
        List<String> unreachable = new ArrayList<>(connection());
        unreachable.set(3, Integer.toString(LocalPostgres.freePort()));
        List<Case> cases = List.of(
                new Case(3, "--table nosuch: no such table", with(plain, "--table", "nosuch", "--column", "emb")),
                new Case(3, "table docs has no such column", with(plain, "--table", "docs", "--column", "nosuch")),
                new Case(
                        3,
                        "docs.tenant is integer, not a vector column",
                        with(plain, "--table", "docs", "--column", "tenant")),
                new Case(3, "has no valid HNSW index", with(plain, "--table", "unindexed", "--column", "emb")),
                new Case(3, "--table empty has no rows", with(plain, "--table", "empty", "--column", "emb")),
                new Case(
                        3,
                        "-k must be at least 1, got 0",
                        with(plain, "--table", "docs", "--column", "emb", "-k", "0")),
                new Case(
                        3,
                        "-k 6 is larger than the 5 rows of small",
                        with(plain, "--table", "small", "--column", "emb", "-k", "6")),
                new Case(
                        3,
                        "--recall must be above 0 and at most 1",
                        with(plain, "--table", "docs", "--column", "emb", "--recall", "1.5")),
                new Case(
                        3,
                        "--distribution-column nosuch: table docs has no such column",
                        with(plain, "--table", "docs", "--column", "emb", "--distribution-column", "nosuch")),
                new Case(4, "cannot connect", with(unreachable, "--table", "docs", "--column", "emb")),
                new Case(
                        4,
                        "password authentication failed",
                        with(wrongPassword, "--table", "docs", "--column", "emb")));
        for (Case c : cases) {
            List<String> arguments = new ArrayList<>(List.of("tune"));
            arguments.addAll(c.args());
            CliRun run = CliRun.of(arguments.toArray(String[]::new));
            assertThat(run.exitCode()).as(run.toString()).isEqualTo(c.exit());
            assertThat(run.err().lines().toList())
                    .as(run.toString())
                    .hasSize(1)
                    .first()
                    .asString()
                    .startsWith("error: ")
                    .contains(c.message())
                    .doesNotContain("not-the-password")
                    .doesNotContain("Exception");
            assertThat(run.out()).isEmpty();
        }
        assertThat(state()).isEqualTo(before);
    }

    private static List<String> with(List<String> connection, String... more) {
        List<String> all = new ArrayList<>(connection);
        Collections.addAll(all, more);
        return all;
    }

    @Test
    @DisplayName("bench: a misspelled setting and an impossible dimension exit 3 at once; a remote cluster needs --yes")
    void badBenchInput() {
        String before = state();
        CliRun misspelled = CliRun.of(args("bench", "--config", "x:hsnw.ef_search=10"));
        assertThat(misspelled.exitCode()).as(misspelled.toString()).isEqualTo(3);
        assertThat(misspelled.err())
                .contains("configuration x: the coordinator has no setting \"hsnw.ef_search\"")
                .contains("did you mean hnsw.ef_search?");
        CliRun badValue = CliRun.of(args("bench", "--config", "x:hnsw.iterative_scan=sideways"));
        assertThat(badValue.exitCode()).as(badValue.toString()).isEqualTo(3);
        assertThat(badValue.err()).contains("configuration x: hnsw.iterative_scan=sideways: invalid value");
        CliRun serverOnly = CliRun.of(args("bench", "--config", "x:shared_buffers=1GB"));
        assertThat(serverOnly.exitCode()).as(serverOnly.toString()).isEqualTo(3);
        assertThat(serverOnly.err()).contains("shared_buffers can only be changed in the servers' configuration");

        long start = System.nanoTime();
        CliRun dimension = CliRun.of("bench", "-h", "127.0.0.1", "-p", "1", "--dimension", "100000");
        assertThat(dimension.exitCode()).as(dimension.toString()).isEqualTo(3);
        assertThat(dimension.err()).contains("the dimension must be at most 2000");
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(10));

        // Refused before any connection is tried: the .invalid domain never resolves.
        CliRun remote = CliRun.of("bench", "-h", "db.example.invalid", "-U", "postgres");
        assertThat(remote.exitCode()).as(remote.toString()).isEqualTo(3);
        assertThat(remote.err()).contains("which is not on this machine: add --yes to go ahead");
        assertThat(state()).isEqualTo(before);
    }

    /** A command line running in a JVM of its own, its standard error going to a file. */
    private record Child(Process process, Path stderrFile) {
        List<String> stderr() {
            try {
                return Files.readAllLines(stderrFile);
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Waits for the end of the process. */
        void await() throws InterruptedException {
            assertThat(process.waitFor(90, TimeUnit.SECONDS)).isTrue();
        }
    }

    /** The command line in a JVM of its own, as a user runs it, so that it can be killed. */
    private static Child startBench(String prefix) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "io.citus.pgvector.cli.Main"));
        command.addAll(List.of(args(
                "bench",
                "--rows",
                "20000",
                "--dimension",
                "32",
                "--queries",
                "20",
                "--warmup",
                "1",
                "--duration",
                "120",
                "--config",
                "a:shards=4,hnsw.ef_search=20",
                "--config",
                "b:shards=2",
                "--table-prefix",
                prefix)));
        Path stderr = dir.resolve(prefix + ".stderr");
        Process process = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(stderr.toFile())
                .start();
        return new Child(process, stderr);
    }

    /** Waits until the run measures (its tables exist) and returns the tables it made. */
    private static List<String> awaitMeasuring(Child child, String prefix) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
        while (child.stderr().stream().noneMatch(l -> l.contains("clients,"))) {
            assertThat(child.process().isAlive())
                    .as(String.join("\n", child.stderr()))
                    .isTrue();
            assertThat(System.nanoTime()).as(String.join("\n", child.stderr())).isLessThan(deadline);
            Thread.sleep(200);
        }
        String tables = query(
                cluster.coordinator(),
                "SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class WHERE relname LIKE '" + prefix
                        + "%' AND relkind = 'r'");
        assertThat(tables).isEqualTo(prefix + "_4," + prefix + "_queries");
        return List.of(tables.split(","));
    }

    @Test
    @DisplayName("bench killed with SIGTERM mid-run drops its tables and leaves every setting as it was")
    void sigterm() throws Exception {
        String before = state();
        Child child = startBench("term");
        Process process = child.process();
        try {
            awaitMeasuring(child, "term");
            process.destroy();
            child.await();
        } finally {
            process.destroyForcibly();
        }
        List<String> stderr = child.stderr();
        assertThat(process.exitValue()).as(String.join("\n", stderr)).isEqualTo(143);
        assertThat(stderr).anyMatch(l -> l.contains("-- stopping: cancelling the running statements"));
        assertThat(stderr).anyMatch(l -> l.contains("-- dropping the tables: term_queries, term_4"));
        assertThat(state()).isEqualTo(before);
    }

    @Test
    @DisplayName("bench killed with kill -9 leaves marked tables that bench --restore drops, and only those")
    void restoreAfterKill() throws Exception {
        sql("CREATE TABLE unrelated_killed (id int)");
        String before = state();
        Child child = startBench("killed");
        Process process = child.process();
        try {
            awaitMeasuring(child, "killed");
            process.destroyForcibly();
            child.await();
        } finally {
            process.destroyForcibly();
        }
        assertThat(query(
                        cluster.coordinator(),
                        "SELECT count(*) FROM pg_class WHERE relname LIKE 'killed\\_%' AND relkind = 'r'"))
                .as("the kill left the run's tables")
                .isEqualTo("2");
        assertThat(query(cluster.coordinator(), "SELECT obj_description('killed_4'::regclass, 'pg_class')"))
                .startsWith("citus-pgvector bench run ");
        // The killed client's session ends once its server process notices the closed connection.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!query(
                        cluster.coordinator(),
                        "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'citus-pgvector'")
                .equals("0")) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(200);
        }
        CliRun restore = CliRun.of(args("bench", "--restore"));
        assertThat(restore.exitCode()).as(restore.toString()).isZero();
        assertThat(restore.out())
                .contains("killed_4: dropped (left by an interrupted run)")
                .contains("killed_queries: dropped (left by an interrupted run)")
                .doesNotContain("unrelated");
        assertThat(state()).isEqualTo(before);
        assertThat(CliRun.of(args("bench", "--restore")).out()).contains("no tables of bench on the cluster");
        sql("DROP TABLE unrelated_killed");
    }

    @Test
    @DisplayName("bench --keep marks its tables kept: --restore leaves them, a later run reuses them")
    void keptTables() throws Exception {
        String before = state();
        String[] run = args(
                "bench",
                "--rows",
                "500",
                "--dimension",
                "8",
                "--channels",
                "5",
                "--centers",
                "10",
                "--queries",
                "5",
                "--warmup",
                "0",
                "--duration",
                "0.2",
                "--mode",
                "fan-out",
                "--config",
                "c:shards=2",
                "--table-prefix",
                "kept",
                "--keep");
        CliRun first = CliRun.of(run);
        assertThat(first.exitCode()).as(first.toString()).isZero();
        CliRun restore = CliRun.of(args("bench", "--restore"));
        assertThat(restore.out()).contains("kept_2: kept by --keep, left alone");
        CliRun second = CliRun.of(run);
        assertThat(second.exitCode()).as(second.toString()).isZero();
        assertThat(second.err()).contains("-- reusing kept_2");
        sql("DROP TABLE kept_2, kept_queries");
        assertThat(state()).isEqualTo(before);
    }
}
