package io.citus.pgvector.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.citus.pgvector.chart.Charts;
import io.citus.pgvector.render.RenderedChart;
import io.citus.pgvector.testing.LocalCitusCluster;
import io.citus.pgvector.testing.LocalPostgres;
import io.citus.pgvector.testing.ProjectFiles;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's prometheus-postgres-exporter run as the chart's sidecar runs it (the query file and the connection
 * settings taken from a render of the chart) against a local Citus coordinator and two workers with a distributed
 * HNSW-indexed table: every metric of the query file comes back with its labels, with the values the cluster has, and
 * the dashboard asks only for metrics the exporter produced. The local servers run without TLS, so sslmode is the one
 * setting changed from the render.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ExporterWithCitusTest {

    static final Path EXPORTER =
            Path.of(System.getProperty("postgres.exporter", "/usr/bin/prometheus-postgres-exporter"));

    @TempDir
    Path dir;

    @Test
    @DisplayName("the exporter with the chart's queries returns every metric, labelled, on the coordinator and a"
            + " worker")
    void everyMetricWithItsLabels() throws Exception {
        Optional<String> citus = LocalPostgres.citusUnavailableReason();
        Assumptions.assumeTrue(citus.isEmpty(), () -> citus.orElse(""));
        Assumptions.assumeTrue(
                Files.isExecutable(EXPORTER),
                "no postgres_exporter: " + EXPORTER
                        + " is missing (apt-get install prometheus-postgres-exporter, or -Dpostgres.exporter=PATH)");
        RenderedChart chart = Charts.render(
                ProjectFiles.committedChart(),
                Map.of("metrics.enabled", "true", "networkPolicy.metricsNamespaces[0]", "monitoring"));
        Path queries = Files.writeString(
                dir.resolve("queries.yaml"),
                chart.named("ConfigMap", "citus-metrics")
                        .at("/data/queries.yaml")
                        .asText());
        JsonNode sidecar = MetricsFiles.exporterSidecar(chart);
        String uri = Charts.env(sidecar, "DATA_SOURCE_URI");
        assertThat(uri).startsWith("localhost:5432/postgres?sslmode=require&");
        QueryFile file = QueryFile.read(queries);

        try (LocalCitusCluster cluster = LocalCitusCluster.start(dir, 2, "pw-metrics", true)) {
            try (Connection c = cluster.coordinator().connect(LocalCitusCluster.DATABASE);
                    Statement s = c.createStatement()) {
                s.execute("SET citus.shard_count = 4");
                s.execute("CREATE TABLE items (channel bigint, id bigint, embedding vector(3),"
                        + " PRIMARY KEY (channel, id))");
                s.execute("SELECT create_distributed_table('items', 'channel')");
                s.execute("INSERT INTO items SELECT i % 10, i, ARRAY[i, i * 2, i * 3]::vector"
                        + " FROM generate_series(1, 500) i");
                s.execute("CREATE INDEX items_embedding ON items USING hnsw (embedding vector_l2_ops)");
            }
            Map<String, String> env = Map.of(
                    "DATA_SOURCE_URI",
                    uri.replace(
                                    "localhost:5432",
                                    "127.0.0.1:" + cluster.coordinator().port())
                            .replace("sslmode=require", "sslmode=disable"),
                    "DATA_SOURCE_USER",
                    LocalPostgres.SUPERUSER,
                    "DATA_SOURCE_PASS",
                    cluster.password(),
                    MetricsFiles.QUERY_PATH_ENV,
                    queries.toString());
            List<Sample> coordinator = scrape(env);
            List<Sample> worker = scrape(Map.of(
                    "DATA_SOURCE_URI",
                    env.get("DATA_SOURCE_URI")
                            .replace(
                                    ":" + cluster.coordinator().port() + "/",
                                    ":" + cluster.workers().get(0).port() + "/"),
                    "DATA_SOURCE_USER",
                    LocalPostgres.SUPERUSER,
                    "DATA_SOURCE_PASS",
                    cluster.password(),
                    MetricsFiles.QUERY_PATH_ENV,
                    queries.toString()));

            for (QueryFile.Metric metric : file.metrics()) {
                assertThat(coordinator)
                        .as("coordinator metric %s", metric.name())
                        .anySatisfy(sample -> {
                            assertThat(sample.name()).isEqualTo(metric.name());
                            assertThat(sample.labels().keySet())
                                    .containsExactlyInAnyOrderElementsOf(withServer(metric.labels()));
                        });
            }
            for (QueryFile.Metric metric : file.metrics()) {
                boolean clusterWide = metric.query().equals("citus_pgvector_workers")
                        || metric.query().equals("citus_pgvector_placements")
                        || metric.query().equals("citus_pgvector_secondaries")
                        || metric.query().equals("citus_pgvector_background_tasks")
                        || metric.query().equals("citus_pgvector_shard_splits")
                        || metric.query().equals("citus_pgvector_restore_points");
                assertThat(worker.stream().anyMatch(sample -> sample.name().equals(metric.name())))
                        .as("worker metric %s (cluster-wide ones come from the coordinator only)", metric.name())
                        .isEqualTo(!clusterWide);
            }

            assertThat(value(coordinator, "citus_pgvector_workers_count", Map.of("state", "active")))
                    .isEqualTo(2);
            assertThat(value(coordinator, "citus_pgvector_workers_count", Map.of("state", "inactive")))
                    .isEqualTo(0);
            double placements = coordinator.stream()
                    .filter(sample -> sample.name().equals("citus_pgvector_placements_shards"))
                    .mapToDouble(Sample::value)
                    .sum();
            assertThat(placements).isEqualTo(4);
            // One series per worker; this cluster has no standbys, so no secondaries.
            assertThat(coordinator.stream()
                            .filter(sample -> sample.name().equals("citus_pgvector_secondaries_secondaries"))
                            .mapToDouble(Sample::value)
                            .boxed()
                            .toList())
                    .containsExactly(0.0, 0.0);
            assertThat(value(coordinator, "citus_pgvector_node_group_id", Map.of()))
                    .isEqualTo(0);
            assertThat(value(worker, "citus_pgvector_node_group_id", Map.of())).isPositive();
            assertThat(value(worker, "citus_pgvector_node_vector_installed", Map.of()))
                    .isEqualTo(1);
            assertThat(value(coordinator, "citus_pgvector_background_tasks_count", Map.of("status", "error")))
                    .isEqualTo(0);
            assertThat(value(worker, "citus_pgvector_vector_indexes_count", Map.of("index", "items_embedding")))
                    .as("a worker's shard indexes counted under the distributed index's name (plus its own)")
                    .isGreaterThanOrEqualTo(2);
            assertThat(value(worker, "citus_pgvector_vector_indexes_bytes", Map.of("index", "items_embedding")))
                    .isPositive();
            assertThat(value(coordinator, "citus_pgvector_connections_pool_limit", Map.of()))
                    .isPositive();
            assertThat(value(coordinator, "pg_up", Map.of())).isEqualTo(1);

            Set<String> produced = new TreeSet<>();
            coordinator.forEach(sample -> produced.add(sample.name()));
            worker.forEach(sample -> produced.add(sample.name()));
            assertThat(MetricsFiles.dashboardMetrics(chart))
                    .as("metrics the dashboard queries")
                    .isNotEmpty()
                    .isSubsetOf(produced);
        }
    }

    private static Set<String> withServer(Set<String> labels) {
        Set<String> all = new TreeSet<>(labels);
        all.add("server");
        return all;
    }

    private static double value(List<Sample> samples, String name, Map<String, String> labels) {
        return samples.stream()
                .filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet()))
                .mapToDouble(Sample::value)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " " + labels + " in " + samples));
    }

    /** Starts the exporter on a free loopback port, scrapes it once it reaches PostgreSQL, and stops it. */
    private List<Sample> scrape(Map<String, String> env) throws IOException, InterruptedException {
        int port = LocalPostgres.freePort();
        Path log = Files.createTempFile(dir, "exporter", ".log");
        ProcessBuilder builder = new ProcessBuilder(EXPORTER.toString(), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("PG") || k.startsWith("DATA_SOURCE"));
        builder.environment().putAll(env);
        Process exporter = builder.start();
        try {
            HttpClient http = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(2))
                    .build();
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .timeout(Duration.ofSeconds(20))
                    .build();
            Instant deadline = Instant.now().plusSeconds(30);
            String last = "";
            while (Instant.now().isBefore(deadline)) {
                try {
                    last = http.send(request, HttpResponse.BodyHandlers.ofString())
                            .body();
                    List<Sample> samples = Sample.parse(last);
                    if (samples.stream().anyMatch(s -> s.name().equals("pg_up") && s.value() == 1)
                            && samples.stream().anyMatch(s -> s.name().startsWith("citus_pgvector_"))) {
                        return samples;
                    }
                } catch (IOException e) {
                    last = e.toString();
                }
                Thread.sleep(300);
            }
            throw new AssertionError("the exporter produced no Citus metrics within 30 s; last answer:\n" + last
                    + "\nlog:\n" + Files.readString(log));
        } finally {
            exporter.destroy();
            if (!exporter.waitFor(10, TimeUnit.SECONDS)) {
                exporter.destroyForcibly();
            }
        }
    }
}
