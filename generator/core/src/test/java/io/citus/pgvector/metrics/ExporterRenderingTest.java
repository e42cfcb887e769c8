package io.citus.pgvector.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.citus.pgvector.chart.Charts;
import io.citus.pgvector.testing.ProjectFiles;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The exporter sidecar as rendered, against postgres_exporter's code: before v0.17.0 its default stat_bgwriter
 * collector selects columns PostgreSQL 17 moved to pg_stat_checkpointer; its stat_user_tables and statio_user_tables
 * collectors (on by default) see every shard through the DSN's citus.override_table_visibility=off. No exporter of
 * those releases runs here (ExporterWithCitusTest runs Debian's 0.11 with the chart's queries).
 */
@DisplayName("the exporter sidecar")
class ExporterRenderingTest {

    private static JsonNode exporter() throws Exception {
        JsonNode coordinator = Charts.render(
                        ProjectFiles.committedChart(),
                        Map.of("metrics.enabled", "true", "networkPolicy.metricsNamespaces[0]", "monitoring"))
                .named("postgresql", "citus-coordinator");
        return Charts.sidecar(coordinator, "postgres-exporter");
    }

    @Test
    @DisplayName("runs a release whose stat_bgwriter collector knows PostgreSQL 17 (v0.17.0 or later)")
    void releaseForPostgres17() throws Exception {
        String image = exporter().path("image").asText();
        Matcher version = Pattern.compile(":v(\\d+)\\.(\\d+)\\.(\\d+)$").matcher(image);
        assertThat(version.find()).as("a release tag in %s", image).isTrue();
        int major = Integer.parseInt(version.group(1));
        int minor = Integer.parseInt(version.group(2));
        assertThat(major > 0 || minor >= 17).as("%s is v0.17.0 or later", image).isTrue();
    }

    @Test
    @DisplayName("runs the image's entrypoint with the per-table collectors off, and the password only in its"
            + " environment")
    void perTableCollectorsOff() throws Exception {
        JsonNode exporter = exporter();
        List<String> command = new ArrayList<>();
        exporter.path("command").forEach(part -> command.add(part.asText()));
        assertThat(command)
                .containsExactly(
                        "/bin/postgres_exporter",
                        "--no-collector.stat_user_tables",
                        "--no-collector.statio_user_tables");
        assertThat(Charts.env(exporter, "DATA_SOURCE_URI"))
                .contains("citus.override_table_visibility=off")
                .doesNotContain("password")
                .doesNotContain("@");
        assertThat(Charts.env(exporter, "DATA_SOURCE_PASS")).isEqualTo("$(POSTGRES_PASSWORD)");
    }
}
