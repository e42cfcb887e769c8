package io.citus.pgvector.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.citus.pgvector.helm.HelmException;
import io.citus.pgvector.model.Values;
import io.citus.pgvector.render.RenderedChart;
import io.citus.pgvector.testing.ProjectFiles;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The operator names its TLS volumes after tls.secretName and tls.caSecretName and adds them without checking names, so
 * the generator and the chart refuse those names when a pod already has a volume of that name. Both lists (the
 * generator's Values.Tls.POD_VOLUME_NAMES, the chart's citus-pgvector.podVolumeNames) must hold every volume the chart
 * renders.
 */
@DisplayName("the pods' volume names the TLS Secrets may not take")
class PodVolumeNamesTest {

    @Test
    @DisplayName("cover every additional volume of a render with every volume-bearing feature on")
    void coverEveryRenderedVolume() throws HelmException {
        RenderedChart chart = Charts.render(
                ProjectFiles.committedChart(),
                Map.ofEntries(
                        Map.entry("metrics.enabled", "true"),
                        Map.entry("networkPolicy.metricsNamespaces[0]", "monitoring"),
                        Map.entry("tls.secretName", "server"),
                        Map.entry("tls.caFile", "ca.crt"),
                        Map.entry("applicationRoles[0].name", "app"),
                        Map.entry("backup.wal.enabled", "true"),
                        Map.entry("backup.wal.provider", "gcs"),
                        Map.entry("backup.wal.bucket", "backups"),
                        Map.entry("backup.wal.credentialsSecret.name", "gcs"),
                        Map.entry("backup.wal.credentialsSecret.serviceAccountKey", "key.json")));
        Set<String> rendered = new TreeSet<>();
        for (JsonNode postgresql : chart.ofKind("postgresql")) {
            postgresql
                    .at("/spec/additionalVolumes")
                    .forEach(v -> rendered.add(v.path("name").asText()));
        }
        assertThat(rendered)
                .contains("citus-worker-registrar", "application-roles", "tls-ca", "postgres-exporter-queries");
        assertThat(Values.Tls.POD_VOLUME_NAMES).containsAll(rendered);
    }

    @Test
    @DisplayName("are the same in the generator and the chart")
    void sameInGeneratorAndChart() {
        assertThatThrownBy(() -> Charts.render(ProjectFiles.committedChart(), Map.of("tls.secretName", "dshm")))
                .isInstanceOf(HelmException.class)
                .hasMessageContaining("already have (the operator names its TLS volume after the Secret): "
                        + String.join(", ", Values.Tls.POD_VOLUME_NAMES) + ", got \"dshm\"");
    }
}
