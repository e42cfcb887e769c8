package io.citus.pgvector.scaling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.citus.pgvector.helm.HelmException;
import io.citus.pgvector.testing.ProjectFiles;
import io.citus.pgvector.validation.CrdSchemaValidator;
import io.citus.pgvector.validation.RenderedManifests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The scaling hooks, the uninstall guard and the helm test pod as Helm renders them from the committed chart. */
class ScalingHooksRenderingTest {

    private static final String HOOK = "helm.sh/hook";
    private static final String WEIGHT = "helm.sh/hook-weight";
    private static final String DELETE_POLICY = "helm.sh/hook-delete-policy";
    private static final String CLEANUP = "before-hook-creation,hook-succeeded";

    private static CrdSchemaValidator crd;

    @TempDir
    Path work;

    @BeforeAll
    static void loadCrd() {
        Optional<Path> file = CrdSchemaValidator.locateCrd("postgresql.crd.yaml");
        crd = file.map(CrdSchemaValidator::load).orElse(null);
    }

    private ShippedHooks render(String... set) throws HelmException {
        Map<String, String> values = new TreeMap<>();
        for (int i = 0; i < set.length; i += 2) {
            values.put(set[i], set[i + 1]);
        }
        return ShippedHooks.render(work, values);
    }

    @Test
    @DisplayName("defaults: scripts ConfigMap first (weight -10), then the scale-down, scale-up and uninstall-guard"
            + " Jobs and the test pod, each with its events and delete policy")
    void hooksAndOrder() throws HelmException {
        ShippedHooks hooks = render();
        JsonNode configMap = hooks.named("ConfigMap", "citus-scaling");
        JsonNode scaleDown = hooks.named("Job", "citus-scale-down");
        JsonNode scaleUp = hooks.named("Job", "citus-scale-up");
        JsonNode guard = hooks.named("Job", "citus-uninstall-guard");
        JsonNode test = hooks.named("Pod", "citus-test-vector-queries");
        assertThat(hooks.hooks()).containsExactlyInAnyOrder(configMap, scaleDown, scaleUp, guard, test);

        assertThat(events(configMap))
                .containsExactlyInAnyOrder(
                        "pre-upgrade", "pre-rollback", "post-upgrade", "post-rollback", "pre-delete", "test");
        assertThat(events(scaleDown)).containsExactlyInAnyOrder("pre-upgrade", "pre-rollback");
        assertThat(events(scaleUp)).containsExactlyInAnyOrder("post-upgrade", "post-rollback");
        assertThat(events(guard)).containsExactly("pre-delete");
        assertThat(events(test)).containsExactly("test");

        int configMapWeight = Integer.parseInt(ShippedHooks.annotation(configMap, WEIGHT));
        for (JsonNode job : List.of(scaleDown, scaleUp, guard, test)) {
            assertThat(Integer.parseInt(ShippedHooks.annotation(job, WEIGHT)))
                    .as(
                            "%s runs after the ConfigMap it mounts exists",
                            job.at("/metadata/name").asText())
                    .isGreaterThan(configMapWeight);
        }
        for (JsonNode hook : List.of(configMap, scaleDown, scaleUp, guard)) {
            assertThat(ShippedHooks.annotation(hook, DELETE_POLICY))
                    .as("failed hooks stay for debugging")
                    .isEqualTo(CLEANUP);
        }
        assertThat(ShippedHooks.annotation(test, DELETE_POLICY))
                .as("kept after it ran, for helm test --logs")
                .isEqualTo("before-hook-creation");
        for (JsonNode job : List.of(scaleDown, scaleUp, guard)) {
            assertThat(job.at("/spec/backoffLimit").asInt())
                    .as("a failure fails the hook at once")
                    .isZero();
            assertThat(job.at("/spec/template/spec/restartPolicy").asText()).isEqualTo("Never");
            assertThat(job.at("/spec/template/spec/automountServiceAccountToken")
                            .asBoolean())
                    .as("SQL only, no Kubernetes API access")
                    .isFalse();
        }
        assertThat(scaleDown.at("/spec/activeDeadlineSeconds").asInt())
                .as("scaling.timeoutSeconds + grace")
                .isEqualTo(1800 + 120);
    }

    @Test
    @DisplayName("one source: the ConfigMap ships the chart's files/scripts and files/sql byte for byte, and every"
            + " pod runs a script from it")
    void scriptsAreTheChartFiles() throws HelmException, IOException {
        ShippedHooks hooks = render();
        JsonNode data = hooks.named("ConfigMap", "citus-scaling").path("data");
        Map<String, String> shipped = new TreeMap<>();
        data.fields().forEachRemaining(e -> shipped.put(e.getKey(), e.getValue().asText()));
        Map<String, String> files = new TreeMap<>();
        for (String folder : List.of("files/scripts", "files/sql")) {
            try (Stream<Path> paths = Files.list(ProjectFiles.committedChart().resolve(folder))) {
                // The hooks' ConfigMap carries the shell scripts and the SQL; superuser-credentials.py has its own.
                for (Path p : paths.filter(p ->
                                p.toString().endsWith(".sh") || p.toString().endsWith(".sql"))
                        .toList()) {
                    files.put(p.getFileName().toString(), Files.readString(p));
                }
            }
        }
        assertThat(shipped)
                .isEqualTo(files)
                .containsKeys("scale-down.sh", "scale-up.sh", "helm-test.sh", "uninstall-guard.sh", "helm-test.sql");
        for (String[] pod : new String[][] {
            {"Job", "citus-scale-down", "scale-down.sh"},
            {"Job", "citus-scale-up", "scale-up.sh"},
            {"Job", "citus-uninstall-guard", "uninstall-guard.sh"},
            {"Pod", "citus-test-vector-queries", "helm-test.sh"}
        }) {
            JsonNode object = hooks.named(pod[0], pod[1]);
            JsonNode spec = ShippedHooks.podSpec(object);
            assertThat(spec.at("/containers/0/command").toString())
                    .isEqualTo("[\"/bin/bash\",\"/opt/citus-pgvector/scripts/" + pod[2] + "\"]");
            assertThat(spec.at("/containers/0/volumeMounts/0/mountPath").asText())
                    .isEqualTo("/opt/citus-pgvector/scripts");
            assertThat(spec.at("/volumes/0/configMap/name").asText()).isEqualTo("citus-scaling");
        }
    }

    @Test
    @DisplayName("every hook and the test pod run on a node of the image's architecture (image.architecture)")
    void architecture() throws HelmException {
        ShippedHooks hooks = render();
        for (JsonNode object : hooks.scriptPods()) {
            assertThat(ShippedHooks.podSpec(object).at("/affinity/nodeAffinity").toString())
                    .isEqualTo(
                            "{\"requiredDuringSchedulingIgnoredDuringExecution\":{\"nodeSelectorTerms\":[{\"matchExpressions\":"
                                    + "[{\"key\":\"kubernetes.io/arch\",\"operator\":\"In\",\"values\":[\"amd64\"]}]}]}}");
        }
        assertThat(render("image.architecture", "")
                        .named("Job", "citus-uninstall-guard")
                        .at("/spec/template/spec")
                        .has("affinity"))
                .isFalse();
    }

    @Test
    @DisplayName("every hook connects to the coordinator Service as the superuser from its Secret, with SSL")
    void coordinatorConnection() throws HelmException {
        ShippedHooks hooks = render();
        for (JsonNode object : hooks.scriptPods()) {
            Map<String, String> env = ShippedHooks.env(object);
            assertThat(env)
                    .containsEntry("PGHOST", "citus-coordinator")
                    .containsEntry("PGPORT", "5432")
                    .containsEntry("PGDATABASE", "postgres")
                    .containsEntry("PGSSLMODE", "require")
                    .containsEntry(
                            "PGUSER", "secret:postgres.citus-coordinator.credentials.postgresql.acid.zalan.do/username")
                    .containsEntry(
                            "PGPASSWORD",
                            "secret:postgres.citus-coordinator.credentials.postgresql.acid.zalan.do/password");
        }
        assertThat(ShippedHooks.env(hooks.named("Pod", "citus-test-vector-queries")))
                .containsEntry("EXPECTED_WORKERS", "2")
                .as("2 pods per worker: a standby to read from")
                .containsEntry("REPLICA_READS", "true")
                .as("the parameters the chart sets alike on both roles: with the default pods, all but"
                        + " max_parallel_maintenance_workers (1 CPU on the coordinator, 2 on a worker) and"
                        + " maintenance_work_mem (a quarter of 2Gi on the coordinator, of 4Gi on a worker building its"
                        + " one shard)")
                .containsEntry(
                        "SAME_SETTINGS",
                        "citus.local_hostname,citus.max_adaptive_executor_pool_size,"
                                + "citus.max_cached_conns_per_worker,citus.shard_count,hnsw.ef_search,hnsw.iterative_scan,"
                                + "max_prepared_transactions,max_worker_processes,shared_preload_libraries,wal_level");
        assertThat(ShippedHooks.env(hooks.named("Job", "citus-scale-up")))
                .containsEntry("REBALANCE", "true")
                .containsEntry("SHARD_TRANSFER_MODE", "auto")
                .containsEntry("TIMEOUT_SECONDS", "1800");
    }

    @ParameterizedTest(name = "{0} -> {1} workers")
    @CsvSource({"3, 2", "5, 2", "4, 1"})
    @DisplayName("with workers.count lowered, the pre-upgrade hook keeps exactly the new workers and drains every"
            + " one the new release no longer renders")
    void scaleDownKnowsWhoLeaves(int from, int to) throws HelmException {
        ShippedHooks before = render("workers.count", Integer.toString(from));
        ShippedHooks after = render("workers.count", Integer.toString(to));
        Map<String, String> env = ShippedHooks.env(after.named("Job", "citus-scale-down"));
        List<String> staying = Arrays.asList(env.get("DESIRED_WORKERS").split(","));
        Pattern managed = Pattern.compile(env.get("WORKER_NAME_REGEX"));

        List<String> workersBefore = workerNames(before);
        List<String> workersAfter = workerNames(after);
        List<String> deletedByHelm =
                workersBefore.stream().filter(w -> !workersAfter.contains(w)).toList();
        // What scale-down-plan.sql selects: managed node names that are not among the workers that stay.
        List<String> drained = workersBefore.stream()
                .filter(w -> managed.matcher(w).find() && !staying.contains(w + ":5432"))
                .toList();

        assertThat(drained)
                .as("drained by the hook = deleted by Helm")
                .isEqualTo(deletedByHelm)
                .hasSize(from - to);
        assertThat(staying)
                .containsExactlyElementsOf(
                        workersAfter.stream().map(w -> w + ":5432").toList());
        assertThat(managed.matcher("citus-coordinator").find()).isFalse();
        assertThat(managed.matcher("other-worker-1").find()).isFalse();
        assertThat(managed.matcher("citus-worker-12").find()).isTrue();
    }

    private static List<String> workerNames(ShippedHooks rendered) {
        return rendered.objects().stream()
                .filter(o -> o.path("kind").asText().equals("postgresql"))
                .map(o -> o.at("/metadata/name").asText())
                .filter(n -> n.contains("-worker-"))
                .toList();
    }

    @Test
    @DisplayName("hooks, ConfigMap and test pod are valid Kubernetes objects (and the postgresql resources valid"
            + " against the operator's CRD)")
    void validAgainstTheApi() throws HelmException {
        assumeTrue(
                crd != null,
                "the operator's postgresql CRD was not found: set -Dzalando.crd.dir to the folder"
                        + " holding postgresql.crd.yaml (default ../shared/fixtures/zalando)");
        for (ShippedHooks hooks : List.of(
                render(),
                render(
                        "workers.count",
                        "3",
                        "scaling.image.tag",
                        "x-1",
                        "scaling.rebalanceOnScaleUp",
                        "false",
                        "scaling.shardTransferMode",
                        "block_writes"))) {
            assertThat(hooks.hooks()).hasSize(5);
            assertThat(RenderedManifests.validateAll(hooks.yaml(), crd)).isEmpty();
        }
    }

    @Nested
    @DisplayName("switches")
    class Switches {

        @Test
        @DisplayName("scaling.hooks=false: no scaling Jobs; the ConfigMap serves only the guard and the test")
        void hooksOff() throws HelmException {
            ShippedHooks hooks = render("scaling.hooks", "false");
            assertThat(hooks.has("Job", "citus-scale-down")).isFalse();
            assertThat(hooks.has("Job", "citus-scale-up")).isFalse();
            assertThat(events(hooks.named("ConfigMap", "citus-scaling"))).containsExactly("pre-delete", "test");
        }

        @Test
        @DisplayName("everything off: no hook, no test pod, no ConfigMap")
        void allOff() throws HelmException {
            ShippedHooks hooks =
                    render("scaling.hooks", "false", "scaling.guardUninstall", "false", "helmTest.enabled", "false");
            assertThat(hooks.hooks()).isEmpty();
            assertThat(hooks.has("ConfigMap", "citus-scaling")).isFalse();
        }

        @Test
        @DisplayName("image override, transfer mode, rebalance switch and timeout reach the Jobs")
        void knobs() throws HelmException {
            ShippedHooks hooks = render(
                    "scaling.image.repository",
                    "registry.example/tools",
                    "scaling.image.tag",
                    "1.2",
                    "scaling.rebalanceOnScaleUp",
                    "false",
                    "scaling.shardTransferMode",
                    "block_writes",
                    "scaling.timeoutSeconds",
                    "600",
                    "workers.count",
                    "3");
            JsonNode scaleUp = hooks.named("Job", "citus-scale-up");
            assertThat(scaleUp.at("/spec/template/spec/containers/0/image").asText())
                    .isEqualTo("registry.example/tools:1.2");
            assertThat(scaleUp.at("/spec/activeDeadlineSeconds").asInt()).isEqualTo(720);
            assertThat(ShippedHooks.env(scaleUp))
                    .containsEntry("REBALANCE", "false")
                    .containsEntry("SHARD_TRANSFER_MODE", "block_writes")
                    .containsEntry("TIMEOUT_SECONDS", "600")
                    .containsEntry("DESIRED_WORKERS", "citus-worker-1:5432,citus-worker-2:5432,citus-worker-3:5432");
            assertThat(ShippedHooks.env(hooks.named("Pod", "citus-test-vector-queries")))
                    .containsEntry("EXPECTED_WORKERS", "3");
        }

        @Test
        @DisplayName("going below 1 worker or an unknown transfer mode is refused at install time")
        void refused() {
            assertThatThrownBy(() -> render("workers.count", "0"))
                    .isInstanceOf(HelmException.class)
                    .hasMessageContaining("workers")
                    .hasMessageContaining("count");
            assertThatThrownBy(() -> render("scaling.shardTransferMode", "fast"))
                    .isInstanceOf(HelmException.class)
                    .hasMessageContaining("shardTransferMode");
        }
    }

    private static List<String> events(JsonNode hook) {
        return Arrays.asList(ShippedHooks.annotation(hook, HOOK).split(","));
    }
}
