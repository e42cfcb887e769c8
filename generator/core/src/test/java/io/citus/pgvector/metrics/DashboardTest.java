package io.citus.pgvector.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.citus.pgvector.chart.Charts;
import io.citus.pgvector.render.RenderedChart;
import io.citus.pgvector.testing.ProjectFiles;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard as the chart ships it: valid JSON, every panel with a query, and every query on metrics of the
 * chart's exporter queries (ExporterWithCitusTest checks the same against what the real exporter returns).
 */
class DashboardTest {

    @Test
    @DisplayName("the dashboard parses and queries only metrics of the chart's query file and the exporter's pg_up")
    void queriesOnlyExporterMetrics() throws Exception {
        RenderedChart chart = Charts.render(
                ProjectFiles.committedChart(),
                Map.of("metrics.enabled", "true", "networkPolicy.metricsNamespaces[0]", "monitoring"));
        JsonNode dashboard = MetricsFiles.dashboard(chart);
        assertThat(dashboard.path("uid").asText()).isEqualTo("citus-pgvector");
        assertThat(dashboard.path("panels"))
                .isNotEmpty()
                .allSatisfy(panel -> assertThat(panel.path("targets"))
                        .as(panel.path("title").asText())
                        .isNotEmpty());
        Path queries = ProjectFiles.committedChart().resolve("files/metrics/queries.yaml");
        Set<String> exported = new TreeSet<>(QueryFile.read(queries).names());
        exported.add("pg_up");
        Set<String> used = MetricsFiles.dashboardMetrics(chart);
        assertThat(used)
                .contains(
                        "citus_pgvector_workers_count",
                        "citus_pgvector_vector_indexes_bytes",
                        "citus_pgvector_replication_lag_seconds",
                        "citus_pgvector_connections_open")
                .isSubsetOf(exported);
        RenderedChart off = Charts.render(
                ProjectFiles.committedChart(),
                Map.of(
                        "metrics.enabled",
                        "true",
                        "metrics.dashboard.enabled",
                        "false",
                        "networkPolicy.metricsNamespaces[0]",
                        "monitoring"));
        assertThat(off.ofKind("ConfigMap"))
                .extracting(c -> c.at("/metadata/name").asText())
                .doesNotContain("citus-dashboard");
    }

    @Test
    @DisplayName("metric names are read out of PromQL and Grafana variable queries")
    void metricNamesOfQueries() {
        assertThat(MetricsFiles.metricNames("max by (node, port) (a_metric{namespace=\"$namespace\", x=~\"a|b\"})"
                        + " / on(node) group_left b_metric + 100 * sum(rate(c_total[5m])) > bool 0"))
                .containsExactlyInAnyOrder("a_metric", "b_metric", "c_total");
        assertThat(MetricsFiles.metricNames("label_values(d_metric{namespace=\"$namespace\"}, cluster_name)"))
                .containsExactly("d_metric");
    }
}
