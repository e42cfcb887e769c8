package io.citus.pgvector.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.citus.pgvector.Failure;
import io.citus.pgvector.helm.HelmClient;
import io.citus.pgvector.helm.HelmException;
import io.citus.pgvector.render.RenderedChart;
import io.citus.pgvector.testing.ProjectFiles;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A render may reach the chart with an empty release namespace (helm-java's template without one). Objects that carry
 * the namespace in their content would then name none (a certificate for "citus-coordinator.", a PodMonitor matching
 * no namespace, alerts selecting namespace="" that never stop firing): the chart refuses them, naming the cause; the
 * objects that Kubernetes places by the request's namespace render as before.
 */
@DisplayName("a render with an empty namespace")
class EmptyNamespaceTest {

    /**
     * Renders with helm-java directly: the project's own commands default the namespace as helm template does, so only
     * a caller of Helm's library that names no namespace reaches the chart with an empty one.
     */
    private static RenderedChart render(String namespace, Map<String, String> set) throws HelmException {
        Map<String, String> all = new LinkedHashMap<>(set);
        all.put("superuser.password", "not-a-secret");
        TemplateCommand template = new Helm(ProjectFiles.committedChart())
                .template()
                .withName(Charts.RELEASE)
                .withKubeVersion(HelmClient.DEFAULT_KUBE_VERSION);
        if (!namespace.isEmpty()) {
            template = template.withNamespace(namespace);
        }
        for (Map.Entry<String, String> e : all.entrySet()) {
            template = template.set(e.getKey(), e.getValue());
        }
        try {
            return RenderedChart.of(template.call());
        } catch (IllegalStateException e) {
            throw new HelmException(Failure.Kind.INVALID_INPUT, "helm template", e);
        }
    }

    private static Map<String, String> feature(String feature) {
        return switch (feature) {
            case "certificate" -> Map.of("tls.certManager.enabled", "true", "tls.certManager.issuerName", "ca");
            case "podMonitorAndAlerts" ->
                Map.of(
                        "metrics.enabled", "true",
                        "metrics.prometheusOperator", "always",
                        "networkPolicy.metricsNamespaces[0]", "monitoring");
            default -> throw new IllegalArgumentException(feature);
        };
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"certificate", "podMonitorAndAlerts"})
    @DisplayName("fails, naming the cause, where an object would carry it")
    void failsWhereAnObjectCarriesIt(String feature) {
        assertThatThrownBy(() -> render("", feature(feature)))
                .isInstanceOf(HelmException.class)
                .hasMessageContaining("the release namespace is empty")
                .hasMessageContaining("-n NAMESPACE");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"certificate", "podMonitorAndAlerts"})
    @DisplayName("renders them with the namespace given")
    void rendersWithANamespace(String feature) throws HelmException {
        String yaml = render("vectors", feature(feature)).yaml();
        assertThat(yaml)
                .contains("vectors")
                .doesNotContain("citus-coordinator.\n")
                .doesNotContain("namespace=\"\"");
    }

    @ParameterizedTest(name = "operator line {0}")
    @ValueSource(strings = {"1.15", "2.0"})
    @DisplayName("renders the default chart, which carries no namespace in any content")
    void defaultsRender(String line) throws HelmException {
        assertThat(render("", Map.of("operator.line", line)).ofKind("postgresql"))
                .isNotEmpty();
    }
}
