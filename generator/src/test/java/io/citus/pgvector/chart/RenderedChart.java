package io.citus.pgvector.chart;

import com.fasterxml.jackson.databind.JsonNode;
import io.citus.pgvector.helm.HelmClient;
import io.citus.pgvector.helm.HelmException;
import io.citus.pgvector.validation.RenderedManifests;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code helm template} of a chart folder through helm-java, split into objects: the renderer of every test. */
public record RenderedChart(String yaml, List<JsonNode> objects) {

    public static final String RELEASE = "citus";
    public static final String NAMESPACE = "vectors";

    /** Project root, where charts/ and values/ are. */
    public static Path projectRoot() {
        return Path.of(System.getProperty("project.root", "..")).toAbsolutePath().normalize();
    }

    public static Path committedChart() {
        return projectRoot().resolve("charts/citus-pgvector");
    }

    /** Renders with a fixed superuser password so the output is deterministic, plus the given settings. */
    public static RenderedChart render(Path chart, Map<String, String> set, Path... valuesFiles) throws HelmException {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("superuser.password", "not-a-secret");
        all.putAll(set);
        return renderExactly(chart, all, valuesFiles);
    }

    public static RenderedChart renderExactly(Path chart, Map<String, String> set, Path... valuesFiles) throws HelmException {
        String yaml = new HelmClient().template(new HelmClient.TemplateRequest(chart.toString(), null, RELEASE,
                NAMESPACE, "1.31.0", List.of(valuesFiles), set, HelmClient.Registry.DEFAULT));
        return new RenderedChart(yaml, RenderedManifests.split(yaml));
    }

    public List<JsonNode> ofKind(String kind) {
        return objects.stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
    }

    public List<JsonNode> postgresqls(String component) {
        return ofKind("postgresql").stream()
                .filter(o -> o.path("metadata").path("labels").path("app.kubernetes.io/component").asText()
                        .equals(component))
                .toList();
    }

    public JsonNode named(String kind, String name) {
        return ofKind(kind).stream().filter(o -> o.path("metadata").path("name").asText().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in:\n" + yaml));
    }
}
