package io.citus.pgvector.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.citus.pgvector.helm.HelmException;
import io.citus.pgvector.model.InvalidValuesException;
import io.citus.pgvector.model.ValuesLoader;
import io.citus.pgvector.model.ValuesProblem;
import io.citus.pgvector.render.RenderedChart;
import io.citus.pgvector.testing.ProjectFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code restore} block: every cluster rendered as the operator's clone of its source cluster, each at its own
 * node's recovery target of one restore point, and a source that cannot be restored refused with the key named, by
 * the chart (helm install) and by the generator's values check alike. Both operator lines accept the clones
 * ({@link OperatorLinesTest} renders profiles/restore.yaml against each line's CRD).
 */
@DisplayName("restore")
class RestoreRenderingTest {

    private static final Path CHART = ProjectFiles.committedChart();
    static final Path PROFILE = ProjectFiles.root().resolve("generator/core/src/test/resources/profiles/restore.yaml");

    @TempDir
    Path dir;

    private static RenderedChart render(Map<String, String> set) throws HelmException {
        return Charts.render(CHART, set, PROFILE);
    }

    private static JsonNode clone(RenderedChart chart, String cluster) {
        return chart.named("postgresql", cluster).at("/spec/clone");
    }

    private static Map<String, String> env(RenderedChart chart, String cluster) {
        Map<String, String> env = new LinkedHashMap<>();
        chart.named("postgresql", cluster)
                .at("/spec/env")
                .forEach(e -> env.put(
                        e.path("name").asText(),
                        e.has("valueFrom")
                                ? "secret:"
                                        + e.at("/valueFrom/secretKeyRef/name").asText() + "/"
                                        + e.at("/valueFrom/secretKeyRef/key").asText()
                                : e.path("value").asText()));
        return env;
    }

    @Test
    @DisplayName("a time reaches the latest point at or before it; each cluster clones its source to its own target")
    void clonesEveryClusterToItsOwnTarget() throws Exception {
        RenderedChart chart = render(Map.of());
        assertThat(chart.ofKind("postgresql")).hasSize(3);
        JsonNode coordinator = clone(chart, "citus-coordinator");
        assertThat(coordinator.path("cluster").asText()).isEqualTo("citus-coordinator");
        assertThat(coordinator.path("timestamp").asText()).isEqualTo("2026-12-08T01:15:00.412345+00:00");
        assertThat(coordinator.path("uid").asText()).isEqualTo("6b7c2b3e-6a1d-4c7e-9a39-1f2d3c4b5a69");
        assertThat(coordinator.path("s3_wal_path").asText())
                .isEqualTo("s3://backups/citus-pgvector/citus-coordinator/wal/17");
        assertThat(clone(chart, "citus-worker-1").path("timestamp").asText())
                .isEqualTo("2026-12-08T01:15:00.431002+00:00");
        assertThat(clone(chart, "citus-worker-2").path("timestamp").asText())
                .isEqualTo("2026-12-08T01:15:00.433917+00:00");
        assertThat(clone(chart, "citus-worker-2").has("uid")).isFalse();
        // Exclusive target, credentials from the Secret, never literal keys in the resource.
        Map<String, String> env = env(chart, "citus-worker-1");
        assertThat(env)
                .containsEntry("CLONE_TARGET_INCLUSIVE", "")
                .containsEntry("CLONE_AWS_ACCESS_KEY_ID", "secret:wal-creds/AWS_ACCESS_KEY_ID")
                .containsEntry("CLONE_AWS_SECRET_ACCESS_KEY", "secret:wal-creds/AWS_SECRET_ACCESS_KEY")
                .containsEntry("WALG_S3_PREFIX", "s3://backups/restored/citus-worker-1/wal/17");
        assertThat(clone(chart, "citus-worker-1").has("s3_access_key_id")).isFalse();
    }

    @Test
    @DisplayName("by name, and by a time after the second point, the second point's targets")
    void byNameAndByLaterTime() throws Exception {
        String second = "2026-12-08T01:30:00.419871+00:00";
        assertThat(clone(
                                render(Map.of("restore.time", "", "restore.pointName", "citus-20261208T013000Z")),
                                "citus-worker-1")
                        .path("timestamp")
                        .asText())
                .isEqualTo(second);
        assertThat(clone(render(Map.of("restore.time", "2026-12-08T02:31:00+01:00")), "citus-worker-1")
                        .path("timestamp")
                        .asText())
                .as("01:30:00.398 UTC is at or before 02:31 +01:00 (01:31 UTC)")
                .isEqualTo(second);
    }

    @Test
    @DisplayName("off, no resource is a clone and nothing of the restore is rendered")
    void offRendersNoClone() throws Exception {
        RenderedChart chart = render(Map.of("restore.enabled", "false"));
        for (JsonNode resource : chart.ofKind("postgresql")) {
            assertThat(resource.at("/spec/clone").isMissingNode()).isTrue();
            assertThat(resource.at("/spec/env").toString()).doesNotContain("CLONE_");
        }
    }

    @Nested
    @DisplayName("refused, naming the key")
    class Refused {

        private void refused(Map<String, String> set, String... expected) {
            assertThatThrownBy(() -> render(set))
                    .isInstanceOf(HelmException.class)
                    .message()
                    .contains(expected);
        }

        private List<String> generatorProblems(String extraYaml) throws Exception {
            Path extra = Files.writeString(dir.resolve("extra.yaml"), extraYaml);
            try {
                ValuesLoader.load(List.of(PROFILE, extra));
            } catch (InvalidValuesException e) {
                return e.problems().stream().map(ValuesProblem::toString).toList();
            }
            return List.of();
        }

        @Test
        @DisplayName("a worker of the source missing from the point")
        void missingWorker() throws Exception {
            String drop = "restore:\n  points:\n    - name: citus-20261208T011500Z\n      nodes:\n"
                    + "        citus-coordinator: \"2026-12-08T01:15:00.412345+00:00\"\n"
                    + "        citus-worker-1: \"2026-12-08T01:15:00.431002+00:00\"\n";
            Path values = Files.writeString(dir.resolve("drop.yaml"), drop);
            assertThatThrownBy(() -> Charts.render(CHART, Map.of(), PROFILE, values))
                    .isInstanceOf(HelmException.class)
                    .message()
                    .contains("restore.points: restore point citus-20261208T011500Z has no recovery target for"
                            + " citus-worker-2");
            assertThat(generatorProblems(drop))
                    .containsExactly("restore.points[0].nodes: restore point citus-20261208T011500Z has no recovery"
                            + " target for citus-worker-2: the source is incomplete (a cluster of the source missing"
                            + " from the point)");
        }

        @Test
        @DisplayName("a different worker count")
        void differentWorkerCount() throws Exception {
            refused(Map.of("workers.count", "3"), "restore.source.workers: must equal workers.count 3");
            refused(
                    Map.of("workers.count", "1", "restore.source.workers", "1"),
                    "restore point citus-20261208T011500Z was taken with node(s) citus-worker-2");
            assertThat(generatorProblems("workers:\n  count: 3\n"))
                    .containsExactly("restore.source.workers: must equal workers.count 3: each restored worker is"
                            + " the copy of one source worker, got 2");
        }

        @Test
        @DisplayName("a point older than the oldest base backup")
        void olderThanTheOldestBaseBackup() throws Exception {
            refused(
                    Map.of("restore.source.oldestBaseBackup", "2026-12-08T01:16:00+00:00"),
                    "restore.time: restore point citus-20261208T011500Z is older than the oldest base backup");
            assertThat(generatorProblems("restore:\n  source:\n    oldestBaseBackup: \"2026-12-08T01:16:00+00:00\"\n"))
                    .singleElement()
                    .asString()
                    .startsWith("restore.time: restore point citus-20261208T011500Z is older than the oldest");
        }

        @Test
        @DisplayName("no point at or before the time, an unknown name, or both or neither")
        void noSuchPoint() throws Exception {
            refused(Map.of("restore.time", "2026-12-08T01:00:00+00:00"), "restore.time: no entry of restore.points");
            refused(Map.of("restore.time", "", "restore.pointName", "nope"), "restore.pointName: names no entry");
            refused(Map.of("restore.time", ""), "set exactly one of restore.pointName and restore.time");
            assertThat(generatorProblems("restore:\n  time: \"2026-12-08T01:00:00+00:00\"\n"))
                    .singleElement()
                    .asString()
                    .startsWith("restore.time: no entry of restore.points was taken at or before it");
        }

        @Test
        @DisplayName("the source's own namespace, and the source's archive path for a release of the same names")
        void sourceNamespaceAndArchive() throws Exception {
            refused(
                    Map.of("restore.source.namespace", Charts.NAMESPACE),
                    "restore.source.namespace: must differ from the release namespace \"vectors\"");
            refused(
                    Map.of("backup.wal.prefix", "citus-pgvector"),
                    "backup.wal.prefix: must differ from the source's when the restored release keeps the source's"
                            + " names");
        }

        @Test
        @DisplayName("without WAL archiving")
        void needsWalArchiving() throws Exception {
            refused(Map.of("backup.wal.enabled", "false"), "backup.wal.enabled: must be true with restore.enabled");
        }
    }
}
