package io.citus.pgvector.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.LintResult;
import io.citus.pgvector.helm.HelmClient;
import io.citus.pgvector.helm.HelmException;
import io.citus.pgvector.render.RenderedChart;
import io.citus.pgvector.testing.ProjectFiles;
import io.citus.pgvector.validation.CrdSchemaValidator;
import io.citus.pgvector.validation.RenderedManifests;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The committed chart, linted and rendered by real Helm (helm-java's native library). */
class ChartRenderingTest {

    private static final Path CHART = ProjectFiles.committedChart();
    private static CrdSchemaValidator crd;

    @BeforeAll
    static void loadCrd() {
        Optional<Path> file = CrdSchemaValidator.locateCrd("postgresql.crd.yaml");
        crd = file.map(CrdSchemaValidator::load).orElse(null);
    }

    /** Every object valid: postgresql resources against the operator's CRD, the rest against the Kubernetes API. */
    private static void assertValid(RenderedChart rendered) {
        assumeTrue(
                crd != null,
                "the operator's postgresql CRD was not found: set -Dzalando.crd.dir to the folder"
                        + " holding postgresql.crd.yaml (default ../shared/fixtures/zalando)");
        assertThat(RenderedManifests.validateAll(rendered.yaml(), crd)).isEmpty();
    }

    @Test
    @DisplayName("helm lint --strict passes")
    void lintStrict() throws HelmException {
        LintResult result = new HelmClient().lint(CHART);
        assertThat(result.isFailed())
                .as(String.join("\n", result.getMessages()))
                .isFalse();
    }

    @Test
    @DisplayName("default values: a coordinator and 2 workers of 2 instances, named after the release, all valid")
    void defaults() throws HelmException {
        RenderedChart rendered = Charts.render(CHART, Map.of());
        assertThat(rendered.ofKind("postgresql"))
                .extracting(o -> o.path("metadata").path("name").asText())
                .containsExactly("citus-coordinator", "citus-worker-1", "citus-worker-2");
        assertThat(rendered.ofKind("postgresql")).allSatisfy(pg -> {
            assertThat(pg.at("/spec/numberOfInstances").asInt()).isEqualTo(2);
            assertThat(pg.at("/spec/postgresql/version").asText()).isEqualTo("17");
            assertThat(pg.at("/spec/dockerImage").asText())
                    .isEqualTo("ghcr.io/citus-pgvector/spilo-citus-pgvector:17-4.0-p3-citus13.2");
            assertThat(pg.at("/spec/preparedDatabases/postgres/extensions").toString())
                    .isEqualTo("{\"citus\":\"pg_catalog\",\"vector\":\"public\"}");
        });
        assertValid(rendered);
    }

    @ParameterizedTest(name = "workers.count={0}")
    @ValueSource(ints = {1, 3, 16})
    @DisplayName("workers.count=N renders exactly N uniquely named workers, each with its credentials, all valid")
    void workerCount(int n) throws HelmException {
        RenderedChart rendered = Charts.render(CHART, Map.of("workers.count", Integer.toString(n)));
        List<String> workers = rendered.postgresqls("worker").stream()
                .map(o -> o.path("metadata").path("name").asText())
                .toList();
        assertThat(workers)
                .hasSize(n)
                .doesNotHaveDuplicates()
                .containsExactlyElementsOf(IntStream.rangeClosed(1, n)
                        .mapToObj(i -> "citus-worker-" + i)
                        .toList());
        assertThat(rendered.postgresqls("coordinator")).hasSize(1);
        assertThat(rendered.ofKind("Secret")).hasSize(n + 1);
        assertThat(new HashSet<>(rendered.ofKind("Secret").stream()
                        .map(s -> s.at("/data/password").asText())
                        .toList()))
                .as("one password for every cluster")
                .hasSize(1);
        assertValid(rendered);
    }

    @Test
    @DisplayName("citus.shardsPerWorker sets the layout: shards, cached connections and index build memory follow it;"
            + " citus.shardCount overrides it")
    void shardsPerWorker() throws HelmException {
        RenderedChart tenants = Charts.render(
                CHART,
                Map.of("workers.count", "3", "citus.shardsPerWorker", "4", "workers.resources.requests.memory", "8Gi"));
        for (JsonNode pg : tenants.ofKind("postgresql")) {
            JsonNode p = pg.at("/spec/postgresql/parameters");
            assertThat(p.path("citus.shard_count").asText()).isEqualTo("12");
            assertThat(p.path("citus.max_cached_conns_per_worker").asText()).isEqualTo("4");
            assertThat(p.path("citus.max_adaptive_executor_pool_size").asText()).isEqualTo("4");
        }
        assertThat(tenants.named("postgresql", "citus-worker-1")
                        .at("/spec/postgresql/parameters/maintenance_work_mem")
                        .asText())
                .as("8Gi / 4 shared by the 4 shards a worker builds at once")
                .isEqualTo("512MB");
        JsonNode fixed = Charts.render(
                        CHART, Map.of("workers.count", "3", "citus.shardsPerWorker", "4", "citus.shardCount", "7"))
                .named("postgresql", "citus-coordinator")
                .at("/spec/postgresql/parameters");
        assertThat(fixed.path("citus.shard_count").asText()).isEqualTo("7");
        assertThat(fixed.path("citus.max_cached_conns_per_worker").asText())
                .as("ceil(7 / 3) on the busiest worker")
                .isEqualTo("3");
    }

    @Test
    @DisplayName("Citus and pgvector settings are on every node; shard count and cached connections derive from"
            + " the workers and the shards per worker")
    void parameters() throws HelmException {
        RenderedChart rendered = Charts.render(
                CHART,
                Map.of(
                        "workers.count",
                        "3",
                        "workers.resources.requests.cpu",
                        "1500m",
                        "workers.resources.requests.memory",
                        "6Gi",
                        "postgresql.parameters.max_connections",
                        "300",
                        "coordinator.parameters.work_mem",
                        "64MB"));
        for (JsonNode pg : rendered.ofKind("postgresql")) {
            JsonNode p = pg.at("/spec/postgresql/parameters");
            assertThat(p.path("shared_preload_libraries").asText())
                    .startsWith("citus,")
                    .contains("pg_auth_mon")
                    .contains("pg_cron");
            assertThat(p.path("wal_level").asText()).isEqualTo("logical");
            assertThat(p.path("max_prepared_transactions").asInt()).isPositive();
            assertThat(p.path("citus.local_hostname").asText()).isEqualTo("/var/run/postgresql");
            assertThat(p.path("hnsw.ef_search").asText()).isEqualTo("100");
            assertThat(p.path("hnsw.iterative_scan").asText()).isEqualTo("relaxed_order");
            assertThat(p.path("citus.shard_count").asText())
                    .as("3 workers x 1 shard per worker, whatever their CPUs")
                    .isEqualTo("3");
            assertThat(p.path("citus.max_cached_conns_per_worker").asText()).isEqualTo("1");
            assertThat(p.path("citus.max_adaptive_executor_pool_size").asText())
                    .as("the cached connections")
                    .isEqualTo("1");
            assertThat(p.path("max_connections").asText()).isEqualTo("300");
        }
        JsonNode worker = rendered.named("postgresql", "citus-worker-1").at("/spec/postgresql/parameters");
        assertThat(worker.path("maintenance_work_mem").asText())
                .as("6Gi / 4 for the one shard a worker builds")
                .isEqualTo("1536MB");
        assertThat(worker.path("max_parallel_maintenance_workers").asText())
                .as("ceil(1.5) CPUs")
                .isEqualTo("2");
        JsonNode coordinator = rendered.named("postgresql", "citus-coordinator").at("/spec/postgresql/parameters");
        assertThat(coordinator.path("maintenance_work_mem").asText())
                .as("2Gi / 4, one build")
                .isEqualTo("512MB");
        assertThat(coordinator.path("max_parallel_maintenance_workers").asText())
                .isEqualTo("1");
        RenderedChart big = Charts.render(
                CHART,
                Map.of(
                        "workers.resources.requests.memory",
                        "200G",
                        "workers.resources.limits.memory",
                        "200G",
                        "coordinator.resources.requests.cpu",
                        "16000m",
                        "coordinator.resources.limits.cpu",
                        "16000m"));
        assertThat(big.named("postgresql", "citus-worker-1")
                        .at("/spec/postgresql/parameters/maintenance_work_mem")
                        .asText())
                .as("capped")
                .isEqualTo("8192MB");
        assertThat(big.named("postgresql", "citus-coordinator")
                        .at("/spec/postgresql/parameters/max_parallel_maintenance_workers")
                        .asText())
                .as("capped")
                .isEqualTo("8");
        JsonNode small = Charts.render(
                        CHART,
                        Map.of(
                                "workers.resources.requests.memory",
                                "256Mi",
                                "workers.parameters.max_parallel_maintenance_workers",
                                "3"))
                .named("postgresql", "citus-worker-1")
                .at("/spec/postgresql/parameters");
        assertThat(small.path("maintenance_work_mem").asText())
                .as("PostgreSQL's default at least")
                .isEqualTo("64MB");
        assertThat(small.path("max_parallel_maintenance_workers").asText())
                .as("the user's value wins")
                .isEqualTo("3");
        assertThat(rendered.named("postgresql", "citus-coordinator")
                        .at("/spec/postgresql/parameters/work_mem")
                        .asText())
                .isEqualTo("64MB");
        assertThat(rendered.named("postgresql", "citus-worker-1")
                        .at("/spec/postgresql/parameters")
                        .has("work_mem"))
                .isFalse();
        assertValid(rendered);
    }

    @Test
    @DisplayName("the superuser password is generated once for all clusters when none is given")
    void generatedPassword() throws HelmException {
        RenderedChart rendered = Charts.renderExactly(CHART, Map.of());
        List<String> passwords = rendered.ofKind("Secret").stream()
                .map(s -> new String(
                        Base64.getDecoder().decode(s.at("/data/password").asText())))
                .toList();
        assertThat(passwords)
                .hasSize(3)
                .allSatisfy(p -> assertThat(p).hasSize(32).isEqualTo(passwords.get(0)));
        assertThat(rendered.ofKind("Secret"))
                .allSatisfy(s -> assertThat(new String(Base64.getDecoder()
                                .decode(s.at("/data/username").asText())))
                        .isEqualTo("postgres"));
    }

    @Test
    @DisplayName("every worker carries the registrar sidecar with its script mounted from the chart's ConfigMap")
    void registrarSidecar() throws HelmException {
        RenderedChart rendered = Charts.render(CHART, Map.of("workers.count", "2"));
        for (JsonNode worker : rendered.postgresqls("worker")) {
            JsonNode sidecar = worker.at("/spec/sidecars/0");
            assertThat(sidecar.path("name").asText()).isEqualTo("citus-worker-registrar");
            assertThat(sidecar.toString())
                    .contains("\"WORKER_HOST\",\"value\":\""
                            + worker.at("/metadata/name").asText() + "\"");
            JsonNode volume = worker.at("/spec/additionalVolumes/0");
            assertThat(volume.at("/targetContainers/0").asText()).isEqualTo("citus-worker-registrar");
            assertThat(volume.at("/volumeSource/configMap/name").asText()).isEqualTo("citus-registrar");
        }
        assertThat(rendered.postgresqls("coordinator").get(0).path("spec").has("sidecars"))
                .isFalse();
        assertThat(rendered.named("ConfigMap", "citus-registrar")
                        .at("/data/registrar.sh")
                        .asText())
                .startsWith("#!/usr/bin/env bash");
        assertValid(rendered);
    }

    @Nested
    @DisplayName("backups and the operator ConfigMap")
    class Backups {

        @Test
        @DisplayName("logical backups and WAL-G to S3 with credentials from a Secret")
        void s3() throws HelmException {
            RenderedChart rendered = Charts.render(
                    CHART,
                    Map.of(
                            "backup.logical.enabled",
                            "true",
                            "backup.logical.schedule",
                            "15 2 * * *",
                            "backup.logical.retention",
                            "2 weeks",
                            "backup.wal.enabled",
                            "true",
                            "backup.wal.bucket",
                            "pg-wal",
                            "backup.wal.region",
                            "eu-west-1",
                            "backup.wal.credentialsSecret.name",
                            "wal-s3"));
            JsonNode worker = rendered.named("postgresql", "citus-worker-1").path("spec");
            assertThat(worker.path("enableLogicalBackup").asBoolean()).isTrue();
            assertThat(worker.path("logicalBackupSchedule").asText()).isEqualTo("15 2 * * *");
            assertThat(worker.path("logicalBackupRetention").asText()).isEqualTo("2 weeks");
            assertThat(env(worker, "WALG_S3_PREFIX")).isEqualTo("s3://pg-wal/citus-pgvector/citus-worker-1/wal/17");
            assertThat(env(worker, "USE_WALG_BACKUP")).isEqualTo("true");
            assertThat(env(worker, "USE_WALG_RESTORE")).isEqualTo("true");
            assertThat(env(worker, "AWS_REGION")).isEqualTo("eu-west-1");
            assertThat(envFrom(worker, "AWS_SECRET_ACCESS_KEY").toString())
                    .isEqualTo("{\"key\":\"AWS_SECRET_ACCESS_KEY\",\"name\":\"wal-s3\"}");
            assertThat(envFrom(worker, "AWS_ACCESS_KEY_ID").toString())
                    .isEqualTo("{\"key\":\"AWS_ACCESS_KEY_ID\",\"name\":\"wal-s3\"}");
            assertValid(rendered);
        }

        @Test
        @DisplayName("WAL-G to GCS mounts the service account key into the Spilo container only")
        void gcs() throws HelmException {
            RenderedChart rendered = Charts.render(
                    CHART,
                    Map.of(
                            "backup.wal.enabled",
                            "true",
                            "backup.wal.provider",
                            "gcs",
                            "backup.wal.bucket",
                            "pg-wal",
                            "backup.wal.prefix",
                            "",
                            "backup.wal.credentialsSecret.name",
                            "wal-gcs"));
            JsonNode coordinator =
                    rendered.named("postgresql", "citus-coordinator").path("spec");
            assertThat(env(coordinator, "WALG_GS_PREFIX")).isEqualTo("gs://pg-wal/citus-coordinator/wal/17");
            assertThat(env(coordinator, "GOOGLE_APPLICATION_CREDENTIALS")).isEqualTo("/var/secrets/wal-gcs/key.json");
            assertThat(coordinator.at("/additionalVolumes/0/targetContainers").toString())
                    .isEqualTo("[\"postgres\"]");
            JsonNode worker = rendered.named("postgresql", "citus-worker-2").path("spec");
            assertThat(worker.path("additionalVolumes")).hasSize(2);
            assertValid(rendered);
        }

        @Test
        @DisplayName("off by default")
        void offByDefault() throws HelmException {
            RenderedChart rendered = Charts.render(CHART, Map.of());
            assertThat(rendered.ofKind("postgresql")).allSatisfy(pg -> {
                assertThat(pg.path("spec").has("enableLogicalBackup")).isFalse();
                assertThat(pg.path("spec").has("env")).isFalse();
            });
            assertThat(rendered.ofKind("ConfigMap"))
                    .extracting(c -> c.at("/metadata/name").asText())
                    .containsExactly("citus-registrar");
        }

        @Test
        @DisplayName("the operator ConfigMap is optional, named and placed as configured, with extra settings")
        void operatorConfigMap() throws HelmException {
            RenderedChart rendered = Charts.render(
                    CHART,
                    Map.of(
                            "operatorConfigMap.create",
                            "true",
                            "operatorConfigMap.name",
                            "postgres-operator",
                            "operatorConfigMap.namespace",
                            "operators",
                            "operatorConfigMap.data.enable_persistent_volume_claim_deletion",
                            "false"));
            JsonNode cm = rendered.named("ConfigMap", "postgres-operator");
            assertThat(cm.at("/metadata/namespace").asText()).isEqualTo("operators");
            assertThat(cm.path("data").has("docker_image"))
                    .as("docker_image would become every cluster's image")
                    .isFalse();
            assertThat(cm.at("/data/enable_teams_api").asText()).isEqualTo("false");
            assertThat(cm.at("/data/enable_persistent_volume_claim_deletion").asText())
                    .isEqualTo("false");
            assertValid(rendered);
        }

        private static JsonNode envFrom(JsonNode spec, String name) {
            return Charts.envVar(spec, name).at("/valueFrom/secretKeyRef");
        }

        private static String env(JsonNode spec, String name) {
            return Charts.env(spec, name);
        }
    }

    @Test
    @DisplayName("scheduling knobs reach the postgresql resources")
    void scheduling() throws HelmException {
        RenderedChart rendered =
                Charts.render(CHART, Map.of(), ProjectFiles.root().resolve("values/production.yaml"));
        JsonNode worker = rendered.named("postgresql", "citus-worker-3").path("spec");
        assertThat(worker.at("/topologySpreadConstraints/0/topologyKey").asText())
                .isEqualTo("topology.kubernetes.io/zone");
        assertThat(worker.at("/volume/storageClass").asText()).isEqualTo("fast-ssd");
        assertValid(rendered);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"default.yaml", "dev.yaml", "production.yaml"})
    @DisplayName("each shipped profile installs with helm -f and renders valid objects")
    void profiles(String profile) throws HelmException {
        assertValid(Charts.render(CHART, Map.of(), ProjectFiles.root().resolve("values/" + profile)));
    }

    @Nested
    @DisplayName("values.schema.json and the template checks stop bad values at install time")
    class Rejected {

        private void assertRejected(Map<String, String> set, String... messageParts) {
            assertThatThrownBy(() -> Charts.render(CHART, set))
                    .isInstanceOf(HelmException.class)
                    .message()
                    .contains(messageParts);
        }

        @Test
        void countNotANumber() {
            assertRejected(Map.of("workers.count", "abc"), "workers", "count");
        }

        @Test
        void misspelledKey() {
            assertRejected(Map.of("workers.cuont", "3"), "cuont");
        }

        @Test
        void zeroWorkers() {
            assertRejected(Map.of("workers.count", "0"), "workers", "count");
        }

        @Test
        void badQuantity() {
            assertRejected(Map.of("workers.resources.requests.memory", "8GB"), "memory");
        }

        @Test
        void releaseNameTooLong() {
            assertRejected(Map.of("fullnameOverride", "a".repeat(40)), "at most 39");
        }

        @Test
        void walWithoutBucket() {
            assertRejected(Map.of("backup.wal.enabled", "true"), "backup.wal.bucket: must be set");
        }
    }
}
