package io.citus.pgvector.k3s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.marcnuri.helm.Helm;
import io.citus.pgvector.render.Manifests;
import io.citus.pgvector.testing.ProjectFiles;
import io.citus.pgvector.validation.CrdSchemaValidator;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.ApiextensionsV1Api;
import io.kubernetes.client.openapi.apis.CustomObjectsApi;
import io.kubernetes.client.openapi.models.V1CustomResourceDefinition;
import io.kubernetes.client.util.Config;
import io.kubernetes.client.util.Yaml;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Installs the committed chart into a real API server (k3s) that has the operator's CRD, without the operator: what is
 * checked is that the API server accepts every object and stores the postgresql specs unpruned. The scaling hooks and
 * the uninstall guard are switched off: without the operator no coordinator ever answers, so their Jobs would wait
 * out their timeout (they are tested against a real Citus cluster in io.citus.pgvector.scaling).
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class K3sInstallTest {

    private static final DockerImageName K3S = DockerImageName.parse("rancher/k3s:v1.31.5-k3s1");
    private static final String NAMESPACE = "vectors";
    private static final Path CHART = ProjectFiles.committedChart();

    private static String skipReason;
    private static K3sContainer k3s;
    private static ApiClient client;

    @BeforeAll
    static void startK3s() throws Exception {
        Optional<Path> crd = CrdSchemaValidator.locateCrd("postgresql.crd.yaml");
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            skipReason = "no Docker engine to run k3s in (Testcontainers found none)";
            return;
        }
        if (crd.isEmpty()) {
            skipReason = "the operator's postgresql CRD was not found (set -Dzalando.crd.dir)";
            return;
        }
        k3s = new K3sContainer(K3S);
        k3s.start();
        client = Config.fromConfig(new StringReader(k3s.getKubeConfigYaml()));
        V1CustomResourceDefinition definition =
                Yaml.loadAs(Files.readString(crd.get()), V1CustomResourceDefinition.class);
        new ApiextensionsV1Api(client)
                .createCustomResourceDefinition(definition)
                .execute();
        awaitEstablished(definition.getMetadata().getName());
    }

    @AfterAll
    static void stopK3s() {
        if (k3s != null) {
            k3s.stop();
        }
    }

    @BeforeEach
    void needsK3s() {
        Assumptions.assumeTrue(skipReason == null, () -> skipReason);
    }

    private static void awaitEstablished(String name) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(1));
        ApiextensionsV1Api api = new ApiextensionsV1Api(client);
        while (Instant.now().isBefore(deadline)) {
            V1CustomResourceDefinition crd =
                    api.readCustomResourceDefinition(name).execute();
            if (crd.getStatus() != null
                    && crd.getStatus().getConditions() != null
                    && crd.getStatus().getConditions().stream()
                            .anyMatch(c -> c.getType().equals("Established")
                                    && c.getStatus().equals("True"))) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("CRD " + name + " not established within a minute");
    }

    private static JsonNode postgresqls() throws Exception {
        Object list = new CustomObjectsApi(client)
                .listNamespacedCustomObject("acid.zalan.do", "v1", NAMESPACE, "postgresqls")
                .execute();
        ObjectMapper json = new ObjectMapper();
        return json.readTree(io.kubernetes.client.openapi.JSON.serialize(list)).path("items");
    }

    private static String render(int workers) throws Exception {
        return new Helm(CHART)
                .template()
                .withName("citus")
                .withNamespace(NAMESPACE)
                .withKubeVersion("1.31.5")
                .set("superuser.password", "k3s-test")
                .set("workers.count", workers)
                .call();
    }

    @Test
    @DisplayName("helm install, then helm upgrade from 2 to 3 workers: the API server keeps 1 + N postgresql"
            + " resources, each spec exactly as rendered")
    void installAndScaleUp() throws Exception {
        String kubeconfig = k3s.getKubeConfigYaml();
        Helm.install(CHART.toString())
                .withName("citus")
                .withNamespace(NAMESPACE)
                .createNamespace()
                .withKubeConfigContents(kubeconfig)
                .set("superuser.password", "k3s-test")
                .set("workers.count", 2)
                .set("scaling.hooks", false)
                .set("scaling.guardUninstall", false)
                .call();
        assertStored(2);

        Helm.upgrade(CHART.toString())
                .withName("citus")
                .withNamespace(NAMESPACE)
                .withKubeConfigContents(kubeconfig)
                .set("superuser.password", "k3s-test")
                .set("workers.count", 3)
                .set("scaling.hooks", false)
                .set("scaling.guardUninstall", false)
                .call();
        assertStored(3);
    }

    private void assertStored(int workers) throws Exception {
        Map<String, JsonNode> rendered = new java.util.TreeMap<>();
        for (JsonNode object : Manifests.split(render(workers))) {
            if (object.path("kind").asText().equals("postgresql")) {
                rendered.put(object.at("/metadata/name").asText(), object.path("spec"));
            }
        }
        List<JsonNode> stored =
                StreamSupport.stream(postgresqls().spliterator(), false).toList();
        assertThat(stored)
                .extracting(o -> o.at("/metadata/name").asText())
                .containsExactlyInAnyOrderElementsOf(rendered.keySet())
                .hasSize(1 + workers);
        for (JsonNode object : stored) {
            String name = object.at("/metadata/name").asText();
            assertThat(object.path("spec"))
                    .as("stored spec of %s (pruned fields would be missing)", name)
                    .isEqualTo(rendered.get(name));
        }
    }
}
