package io.citus.pgvector.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.citus.pgvector.helm.HelmException;
import io.citus.pgvector.render.RenderedChart;
import io.citus.pgvector.testing.ProjectFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the chart sets for Patroni, the image's architecture and background workers, as the operator reads it. */
@DisplayName("settings for the runtime the clusters meet")
class RuntimeSettingsTest {

    private static final Path CHART = ProjectFiles.committedChart();

    @TempDir
    Path dir;

    private static JsonNode spec(RenderedChart rendered, String cluster) {
        return rendered.named("postgresql", cluster).path("spec");
    }

    @Nested
    @DisplayName("spec.patroni")
    class Patroni {

        @Test
        @DisplayName("defaults: Patroni's timing, synchronous replication on every cluster of 2 instances")
        void defaults() throws Exception {
            RenderedChart rendered = Charts.render(CHART, Map.of());
            for (JsonNode pg : rendered.ofKind("postgresql")) {
                assertThat(pg.at("/spec/patroni").toString())
                        .isEqualTo("{\"ttl\":30,\"loop_wait\":10,"
                                + "\"retry_timeout\":10,\"synchronous_mode\":true,\"synchronous_mode_strict\":false}");
            }
        }

        @Test
        @DisplayName("one instance: no synchronous replication (no replica to wait for); strict and per-role switches")
        void perRole() throws Exception {
            RenderedChart rendered = Charts.render(
                    CHART,
                    Map.of(
                            "coordinator.instances",
                            "1",
                            "coordinator.patroni.synchronousModeStrict",
                            "true",
                            "workers.patroni.synchronousMode",
                            "false",
                            "workers.instances",
                            "3",
                            "patroni.ttl",
                            "20",
                            "patroni.loopWait",
                            "4",
                            "patroni.retryTimeout",
                            "8"));
            JsonNode coordinator = spec(rendered, "citus-coordinator").path("patroni");
            assertThat(coordinator.path("synchronous_mode").asBoolean()).isFalse();
            assertThat(coordinator.path("synchronous_mode_strict").asBoolean()).isFalse();
            JsonNode worker = spec(rendered, "citus-worker-2").path("patroni");
            assertThat(worker.path("synchronous_mode").asBoolean()).isFalse();
            assertThat(worker.path("ttl").asInt()).isEqualTo(20);
            assertThat(worker.path("loop_wait").asInt()).isEqualTo(4);
            assertThat(worker.path("retry_timeout").asInt()).isEqualTo(8);
            JsonNode strict = spec(
                            Charts.render(CHART, Map.of("workers.patroni.synchronousModeStrict", "true")),
                            "citus-worker-1")
                    .path("patroni");
            assertThat(strict.path("synchronous_mode").asBoolean()).isTrue();
            assertThat(strict.path("synchronous_mode_strict").asBoolean()).isTrue();
        }

        @Test
        @DisplayName("a ttl shorter than loopWait + 2 x retryTimeout is refused at install")
        void ttlRule() {
            assertThatThrownBy(() -> Charts.render(CHART, Map.of("patroni.ttl", "25")))
                    .isInstanceOf(HelmException.class)
                    .message()
                    .contains("patroni.ttl: must be at least patroni.loopWait + 2 x patroni.retryTimeout = 30");
        }
    }

    @Nested
    @DisplayName("the image's architecture")
    class Architecture {

        private static final String ARCH_RULE =
                "{\"key\":\"kubernetes.io/arch\",\"operator\":\"In\",\"values\":[\"amd64\"]}";

        @Test
        @DisplayName(
                "default: every cluster needs an amd64 node (the hook and test pods too: ScalingHooksRenderingTest)")
        void defaults() throws Exception {
            RenderedChart rendered = Charts.render(CHART, Map.of());
            for (JsonNode pg : rendered.ofKind("postgresql")) {
                assertThat(pg.at("/spec/nodeAffinity").toString())
                        .isEqualTo("{\"requiredDuringSchedulingIgnoredDuringExecution\":{\"nodeSelectorTerms\":[{"
                                + "\"matchExpressions\":[" + ARCH_RULE + "]}]}}");
            }
        }

        @Test
        @DisplayName("merged into each of the user's required terms and kept beside preferred ones; a term naming"
                + " kubernetes.io/arch itself is left as written; empty architecture adds nothing")
        void mergedWithTheUsersAffinity() throws Exception {
            Path values = Files.writeString(dir.resolve("affinity.yaml"), """
                    workers:
                      scheduling:
                        nodeAffinity:
                          requiredDuringSchedulingIgnoredDuringExecution:
                            nodeSelectorTerms:
                              - matchExpressions:
                                  - {key: pool, operator: In, values: [db]}
                              - matchExpressions:
                                  - {key: kubernetes.io/arch, operator: In, values: [arm64]}
                          preferredDuringSchedulingIgnoredDuringExecution:
                            - weight: 10
                              preference:
                                matchExpressions:
                                  - {key: disk, operator: In, values: [nvme]}
                    """);
            JsonNode affinity = spec(Charts.render(CHART, Map.of(), values), "citus-worker-1")
                    .path("nodeAffinity");
            JsonNode terms = affinity.at("/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms");
            assertThat(terms).hasSize(2);
            assertThat(terms.get(0).path("matchExpressions").toString())
                    .isEqualTo("[{\"key\":\"pool\",\"operator\":\"In\",\"values\":[\"db\"]}," + ARCH_RULE + "]");
            assertThat(terms.get(1).path("matchExpressions").toString())
                    .isEqualTo("[{\"key\":\"kubernetes.io/arch\",\"operator\":\"In\",\"values\":[\"arm64\"]}]");
            assertThat(affinity.at("/preferredDuringSchedulingIgnoredDuringExecution/0/weight")
                            .asInt())
                    .isEqualTo(10);

            RenderedChart none = Charts.render(CHART, Map.of("image.architecture", ""));
            assertThat(none.ofKind("postgresql"))
                    .allSatisfy(pg ->
                            assertThat(pg.path("spec").has("nodeAffinity")).isFalse());
            JsonNode kept = spec(Charts.render(CHART, Map.of("image.architecture", ""), values), "citus-worker-1")
                    .path("nodeAffinity");
            assertThat(kept.at("/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms/0/matchExpressions"))
                    .hasSize(1);
        }
    }

    @Nested
    @DisplayName("max_worker_processes")
    class WorkerProcesses {

        @Test
        @DisplayName("derived for what runs on a node: 5 always + 1 Citus task executor + 4 logical replication"
                + " workers + 8 parallel workers = 18; follows the parameters it counts; the user's value wins")
        void derived() throws Exception {
            RenderedChart rendered = Charts.render(
                    CHART,
                    Map.of(
                            "workers.parameters.max_parallel_workers",
                            "16",
                            "postgresql.parameters.max_logical_replication_workers",
                            "6",
                            "coordinator.parameters.max_worker_processes",
                            "40"));
            assertThat(spec(Charts.render(CHART, Map.of()), "citus-worker-1")
                            .at("/postgresql/parameters/max_worker_processes")
                            .asText())
                    .isEqualTo("18");
            assertThat(spec(rendered, "citus-worker-1")
                            .at("/postgresql/parameters/max_worker_processes")
                            .asText())
                    .as("5 + 1 + 6 + 16")
                    .isEqualTo("28");
            assertThat(spec(rendered, "citus-coordinator")
                            .at("/postgresql/parameters/max_worker_processes")
                            .asText())
                    .isEqualTo("40");
        }
    }

    @Nested
    @DisplayName("rejected at install time")
    class Rejected {

        @Test
        @DisplayName("limits below requests, by the templates (the schema cannot compare two values)")
        void limitsBelowRequests() {
            assertThatThrownBy(() -> Charts.render(
                            CHART,
                            Map.of(
                                    "workers.resources.requests.memory",
                                    "16Gi",
                                    "coordinator.resources.limits.cpu",
                                    "500m",
                                    "registrar.resources.limits.memory",
                                    "16Mi")))
                    .isInstanceOf(HelmException.class)
                    .message()
                    .contains("workers.resources.limits.memory: must not be below the request 16Gi, got 8Gi")
                    .contains("coordinator.resources.limits.cpu: must not be below the request 1, got 500m")
                    .contains("registrar.resources.limits.memory: must not be below the request 32Mi, got 16Mi");
        }

        @Test
        @DisplayName("a ttl below the 20 s the image's Patroni would raise it to, by the schema")
        void ttlBelowPatronisMinimum() {
            assertThatThrownBy(() -> Charts.render(
                            CHART, Map.of("patroni.ttl", "15", "patroni.loopWait", "1", "patroni.retryTimeout", "3")))
                    .isInstanceOf(HelmException.class)
                    .message()
                    .contains("at '/patroni/ttl': minimum: got 15, want 20");
        }

        @Test
        @DisplayName("a storage class that is no Kubernetes object name, by the schema")
        void storageClass() {
            assertThatThrownBy(() -> Charts.render(CHART, Map.of("coordinator.volume.storageClass", "Fast_SSD")))
                    .isInstanceOf(HelmException.class)
                    .message()
                    .contains("storageClass");
        }
    }

    @Test
    @DisplayName("the optional operator ConfigMap switches the operator's Citus-unaware major upgrade off")
    void operatorConfigMapMajorUpgradeOff() throws Exception {
        JsonNode cm = Charts.render(CHART, Map.of("operatorConfigMap.create", "true"))
                .named("ConfigMap", "postgres-operator-citus");
        assertThat(cm.at("/data/major_version_upgrade_mode").asText()).isEqualTo("off");
    }
}
