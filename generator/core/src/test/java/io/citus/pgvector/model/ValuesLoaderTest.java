package io.citus.pgvector.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.citus.pgvector.testing.ProjectFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValuesLoaderTest {

    @TempDir
    Path dir;

    private Path file(String yaml) throws IOException {
        Path file = Files.createTempFile(dir, "values", ".yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private List<String> problems(String yaml) throws IOException {
        Path file = file(yaml);
        try {
            ValuesLoader.load(List.of(file));
        } catch (InvalidValuesException e) {
            assertThat(e.getMessage()).startsWith(file.toString());
            return e.problems().stream().map(ValuesProblem::toString).toList();
        }
        throw new AssertionError("expected problems in:\n" + yaml);
    }

    @Nested
    @DisplayName("good values")
    class Good {

        @Test
        @DisplayName("no file at all gives the built-in defaults")
        void defaults() throws Exception {
            assertThat(ValuesLoader.load(List.of())).isEqualTo(DefaultValues.get());
        }

        @Test
        @DisplayName("a partial file changes only what it states; mappings merge, other keys keep their defaults")
        void partialOverlay() throws Exception {
            Values values = ValuesLoader.load(List.of(file("""
                    workers:
                      count: 5
                      resources:
                        requests:
                          cpu: 500m
                    postgresql:
                      parameters:
                        max_connections: 300
                        jit: false
                    """)));
            assertThat(values.workers().count()).isEqualTo(5);
            assertThat(values.workers().resources().requests().cpu()).isEqualTo("500m");
            assertThat(values.workers().resources().requests().memory())
                    .isEqualTo(
                            DefaultValues.get().workers().resources().requests().memory());
            assertThat(values.workers().instances()).isEqualTo(2);
            assertThat(values.postgresql().parameters())
                    .containsEntry("max_connections", "300")
                    .containsEntry("jit", "false");
        }

        @Test
        @DisplayName("later files win over earlier ones, as with helm -f a -f b")
        void laterFilesWin() throws Exception {
            Path first = file("workers:\n  count: 3\n  instances: 1\n");
            Path second = file("workers:\n  count: 4\n");
            Values values = ValuesLoader.load(List.of(first, second));
            assertThat(values.workers().count()).isEqualTo(4);
            assertThat(values.workers().instances()).isEqualTo(1);
        }

        @Test
        @DisplayName(
                "application roles: an item's left-out keys get their defaults, as the chart's templates read them")
        void applicationRoles() throws Exception {
            Values values = ValuesLoader.load(List.of(file("""
                    applicationRoles:
                      - name: app
                      - name: search
                        existingSecret:
                          name: search-db
                    """)));
            assertThat(values.applicationRoles())
                    .containsExactly(
                            new Values.ApplicationRole("app", new Values.ExistingSecret("", "password"), false),
                            new Values.ApplicationRole(
                                    "search", new Values.ExistingSecret("search-db", "password"), false));
        }

        @Test
        @DisplayName("an empty file is the defaults")
        void emptyFile() throws Exception {
            assertThat(ValuesLoader.load(List.of(file("# nothing\n")))).isEqualTo(DefaultValues.get());
        }

        @Test
        @DisplayName("every shipped profile in values/ is valid")
        void shippedProfiles() throws Exception {
            Path values = ProjectFiles.root().resolve("values");
            try (var files = Files.list(values)) {
                List<Path> profiles = files.filter(p -> p.toString().endsWith(".yaml"))
                        .sorted()
                        .toList();
                assertThat(profiles)
                        .extracting(p -> p.getFileName().toString())
                        .contains("default.yaml", "dev.yaml", "production.yaml");
                for (Path profile : profiles) {
                    assertThat(ValuesLoader.load(List.of(profile)))
                            .as(profile.toString())
                            .isNotNull();
                }
            }
        }
    }

    @Nested
    @DisplayName("bad values: each problem names its YAML path and the bad value")
    class Bad {

        @Test
        void unknownKeySuggestsTheKnownOne() throws Exception {
            assertThat(problems("workers:\n  cuont: 3\n"))
                    .containsExactly(
                            "workers.cuont: unknown key; did you mean \"count\"? known keys: count, instances, resources,"
                                    + " volume, parameters, patroni, scheduling");
        }

        @Test
        void unknownTopLevelKey() throws Exception {
            assertThat(problems("wrokers: {}\n"))
                    .singleElement()
                    .asString()
                    .startsWith("wrokers: unknown key; did you mean \"workers\"?");
        }

        @Test
        void wrongType() throws Exception {
            assertThat(problems("workers:\n  count: abc\n"))
                    .containsExactly("workers.count: must be an integer, got \"abc\"");
            assertThat(problems("backup:\n  logical:\n    enabled: \"yes\"\n"))
                    .containsExactly("backup.logical.enabled: must be true or false, got \"yes\"");
            assertThat(problems("image: ghcr.io/x/y\n"))
                    .containsExactly("image: must be a mapping, got \"ghcr.io/x/y\"");
            assertThat(problems("teamId: 17\n")).containsExactly("teamId: must be a string, got 17 (quote it)");
        }

        @Test
        void outOfRange() throws Exception {
            assertThat(problems("workers:\n  count: 0\n")).containsExactly("workers.count: must be at least 1, got 0");
            assertThat(problems("workers:\n  count: 100000\n"))
                    .containsExactly("workers.count: must be at most 256, got 100000");
        }

        @Test
        void notOneOfTheAllowedValues() throws Exception {
            assertThat(problems("postgresql:\n  version: \"12\"\n"))
                    .containsExactly("postgresql.version: must be one of \"17\", \"18\", got \"12\"");
        }

        @Test
        void invalidKubernetesName() throws Exception {
            assertThat(problems("fullnameOverride: My_Cluster\n"))
                    .containsExactly(
                            "fullnameOverride: must be a lowercase DNS label (a-z, 0-9, '-', starting with a letter),"
                                    + " got \"My_Cluster\"");
            assertThat(problems("database:\n  name: \"\"\n")).containsExactly("database.name: must not be empty");
        }

        @Test
        void fullnameTooLongForTheOperatorsSuffixes() throws Exception {
            assertThat(problems("fullnameOverride: " + "a".repeat(40) + "\n"))
                    .containsExactly(
                            "fullnameOverride: must be at most 39 characters so the operator's name suffixes fit, got 40");
        }

        @Test
        void invalidQuantity() throws Exception {
            assertThat(problems("workers:\n  resources:\n    requests:\n      memory: 8GB\n"))
                    .containsExactly(
                            "workers.resources.requests.memory: must be a quantity such as 512Mi, 8Gi or 1G, got \"8GB\"");
            assertThat(problems("coordinator:\n  resources:\n    limits:\n      cpu: 2 cores\n"))
                    .containsExactly(
                            "coordinator.resources.limits.cpu: must be a CPU quantity such as 500m, 1 or 1.5, got \"2 cores\"");
        }

        @Test
        void invalidCron() throws Exception {
            assertThat(problems("backup:\n  logical:\n    schedule: every day\n"))
                    .containsExactly(
                            "backup.logical.schedule: must be a 5-field cron expression such as \"30 0 * * *\", got \"every day\"");
            assertThat(problems("backup:\n  logical:\n    schedule: \"61 0 * * *\"\n"))
                    .containsExactly("backup.logical.schedule: has minute 61 outside 0-59, got \"61 0 * * *\"");
        }

        @Test
        void emptyImage() throws Exception {
            assertThat(problems("image:\n  repository: \"\"\n")).containsExactly("image.repository: must not be empty");
        }

        @Test
        @DisplayName("application roles: not a plain identifier, PostgreSQL's, Spilo's or the operator's, listed twice")
        void applicationRoles() throws Exception {
            assertThat(problems("""
                            applicationRoles:
                              - name: postgres
                              - name: pg_monitor
                              - name: App
                              - name: app
                              - name: app
                              - existingSecret: {name: x}
                              - app
                            """))
                    .containsExactlyInAnyOrder(
                            "applicationRoles[2].name: must be a lowercase PostgreSQL identifier (a-z, 0-9, '_', not"
                                    + " starting with a digit, at most 63 characters), got \"App\"",
                            "applicationRoles[5].name: must not be empty",
                            "applicationRoles[6]: must be a mapping, got \"app\"");
            assertThat(problems("applicationRoles: [{name: postgres}, {name: pg_monitor}, {name: app}, {name: app}]\n"))
                    .containsExactly(
                            "applicationRoles[0].name: must not be a role of PostgreSQL, Spilo or the operator (names"
                                    + " starting with pg_, postgres, standby, pooler, zalandos, admin, robot_zmon,"
                                    + " cron_admin, public, none, current_role, current_user, session_user), got"
                                    + " \"postgres\"",
                            "applicationRoles[1].name: must not be a role of PostgreSQL, Spilo or the operator (names"
                                    + " starting with pg_, postgres, standby, pooler, zalandos, admin, robot_zmon,"
                                    + " cron_admin, public, none, current_role, current_user, session_user), got"
                                    + " \"pg_monitor\"",
                            "applicationRoles[3].name: names a role listed before it, got \"app\"");
        }

        @Test
        void nullValue() throws Exception {
            assertThat(problems("workers:\n  count: null\n"))
                    .containsExactly("workers.count: must not be null (leave the key out to keep the default)");
        }

        @Test
        void limitBelowRequest() throws Exception {
            assertThat(problems("workers:\n  resources:\n    requests:\n      memory: 16Gi\n"))
                    .containsExactly("workers.resources.limits.memory: must not be below the request 16Gi, got 8Gi");
        }

        @Test
        void addressRangesAndNamespacesOfTheFeatures() throws Exception {
            assertThat(problems("networkPolicy:\n  allowedCidrs: [10.0.0.0/8, 10.0.0.300/8, fd00::/8]\n"
                            + "  allowedNamespaces: [apps, Apps, 3]\n"))
                    .containsExactlyInAnyOrder(
                            "networkPolicy.allowedCidrs[1]: must be an address range such as 10.0.0.0/8 or fd00::/8,"
                                    + " got \"10.0.0.300/8\"",
                            "networkPolicy.allowedNamespaces[1]: must be a lowercase DNS label (a-z, 0-9, '-', starting with a"
                                    + " letter), got \"Apps\"",
                            "networkPolicy.allowedNamespaces[2]: must be a string, got 3");
            assertThat(problems("networkPolicy:\n  allowedCidrs: 10.0.0.0/8\n"))
                    .containsExactly("networkPolicy.allowedCidrs: must be a list, got \"10.0.0.0/8\"");
            assertThat(problems("metrics:\n  interval: 30 seconds\n"))
                    .containsExactly(
                            "metrics.interval: must be a duration such as 30s, 5m or 2160h, got \"30 seconds\"");
        }

        @Test
        void featuresTheOperatorLineCannotTake() throws Exception {
            assertThat(problems("operator:\n  line: \"1.15\"\nexternalAccess:\n  enabled: true\n  type: NodePort\n"
                            + "  allowedSourceRanges: [203.0.113.0/24, \"2001:db8::/32\"]\n"))
                    .containsExactlyInAnyOrder(
                            "externalAccess.type: NodePort needs operator line 2.0 (enableMasterNodePort); operator.line 1.15"
                                    + " has only LoadBalancer, got \"NodePort\"",
                            "externalAccess.allowedSourceRanges[1]: operator line 1.15 accepts IPv4 ranges only, got"
                                    + " \"2001:db8::/32\"");
            assertThat(ValuesLoader.load(List.of(file("externalAccess:\n  enabled: true\n  type: NodePort\n"
                                    + "  coordinatorNodePort: 30432\n  allowedSourceRanges: [\"2001:db8::/32\"]\n")))
                            .externalAccess()
                            .allowedSourceRanges())
                    .as("both on operator line 2.0")
                    .containsExactly("2001:db8::/32");
        }

        @Test
        void featureCombinationsThatCannotWork() throws Exception {
            assertThat(problems("externalAccess:\n  enabled: true\n  coordinator: false\n  pooler: true\n"
                            + "  coordinatorNodePort: 30000\n"))
                    .containsExactlyInAnyOrder(
                            "externalAccess.pooler: needs pooler.enabled: true",
                            "externalAccess.coordinatorNodePort: applies only to externalAccess.type NodePort");
            assertThat(problems("externalAccess:\n  enabled: true\n  coordinator: false\n"))
                    .containsExactly(
                            "externalAccess: enabled, but neither externalAccess.coordinator nor externalAccess.pooler is true");
            assertThat(problems("tls:\n  caFile: ca.crt\n"))
                    .containsExactly(
                            "tls.caFile: needs tls.secretName or tls.certManager.enabled: the operator takes a CA only with a"
                                    + " server certificate");
            assertThat(problems("tls:\n  secretName: server\n  caSecretName: ca\n"))
                    .containsExactly("tls.caFile: must name the CA key of Secret \"ca\" when tls.caSecretName is set");
            assertThat(problems("tls:\n  certManager:\n    enabled: true\n"))
                    .containsExactly("tls.certManager.issuerName: must be set when tls.certManager.enabled is true");
            assertThat(problems("pooler:\n  resources:\n    requests:\n      memory: 1Gi\n"))
                    .containsExactly("pooler.resources.limits.memory: must not be below the request 1Gi, got 100Mi");
        }

        @Test
        @DisplayName("what the operator would turn into a broken StatefulSet, a pool of 0 or an unscrapable exporter")
        void operatorConsequences() throws Exception {
            assertThat(problems("tls:\n  secretName: pgdata\n"))
                    .singleElement()
                    .asString()
                    .startsWith("tls.secretName: must not be the name of a volume the pods already have")
                    .endsWith("got \"pgdata\"");
            assertThat(problems("tls:\n  secretName: server\n  caFile: ca.crt\n  caSecretName: application-roles\n"))
                    .singleElement()
                    .asString()
                    .startsWith("tls.caSecretName: must not be the name of a volume");
            assertThat(problems("tls:\n  secretName: server\n  caFile: ca.crt\n  caSecretName: server\n"))
                    .containsExactly(
                            "tls.caSecretName: must differ from tls.secretName (leave it empty when the CA is in"
                                    + " that Secret: the operator would mount two volumes of one name), got \"server\"");
            assertThat(problems("pooler:\n  enabled: true\n  instances: 2\n  maxDBConnections: 3\n"))
                    .singleElement()
                    .asString()
                    .startsWith("pooler.maxDBConnections: must be 0 (the operator's default) or at least 2 x"
                            + " pooler.instances = 4")
                    .endsWith("got 3");
            assertThat(ValuesLoader.load(
                                    List.of(file("pooler:\n  enabled: true\n  instances: 2\n  maxDBConnections: 4\n")))
                            .pooler()
                            .maxDBConnections())
                    .isEqualTo(4);
            assertThat(problems("metrics:\n  enabled: true\n"))
                    .singleElement()
                    .asString()
                    .startsWith("networkPolicy.metricsNamespaces: must list your Prometheus's namespace");
        }

        @Test
        void walBackupWithoutBucket() throws Exception {
            assertThat(problems("backup:\n  wal:\n    enabled: true\n"))
                    .containsExactly("backup.wal.bucket: must be set when backup.wal.enabled is true");
        }

        @Test
        void fieldsOperatorV115WouldDrop() throws Exception {
            assertThat(problems("""
                    operator:
                      line: "1.15"
                    postgresql:
                      version: "18"
                    workers:
                      scheduling:
                        topologySpreadConstraints:
                          - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule}
                    """))
                    .containsExactly(
                            "postgresql.version: must be at most 17 with operator.line 1.15 (its postgresql resources accept"
                                    + " PostgreSQL 13 to 17), got 18",
                            "workers.scheduling.topologySpreadConstraints: must be empty with operator.line 1.15: that"
                                    + " operator's postgresql resources have no topologySpreadConstraints and the API server"
                                    + " would drop them silently; remove them or run operator v2 (operator.line 2.0)");
        }

        @Test
        void patroniTtlShorterThanItsLoop() throws Exception {
            assertThat(problems("patroni:\n  ttl: 20\n  loopWait: 10\n  retryTimeout: 10\n"))
                    .containsExactly(
                            "patroni.ttl: must be at least patroni.loopWait + 2 x patroni.retryTimeout = 30 (Patroni's rule,"
                                    + " or a slow loop loses the leader lock), got 20");
        }

        @Test
        void patroniTimingBelowWhatTheImagesPatroniAccepts() throws Exception {
            assertThat(problems("patroni:\n  ttl: 15\n  loopWait: 1\n  retryTimeout: 2\n"))
                    .containsExactly(
                            "patroni.ttl: must be at least 20, got 15",
                            "patroni.retryTimeout: must be at least 3, got 2");
        }

        @Test
        void twoSourcesOfThePassword() throws Exception {
            assertThat(problems("superuser:\n  password: s3cret\n  existingSecret:\n    name: pg-superuser\n"))
                    .containsExactly("superuser.existingSecret.name: must be empty when superuser.password is set (one"
                            + " source of the password), got \"pg-superuser\"");
        }

        @Test
        void storageClassThatIsNoObjectName() throws Exception {
            assertThat(problems("workers:\n  volume:\n    storageClass: Fast SSD\n"))
                    .singleElement()
                    .asString()
                    .startsWith("workers.volume.storageClass: must be a lowercase DNS subdomain");
        }

        @Test
        void parameterThatIsNotAScalar() throws Exception {
            assertThat(problems("postgresql:\n  parameters:\n    work_mem: [1, 2]\n"))
                    .containsExactly("postgresql.parameters.work_mem: must be a string, number or boolean, got a list");
        }

        @Test
        @DisplayName("every problem of a file is reported together, not just the first")
        void allProblemsTogether() throws Exception {
            assertThat(problems("""
                    workers:
                      count: -1
                      instances: two
                    coordinator:
                      volume:
                        size: 10 GB
                    extra: 1
                    """))
                    .containsExactlyInAnyOrder(
                            "extra: unknown key; known keys: nameOverride, fullnameOverride, commonLabels, podLabels,"
                                    + " imagePullSecrets, teamId, operator, image, postgresql,"
                                    + " patroni, database, superuser, applicationRoles, citus, vector, coordinator, workers, registrar, backup,"
                                    + " restore, operatorConfigMap, scaling, helmTest, pooler, metrics, tls, networkPolicy, externalAccess",
                            "workers.count: must be at least 1, got -1",
                            "workers.instances: must be an integer, got \"two\"",
                            "coordinator.volume.size: must be a quantity such as 512Mi, 8Gi or 1G, got \"10 GB\"");
        }

        @Test
        @DisplayName("rules that tie several values together are reported with the single-value problems, except"
                + " those reading a value that is itself wrong")
        void crossFieldProblemsTogetherWithTheOthers() throws Exception {
            assertThat(problems("""
                    workers:
                      count: 0
                    patroni:
                      ttl: 25
                    superuser:
                      password: s3cret
                      existingSecret:
                        name: pg-superuser
                    """))
                    .containsExactly(
                            "workers.count: must be at least 1, got 0",
                            "patroni.ttl: must be at least patroni.loopWait + 2 x patroni.retryTimeout = 30 (Patroni's"
                                    + " rule, or a slow loop loses the leader lock), got 25",
                            "superuser.existingSecret.name: must be empty when superuser.password is set (one source of"
                                    + " the password), got \"pg-superuser\"");
            assertThat(problems("patroni:\n  ttl: 25\n  loopWait: 0\n"))
                    .containsExactly("patroni.loopWait: must be at least 1, got 0");
        }

        @Test
        void notYaml() throws Exception {
            assertThat(problems("workers:\n  count: [1\n"))
                    .singleElement()
                    .asString()
                    .contains("not valid YAML (line ");
        }

        @Test
        void duplicateKey() throws Exception {
            assertThat(problems("workers:\n  count: 1\n  count: 2\n"))
                    .singleElement()
                    .asString()
                    .contains("not valid YAML")
                    .contains("Duplicate field 'count'");
        }

        @Test
        void notAMapping() throws Exception {
            assertThat(problems("- a\n- b\n"))
                    .singleElement()
                    .asString()
                    .endsWith("must be a mapping of keys to values, got a list");
        }

        @Test
        void missingFile() {
            Path missing = dir.resolve("nope.yaml");
            assertThatThrownBy(() -> ValuesLoader.load(List.of(missing)))
                    .isInstanceOf(InvalidValuesException.class)
                    .satisfies(e -> assertThat(((InvalidValuesException) e).problems())
                            .extracting(ValuesProblem::toString)
                            .containsExactly(missing + ": no such file"));
        }
    }
}
