package io.citus.pgvector.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.citus.pgvector.helm.HelmException;
import io.citus.pgvector.render.RenderedChart;
import io.citus.pgvector.testing.ProjectFiles;
import io.citus.pgvector.validation.CrdSchemaValidator;
import io.citus.pgvector.validation.RenderedManifests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The production features (pooler, metrics, TLS, NetworkPolicy, external access) rendered by real Helm in every
 * combination, for both operator lines: every postgresql resource validated against that line's upstream CRD (a field
 * the API server would prune is an error), every other object against the Kubernetes models, and the Prometheus
 * Operator and cert-manager objects against their upstream CRDs where those are at hand.
 */
class FeatureRenderingTest {

    private static final Path CHART = ProjectFiles.committedChart();
    private static final List<String> FEATURES = List.of("pooler", "metrics", "tls", "networkPolicy", "externalAccess");
    /** Container ports a sidecar must not bind: PostgreSQL, Patroni's API, the operator's API. */
    private static final Set<Integer> RESERVED_PORTS = Set.of(5432, 8008, 8080);
    /** What the operator's sidecar type keeps (design.md). */
    private static final Set<String> SIDECAR_FIELDS = Set.of("name", "image", "command", "env", "ports", "resources");

    /** The upstream postgresql CRD of an operator line. */
    static CrdSchemaValidator operatorCrd(String line) {
        String file = line.equals("1.15") ? "v1.15.1/postgresql.crd.yaml" : "postgresql.crd.yaml";
        Optional<Path> crd = CrdSchemaValidator.locateCrd(file);
        assumeTrue(
                crd.isPresent(),
                "the operator's " + file + " was not found: set -Dzalando.crd.dir (default"
                        + " ../shared/fixtures/zalando)");
        return CrdSchemaValidator.load(crd.get());
    }

    /** CRDs of the Prometheus Operator and cert-manager that are at hand (-Dextra.crd.dir or shared/fixtures). */
    static List<CrdSchemaValidator> extraCrds() {
        List<CrdSchemaValidator> crds = new ArrayList<>();
        Stream.of(
                        CrdSchemaValidator.locateFixtureCrd(
                                "extra.crd.dir", "prometheus-operator", "monitoring.coreos.com_podmonitors.yaml"),
                        CrdSchemaValidator.locateFixtureCrd(
                                "extra.crd.dir", "prometheus-operator", "monitoring.coreos.com_prometheusrules.yaml"),
                        CrdSchemaValidator.locateFixtureCrd(
                                "extra.crd.dir", "cert-manager", "cert-manager.io_certificates.yaml"))
                .flatMap(Optional::stream)
                .map(CrdSchemaValidator::load)
                .forEach(crds::add);
        return crds;
    }

    /** Values that turn a feature on in a form valid for the line; variant picks between the feature's forms. */
    static Map<String, String> featureOn(String feature, String line, boolean variant) {
        Map<String, String> set = new LinkedHashMap<>();
        switch (feature) {
            case "pooler" -> {
                set.put("pooler.enabled", "true");
                if (variant) {
                    set.put("pooler.mode", "session");
                    set.put("pooler.maxDBConnections", "90");
                    set.put("pooler.image", "registry.example.com/pgbouncer:1.24");
                }
            }
            case "metrics" -> {
                set.put("metrics.enabled", "true");
                set.put("metrics.prometheusOperator", "always");
                set.put("metrics.labels.release", "kube-prometheus");
                set.put("networkPolicy.metricsNamespaces[0]", "monitoring");
            }
            case "tls" -> {
                set.put("tls.caFile", "ca.crt");
                if (variant) {
                    set.put("tls.secretName", "citus-server-tls");
                    set.put("tls.caSecretName", "citus-ca");
                } else {
                    set.put("tls.certManager.enabled", "true");
                    set.put("tls.certManager.issuerName", "citus-ca");
                }
            }
            case "networkPolicy" -> {
                set.put("networkPolicy.enabled", "true");
                set.put("networkPolicy.allowedNamespaces[0]", "apps");
                set.put("networkPolicy.allowedCidrs[0]", "10.20.0.0/16");
                set.put("networkPolicy.metricsNamespaces[0]", "monitoring");
            }
            case "externalAccess" -> {
                set.put("externalAccess.enabled", "true");
                set.put("externalAccess.allowedSourceRanges[0]", "203.0.113.0/24");
                set.put(
                        "externalAccess.serviceAnnotations.service\\.beta\\.kubernetes\\.io/aws-load-balancer-internal",
                        "true");
                if (line.equals("2.0") && variant) {
                    set.put("externalAccess.type", "NodePort");
                    set.put("externalAccess.coordinatorNodePort", "30432");
                    set.put("externalAccess.allowedSourceRanges[1]", "2001:db8::/32");
                }
            }
            default -> throw new IllegalArgumentException(feature);
        }
        return set;
    }

    static Stream<Arguments> combinations() {
        List<Arguments> all = new ArrayList<>();
        for (String line : List.of("2.0", "1.15")) {
            for (int mask = 0; mask < 1 << FEATURES.size(); mask++) {
                all.add(Arguments.of(line, mask));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "operator {0}, features {1}")
    @MethodSource("combinations")
    @DisplayName("every combination of the features renders, and every object is valid for the operator line")
    void everyCombinationIsValid(String line, int mask) throws HelmException {
        CrdSchemaValidator crd = operatorCrd(line);
        Map<String, String> set = new LinkedHashMap<>();
        set.put("operator.line", line);
        set.put("networkPolicy.enabled", "false");
        List<String> on = new ArrayList<>();
        for (int i = 0; i < FEATURES.size(); i++) {
            if ((mask & (1 << i)) != 0) {
                on.add(FEATURES.get(i));
                set.putAll(featureOn(FEATURES.get(i), line, mask % 2 == 1));
            }
        }
        if (on.contains("externalAccess") && on.contains("pooler")) {
            set.put("externalAccess.pooler", "true");
        }
        RenderedChart rendered = Charts.render(CHART, set);
        List<CrdSchemaValidator> crds = new ArrayList<>(List.of(crd));
        crds.addAll(extraCrds());
        Set<String> customKinds = Set.of("PodMonitor", "PrometheusRule", "Certificate");
        List<String> errors = RenderedManifests.validateAgainst(rendered.yaml(), crds).stream()
                .filter(e -> customKinds.stream().noneMatch(k -> e.startsWith(k + "/"))
                        || crds.stream().anyMatch(c -> e.startsWith(c.kind() + "/")))
                .toList();
        assertThat(errors).as("features %s on operator %s", on, line).isEmpty();

        for (JsonNode pg : rendered.ofKind("postgresql")) {
            for (JsonNode sidecar : pg.at("/spec/sidecars")) {
                assertThat(fieldNames(sidecar))
                        .as("sidecar fields the operator keeps")
                        .isSubsetOf(SIDECAR_FIELDS);
                for (JsonNode port : sidecar.path("ports")) {
                    assertThat(RESERVED_PORTS)
                            .doesNotContain(port.path("containerPort").asInt());
                }
            }
        }
        assertThat(rendered.ofKind("PodMonitor").isEmpty()).isEqualTo(!on.contains("metrics"));
        assertThat(rendered.ofKind("NetworkPolicy").isEmpty()).isEqualTo(!on.contains("networkPolicy"));
    }

    @Test
    @DisplayName("the Prometheus Operator and cert-manager objects are valid against their upstream CRDs")
    void customResourcesAgainstTheirCrds() throws HelmException {
        List<CrdSchemaValidator> crds = extraCrds();
        assumeTrue(
                crds.size() == 3,
                "the PodMonitor, PrometheusRule and Certificate CRDs were not all found: put"
                        + " monitoring.coreos.com_podmonitors.yaml and monitoring.coreos.com_prometheusrules.yaml (Prometheus"
                        + " Operator's example/prometheus-operator-crd) and cert-manager.io_certificates.yaml (cert-manager's"
                        + " deploy/crds) into -Dextra.crd.dir, or shared/fixtures/prometheus-operator and"
                        + " shared/fixtures/cert-manager");
        Map<String, String> set = new LinkedHashMap<>(featureOn("metrics", "2.0", false));
        set.putAll(featureOn("tls", "2.0", false));
        RenderedChart rendered = Charts.render(CHART, set);
        assertThat(rendered.ofKind("PodMonitor")).hasSize(1);
        assertThat(rendered.ofKind("PrometheusRule")).hasSize(1);
        assertThat(rendered.ofKind("Certificate")).hasSize(1);
        List<CrdSchemaValidator> all = new ArrayList<>(crds);
        all.add(operatorCrd("2.0"));
        assertThat(RenderedManifests.validateAgainst(rendered.yaml(), all)).isEmpty();
    }

    @Test
    @DisplayName("by default only the network policy is on: nothing of the other features is rendered")
    void offByDefault() throws HelmException {
        RenderedChart rendered = Charts.render(CHART, Map.of());
        assertThat(rendered.objects())
                .extracting(o -> o.path("kind").asText())
                .contains("NetworkPolicy")
                .doesNotContain("PodMonitor", "PrometheusRule", "Certificate");
        for (JsonNode pg : rendered.ofKind("postgresql")) {
            JsonNode spec = pg.path("spec");
            assertThat(fieldNames(spec))
                    .doesNotContain(
                            "tls",
                            "spiloFSGroup",
                            "enableConnectionPooler",
                            "connectionPooler",
                            "allowedSourceRanges",
                            "masterServiceAnnotations");
            assertThat(spec.path("enableMasterLoadBalancer").isBoolean())
                    .as("exposure fields explicit")
                    .isTrue();
            assertThat(spec.path("enableMasterLoadBalancer").booleanValue()).isFalse();
            assertThat(spec.path("sidecars").findValuesAsText("name")).doesNotContain("postgres-exporter");
        }
    }

    @Test
    @DisplayName("pooler: the coordinator's operator pooler in transaction mode; workers never get one")
    void pooler() throws HelmException {
        RenderedChart rendered = Charts.render(CHART, Map.of("pooler.enabled", "true"));
        JsonNode coordinator = rendered.named("postgresql", "citus-coordinator").path("spec");
        assertThat(coordinator.path("enableConnectionPooler").asBoolean()).isTrue();
        assertThat(coordinator.path("enableReplicaConnectionPooler").asBoolean(true))
                .isFalse();
        assertThat(coordinator.at("/connectionPooler/mode").asText()).isEqualTo("transaction");
        assertThat(coordinator.at("/connectionPooler/numberOfInstances").asInt())
                .isEqualTo(2);
        assertThat(coordinator.at("/connectionPooler").has("dockerImage"))
                .as("the operator's image")
                .isFalse();
        assertThat(coordinator.at("/connectionPooler").has("maxDBConnections"))
                .as("the operator's 60")
                .isFalse();
        for (JsonNode worker : rendered.postgresqls("worker")) {
            assertThat(worker.path("spec").has("enableConnectionPooler")).isFalse();
        }
    }

    @Test
    @DisplayName("metrics: an exporter on every pod of every cluster, its queries mounted into it alone")
    void metrics() throws Exception {
        RenderedChart rendered = Charts.render(
                CHART, Map.of("metrics.enabled", "true", "networkPolicy.metricsNamespaces[0]", "monitoring"));
        assertThat(rendered.ofKind("postgresql")).hasSize(3).allSatisfy(pg -> {
            JsonNode exporter = Charts.sidecar(pg, "postgres-exporter");
            assertThat(exporter.at("/ports/0/containerPort").asInt()).isEqualTo(9187);
            assertThat(exporter.at("/ports/0/name").asText()).isEqualTo("metrics");
            assertThat(Charts.env(exporter, "PG_EXPORTER_EXTEND_QUERY_PATH"))
                    .isEqualTo("/opt/citus-pgvector/metrics/queries.yaml");
            assertThat(Charts.env(exporter, "DATA_SOURCE_PASS")).isEqualTo("$(POSTGRES_PASSWORD)");
            JsonNode volume = volume(pg, "postgres-exporter-queries");
            assertThat(volume.path("targetContainers").toString()).isEqualTo("[\"postgres-exporter\"]");
            assertThat(volume.at("/volumeSource/configMap/name").asText()).isEqualTo("citus-metrics");
        });
        assertThat(rendered.named("ConfigMap", "citus-metrics")
                        .at("/data/queries.yaml")
                        .asText())
                .isEqualTo(Files.readString(CHART.resolve("files/metrics/queries.yaml")));
        assertThat(rendered.named("ConfigMap", "citus-dashboard")
                        .at("/metadata/labels/grafana_dashboard")
                        .asText())
                .isEqualTo("1");
        assertThat(rendered.ofKind("PodMonitor"))
                .as("auto: this render has no monitoring.coreos.com API")
                .isEmpty();
        RenderedChart always = Charts.render(
                CHART,
                Map.of(
                        "metrics.enabled",
                        "true",
                        "metrics.prometheusOperator",
                        "always",
                        "networkPolicy.metricsNamespaces[0]",
                        "monitoring"));
        JsonNode monitor = always.named("PodMonitor", "citus-postgres");
        assertThat(monitor.at("/spec/selector/matchExpressions/0/values").toString())
                .isEqualTo("[\"citus-coordinator\",\"citus-worker-1\",\"citus-worker-2\"]");
        assertThat(monitor.at("/spec/podTargetLabels").toString()).isEqualTo("[\"cluster-name\",\"spilo-role\"]");
        assertThat(always.named("PrometheusRule", "citus-alerts")
                        .at("/spec/groups/0/rules")
                        .findValuesAsText("alert"))
                .containsExactly(
                        "CitusPgvectorWorkerMissing",
                        "CitusPgvectorWorkerInactive",
                        "CitusPgvectorRegistrarFailing",
                        "CitusPgvectorReplicationLag",
                        "CitusPgvectorPreparedTransactionStuck",
                        "CitusPgvectorVolumeNearlyFull");
    }

    @Test
    @DisplayName("tls: spec.tls on every cluster; registrar, hooks and test pod verify the server against the CA")
    void tls() throws HelmException {
        RenderedChart rendered = Charts.render(
                CHART,
                Map.of("tls.secretName", "citus-server-tls", "tls.caSecretName", "citus-ca", "tls.caFile", "ca.pem"));
        assertThat(rendered.ofKind("postgresql"))
                .allSatisfy(pg -> assertThat(pg.at("/spec/spiloFSGroup").asInt())
                        .as("Spilo's postgres group reads the key")
                        .isEqualTo(103));
        assertThat(rendered.ofKind("postgresql"))
                .allSatisfy(pg -> assertThat(pg.at("/spec/tls").toString())
                        .isEqualTo("{\"secretName\":\"citus-server-tls\",\"caSecretName\":\"citus-ca\","
                                + "\"caFile\":\"ca.pem\"}"));
        for (JsonNode worker : rendered.postgresqls("worker")) {
            JsonNode registrar = Charts.sidecar(worker, "citus-worker-registrar");
            assertThat(Charts.env(registrar, "PGSSLMODE")).isEqualTo("verify-full");
            assertThat(Charts.env(registrar, "PGSSLROOTCERT")).isEqualTo("/opt/citus-pgvector/tls-ca/ca.pem");
            JsonNode ca = volume(worker, "tls-ca");
            assertThat(ca.path("targetContainers").toString()).isEqualTo("[\"citus-worker-registrar\"]");
            assertThat(ca.at("/volumeSource/secret/secretName").asText()).isEqualTo("citus-ca");
        }
        String yaml = rendered.yaml();
        assertThat(yaml).doesNotContain("value: require");
        JsonNode cert = Charts.render(
                        CHART,
                        Map.of(
                                "tls.certManager.enabled",
                                "true",
                                "tls.certManager.issuerName",
                                "ca",
                                "tls.caFile",
                                "ca.crt",
                                "workers.count",
                                "3"))
                .named("Certificate", "citus-tls");
        List<String> names = new ArrayList<>();
        cert.at("/spec/dnsNames").forEach(n -> names.add(n.asText()));
        assertThat(names)
                .contains(
                        "citus-coordinator",
                        "citus-coordinator-pooler",
                        "citus-worker-3",
                        "citus-worker-3.vectors.svc",
                        "citus-coordinator.vectors.svc.cluster.local");
        RenderedChart encryptOnly = Charts.render(CHART, Map.of("tls.secretName", "citus-server-tls"));
        assertThat(encryptOnly
                        .named("postgresql", "citus-coordinator")
                        .at("/spec/tls")
                        .toString())
                .isEqualTo("{\"secretName\":\"citus-server-tls\"}");
        assertThat(encryptOnly.yaml()).doesNotContain("verify-full");
    }

    @Test
    @DisplayName("external access: the coordinator (and its pooler) only, through the line's own fields")
    void externalAccess() throws HelmException {
        RenderedChart lb = Charts.render(
                CHART,
                Map.of(
                        "operator.line",
                        "1.15",
                        "externalAccess.enabled",
                        "true",
                        "pooler.enabled",
                        "true",
                        "externalAccess.pooler",
                        "true",
                        "externalAccess.allowedSourceRanges[0]",
                        "198.51.100.0/24"));
        JsonNode coordinator = lb.named("postgresql", "citus-coordinator").path("spec");
        assertThat(coordinator.path("enableMasterLoadBalancer").asBoolean()).isTrue();
        assertThat(coordinator.path("enableMasterPoolerLoadBalancer").asBoolean())
                .isTrue();
        assertThat(coordinator.path("enableReplicaLoadBalancer").asBoolean(true))
                .isFalse();
        assertThat(coordinator.path("allowedSourceRanges").toString()).isEqualTo("[\"198.51.100.0/24\"]");
        assertThat(fieldNames(coordinator)).as("no v2.0 fields on 1.15").doesNotContain("enableMasterNodePort");
        for (JsonNode worker : lb.postgresqls("worker")) {
            assertThat(worker.at("/spec/enableMasterLoadBalancer").asBoolean(true))
                    .isFalse();
            assertThat(worker.at("/spec/enableReplicaLoadBalancer").asBoolean(true))
                    .isFalse();
            assertThat(worker.path("spec").has("allowedSourceRanges")).isFalse();
        }
        RenderedChart nodePort = Charts.render(
                CHART,
                Map.of(
                        "externalAccess.enabled",
                        "true",
                        "externalAccess.type",
                        "NodePort",
                        "externalAccess.coordinatorNodePort",
                        "30432"));
        JsonNode spec = nodePort.named("postgresql", "citus-coordinator").path("spec");
        assertThat(spec.path("enableMasterNodePort").asBoolean()).isTrue();
        assertThat(spec.path("masterNodePort").asInt()).isEqualTo(30432);
        assertThat(spec.path("enableMasterLoadBalancer").asBoolean(true)).isFalse();
        for (JsonNode worker : nodePort.postgresqls("worker")) {
            assertThat(worker.at("/spec/enableMasterNodePort").asBoolean(true)).isFalse();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "nodePortOn115",
                "ipv6On115",
                "poolerNotEnabled",
                "caSecretWithoutFile",
                "issuerMissing",
                "tlsSecretNamedLikeAVolume",
                "caSecretSameAsSecret",
                "poolOfZero",
                "metricsUnscrapable"
            })
    @DisplayName("values a line or the operator cannot take fail the render, naming the value")
    void impossibleValuesFail(String scenario) {
        Map<String, String> set = switch (scenario) {
            case "nodePortOn115" ->
                Map.of("operator.line", "1.15", "externalAccess.enabled", "true", "externalAccess.type", "NodePort");
            case "ipv6On115" ->
                Map.of(
                        "operator.line",
                        "1.15",
                        "externalAccess.enabled",
                        "true",
                        "externalAccess.allowedSourceRanges[0]",
                        "2001:db8::/32");
            case "poolerNotEnabled" -> Map.of("externalAccess.enabled", "true", "externalAccess.pooler", "true");
            case "caSecretWithoutFile" -> Map.of("tls.secretName", "a", "tls.caSecretName", "b");
            case "tlsSecretNamedLikeAVolume" -> Map.of("tls.secretName", "citus-worker-registrar");
            case "caSecretSameAsSecret" ->
                Map.of("tls.secretName", "server", "tls.caSecretName", "server", "tls.caFile", "ca.crt");
            case "poolOfZero" ->
                Map.of("pooler.enabled", "true", "pooler.instances", "2", "pooler.maxDBConnections", "3");
            case "metricsUnscrapable" -> Map.of("metrics.enabled", "true");
            default -> Map.of("tls.certManager.enabled", "true");
        };
        String expected = switch (scenario) {
            case "nodePortOn115" -> "externalAccess.type: NodePort needs operator line 2.0";
            case "ipv6On115" -> "operator line 1.15 accepts IPv4 ranges only, got \"2001:db8::/32\"";
            case "poolerNotEnabled" -> "externalAccess.pooler: needs pooler.enabled: true";
            case "caSecretWithoutFile" -> "tls.caFile: must name the CA key of Secret \"b\"";
            case "tlsSecretNamedLikeAVolume" ->
                "tls.secretName: must not be the name of a volume the pods already have";
            case "caSecretSameAsSecret" -> "tls.caSecretName: must differ from tls.secretName";
            case "poolOfZero" ->
                "pooler.maxDBConnections: must be 0 (the operator's default) or at least 2 x" + " pooler.instances = 4";
            case "metricsUnscrapable" -> "networkPolicy.metricsNamespaces: must list your Prometheus's namespace";
            default -> "tls.certManager.issuerName: must be set";
        };
        assertThatThrownBy(() -> Charts.render(CHART, set))
                .isInstanceOf(HelmException.class)
                .hasMessageContaining(expected);
    }

    @Test
    @DisplayName("network policy: PostgreSQL from the release, the operator and listed clients; Patroni's API only"
            + " from the release and the operator; clients reach the coordinator and pooler, never a worker")
    void networkPolicy() throws HelmException {
        RenderedChart rendered = Charts.render(
                CHART,
                Map.of(
                        "networkPolicy.enabled",
                        "true",
                        "networkPolicy.allowedNamespaces[0]",
                        "apps",
                        "networkPolicy.allowedCidrs[0]",
                        "10.20.0.0/16",
                        "pooler.enabled",
                        "true",
                        "metrics.enabled",
                        "true",
                        "networkPolicy.metricsNamespaces[0]",
                        "monitoring"));
        JsonNode postgres = rendered.named("NetworkPolicy", "citus-postgres").path("spec");
        JsonNode patroni = ingressOnPort(postgres, 8008);
        assertThat(patroni.path("from")).hasSize(3);
        assertThat(patroni.at("/from/0/podSelector/matchExpressions/0/values").toString())
                .isEqualTo("[\"citus-coordinator\",\"citus-worker-1\",\"citus-worker-2\"]");
        // The operator however it was installed: its Helm chart's labels, and its plain manifests'.
        for (int peer = 1; peer <= 2; peer++) {
            assertThat(patroni.at("/from/" + peer + "/namespaceSelector/matchLabels")
                            .toString())
                    .isEqualTo("{\"kubernetes.io/metadata.name\":\"postgres-operator\"}");
        }
        assertThat(patroni.at("/from/1/podSelector/matchLabels").toString())
                .isEqualTo("{\"app.kubernetes.io/name\":\"postgres-operator\"}");
        assertThat(patroni.at("/from/2/podSelector/matchLabels").toString())
                .isEqualTo("{\"name\":\"postgres-operator\"}");
        assertThat(ingressOnPort(postgres, 5432).path("from").toString())
                .contains("{\"name\":\"postgres-operator\"}")
                .contains("{\"app.kubernetes.io/name\":\"postgres-operator\"}");
        assertThat(postgres.path("ingress").toString())
                .as("bg_mon's port from nowhere")
                .doesNotContain("8080");
        assertThat(ingressOnPort(postgres, 5432).toString())
                .doesNotContain("apps")
                .doesNotContain("10.20.0.0/16");
        assertThat(ingressOnPort(postgres, 9187).toString()).contains("monitoring");
        JsonNode clients =
                rendered.named("NetworkPolicy", "citus-coordinator-clients").path("spec");
        assertThat(clients.at("/podSelector/matchLabels/cluster-name").asText()).isEqualTo("citus-coordinator");
        assertThat(ingressOnPort(clients, 5432).toString()).contains("apps").contains("10.20.0.0/16");
        JsonNode pooler =
                rendered.named("NetworkPolicy", "citus-coordinator-pooler").path("spec");
        assertThat(pooler.at("/podSelector/matchLabels/application").asText()).isEqualTo("db-connection-pooler");
        assertThat(ingressOnPort(pooler, 5432).toString()).contains("apps").contains("10.20.0.0/16");
    }

    private static JsonNode ingressOnPort(JsonNode policySpec, int port) {
        for (JsonNode rule : policySpec.path("ingress")) {
            for (JsonNode p : rule.path("ports")) {
                if (p.path("port").asInt() == port) {
                    return rule;
                }
            }
        }
        throw new AssertionError("no ingress rule for port " + port + " in " + policySpec);
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static JsonNode volume(JsonNode postgresql, String name) {
        for (JsonNode v : postgresql.at("/spec/additionalVolumes")) {
            if (v.path("name").asText().equals(name)) {
                return v;
            }
        }
        throw new AssertionError("no additional volume " + name + " in "
                + postgresql.at("/metadata/name").asText());
    }
}
