package io.citus.pgvector.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.citus.pgvector.testing.ProjectFiles;
import java.io.InputStream;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The operator reads exactly one ConfigMap and gives every key it lacks its code default (config.go NewFromMap), not
 * the value of the ConfigMap it ships: a ConfigMap of five keys would make it watch only its own namespace, give
 * clusters LoadBalancers and, on 2.0, move Patroni to ConfigMaps. So the chart's ConfigMap is the line's shipped one
 * (the upstream manifests/configmap.yaml of each line, test resources operator/configmap-*.yaml) with the chart's keys
 * over it, and no docker_image.
 */
@DisplayName("the operator ConfigMap against the line's shipped manifest")
class OperatorConfigMapTest {

    /** The keys the chart sets over the shipped ConfigMap, with their values. */
    private static final Map<String, String> CHART_KEYS = Map.of(
            "enable_sidecars", "true",
            "enable_teams_api", "false",
            "major_version_upgrade_mode", "off",
            "super_username", "postgres");

    private static Map<String, String> shipped(String tag) throws Exception {
        try (InputStream in = OperatorConfigMapTest.class.getResourceAsStream("/operator/configmap-" + tag + ".yaml")) {
            assertThat(in).as("fixture of %s", tag).isNotNull();
            JsonNode data = new ObjectMapper(new YAMLFactory()).readTree(in).path("data");
            Map<String, String> keys = new TreeMap<>();
            data.fields()
                    .forEachRemaining(e -> keys.put(e.getKey(), e.getValue().asText()));
            return keys;
        }
    }

    private static Map<String, String> rendered(String line, Map<String, String> more) throws Exception {
        Map<String, String> set = new TreeMap<>(more);
        set.put("operator.line", line);
        set.put("operatorConfigMap.create", "true");
        JsonNode data = Charts.render(ProjectFiles.committedChart(), set)
                .named("ConfigMap", "postgres-operator-citus")
                .path("data");
        Map<String, String> keys = new TreeMap<>();
        data.fields().forEachRemaining(e -> keys.put(e.getKey(), e.getValue().asText()));
        return keys;
    }

    @ParameterizedTest(name = "line {0} against {1}")
    @CsvSource({"1.15, v1.15.1", "2.0, v2.0.1"})
    @DisplayName("every shipped key with its shipped value, the chart's keys over them, no docker_image")
    void shippedKeysWithTheChartsOver(String line, String tag) throws Exception {
        Map<String, String> shipped = shipped(tag);
        Map<String, String> expected = new TreeMap<>(shipped);
        expected.remove("docker_image");
        expected.putAll(CHART_KEYS);

        Map<String, String> data = rendered(line, Map.of());

        assertThat(data).isEqualTo(expected);
        // The keys whose code default differs from the shipped value, and which broke the chart's clusters.
        assertThat(data)
                .containsEntry("watched_namespace", "*")
                .containsEntry("enable_master_load_balancer", "false")
                .containsEntry("kubernetes_use_configmaps", "false")
                .doesNotContainKey("docker_image");
    }

    @ParameterizedTest(name = "line {0}")
    @CsvSource({"1.15", "2.0"})
    @DisplayName("operatorConfigMap.data goes over both")
    void userDataWins(String line) throws Exception {
        Map<String, String> data = rendered(
                line,
                Map.of(
                        "operatorConfigMap.data.watched_namespace", "vectors",
                        "operatorConfigMap.data.enable_teams_api", "true",
                        "operatorConfigMap.data.enable_pod_antiaffinity", "true",
                        "operatorConfigMap.data.enable_persistent_volume_claim_deletion", "false"));
        assertThat(data)
                .containsEntry("watched_namespace", "vectors")
                .containsEntry("enable_teams_api", "true")
                .containsEntry("enable_pod_antiaffinity", "true")
                .containsEntry("enable_persistent_volume_claim_deletion", "false");
    }
}
