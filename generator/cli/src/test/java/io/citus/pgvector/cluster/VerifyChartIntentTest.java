package io.citus.pgvector.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.citus.pgvector.cli.CliRun;
import io.citus.pgvector.render.RenderedChart;
import io.citus.pgvector.testing.LocalCitusCluster;
import io.citus.pgvector.testing.LocalPostgres;
import io.citus.pgvector.testing.ProjectFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
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
 * {@code verify -f VALUES} against a real coordinator and two workers on 127.0.0.1 that run exactly what the chart
 * renders for those values, as Patroni would set them up: every parameter of the node's {@code postgresql} resource in
 * its configuration, and {@code cluster_name} set to the resource's name (Patroni's scope, which the operator sets to
 * the cluster name). Spilo's libraries and socket folder do not exist here: the values file sets them to what these
 * servers have, through {@code postgresql.parameters}, as a user could.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayName("verify -f: a running cluster against what the chart renders")
class VerifyChartIntentTest {

    private static final String PASSWORD = "verify-intent-pw";

    @TempDir
    static Path dir;

    static LocalCitusCluster cluster;
    static Path passwordFile;
    static Path values;
    static ChartIntent intent;

    @BeforeAll
    static void startCluster() throws Exception {
        Optional<String> unavailable = LocalPostgres.citusUnavailableReason();
        Assumptions.assumeTrue(unavailable.isEmpty(), () -> unavailable.orElse(""));
        cluster = LocalCitusCluster.start(dir, 2, PASSWORD, true);
        passwordFile = Files.writeString(dir.resolve("password"), PASSWORD + "\n");
        values = Files.writeString(dir.resolve("local.yaml"), """
                postgresql:
                  parameters:
                    shared_preload_libraries: citus
                    citus.local_hostname: localhost
                """);
        intent = ChartIntent.of(RenderedChart.render(
                ProjectFiles.committedChart(),
                "citus",
                List.of(ProjectFiles.root().resolve("values/default.yaml"), values),
                Map.of()));
        assertThat(intent.workers()).hasSize(2);
        runAsPatroni(cluster.coordinator(), intent.coordinator());
        for (int i = 0; i < 2; i++) {
            runAsPatroni(cluster.workers().get(i), intent.workers().get(i));
        }
    }

    /**
     * The node's parameters and its cluster_name, then a restart (some need one). The local servers keep their own
     * baseline in postgresql.auto.conf, which wins over postgresql.conf: ALTER SYSTEM replaces those lines, so the node
     * ends up with exactly the chart's values.
     */
    private static void runAsPatroni(LocalPostgres node, ChartIntent.Node resource) throws SQLException {
        Map<String, String> settings = new LinkedHashMap<>(resource.parameters());
        settings.put("cluster_name", resource.name());
        set(node, settings);
        node.restart();
    }

    /** ALTER SYSTEM in a session that has loaded pgvector, which only then accepts its hnsw.* settings. */
    private static void set(LocalPostgres node, Map<String, String> settings) throws SQLException {
        try (Connection c = node.connect(LocalCitusCluster.DATABASE);
                Statement s = c.createStatement()) {
            s.execute("LOAD 'vector'");
            for (Map.Entry<String, String> setting : settings.entrySet()) {
                s.execute("ALTER SYSTEM SET \"" + setting.getKey() + "\" = '"
                        + setting.getValue().replace("'", "''") + "'");
            }
        }
    }

    private static void setAndReload(LocalPostgres node, String name, String value) throws SQLException {
        set(node, Map.of(name, value));
        cluster.sql(node, "SELECT pg_reload_conf()");
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String[] args(String... more) {
        return Stream.concat(
                        Stream.of(
                                "verify",
                                "-h",
                                LocalCitusCluster.HOST,
                                "-p",
                                Integer.toString(cluster.coordinator().port()),
                                "-U",
                                "postgres",
                                "-d",
                                "postgres",
                                "--password-file",
                                passwordFile.toString(),
                                "--chart",
                                ProjectFiles.committedChart().toString(),
                                "-f",
                                ProjectFiles.root()
                                        .resolve("values/default.yaml")
                                        .toString(),
                                "-f",
                                values.toString()),
                        Stream.of(more))
                .toArray(String[]::new);
    }

    private static CliRun verify(String... more) {
        return CliRun.of(args(more));
    }

    /**
     * Sets one setting on one node, expects verify to fail and returns its report, then puts the chart's value back
     * and expects verify to pass again.
     */
    private static CliRun unhealthyWhile(LocalPostgres node, String setting, String value, String chartValue)
            throws Exception {
        setAndReload(node, setting, value);
        CliRun run;
        try {
            run = CliRun.until(r -> r.exitCode() == 1, args());
            assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        } finally {
            setAndReload(node, setting, chartValue);
        }
        assertThat(CliRun.until(r -> r.exitCode() == 0, args()).exitCode()).isZero();
        return run;
    }

    @Test
    @Order(1)
    @DisplayName("a cluster that runs what the chart renders is healthy: its workers by name, every setting on every"
            + " node, the image's Citus version")
    void matching() throws Exception {
        CliRun run = verify();
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out())
                .contains("citus-worker-1")
                .contains("citus-worker-2")
                .containsPattern("OK +chart settings +\\d+ settings as the chart renders them on citus-coordinator,"
                        + " citus-worker-1, citus-worker-2")
                .contains("healthy");
    }

    @Test
    @Order(2)
    @DisplayName("one worker with another hnsw.ef_search: unhealthy, naming the setting and the worker")
    void workerWithOtherEfSearch() throws Exception {
        LocalPostgres worker = cluster.workers().get(1);
        String chartValue = intent.workers().get(1).parameters().get("hnsw.ef_search");
        CliRun run = unhealthyWhile(worker, "hnsw.ef_search", "64", chartValue);
        assertThat(run.out())
                .containsPattern("FAIL +chart settings")
                .contains("citus-worker-2 (" + LocalCitusCluster.HOST + ":" + worker.port()
                        + "): hnsw.ef_search = 64, the chart sets " + chartValue)
                .doesNotContainPattern("citus-worker-1 \\([^)]*\\): ");
    }

    @Test
    @Order(3)
    @DisplayName("a coordinator whose citus.shard_count differs from the chart's: unhealthy, naming it")
    void coordinatorWithOtherShardCount() throws Exception {
        String chartValue = intent.coordinator().parameters().get("citus.shard_count");
        CliRun run = unhealthyWhile(cluster.coordinator(), "citus.shard_count", "7", chartValue);
        assertThat(run.out()).contains("citus-coordinator: citus.shard_count = 7, the chart sets " + chartValue);
    }

    @Test
    @Order(4)
    @DisplayName("values with a third worker: unhealthy, naming the worker the cluster lacks")
    void missingWorker() {
        CliRun run = verify("--set", "workers.count=3");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.out()).contains("citus-worker-3: not an active worker").contains("2 active workers, expected 3");
    }

    @Test
    @Order(5)
    @DisplayName("another release name: the nodes are not the chart's")
    void otherRelease() {
        CliRun run = verify("--release", "other");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.out()).contains("coordinator is cluster citus-coordinator, the chart's is other-coordinator");
    }

    @Test
    @Order(6)
    @DisplayName("values the chart refuses: exit 3 with Helm's message, nothing checked")
    void badValues() {
        CliRun run = verify("--set", "workers.count=0");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(3);
        assertThat(run.err()).contains("/workers/count").doesNotContain("healthy");
    }
}
