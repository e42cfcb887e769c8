package io.citus.pgvector.render;

import com.fasterxml.jackson.databind.JsonNode;
import io.citus.pgvector.helm.HelmClient;
import io.citus.pgvector.helm.HelmException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/** {@code helm template} of a chart through helm-java, split into objects: what a release of the chart creates. */
public record RenderedChart(String yaml, List<JsonNode> objects) {

    public static RenderedChart render(HelmClient.TemplateRequest request) throws HelmException {
        return of(new HelmClient().template(request));
    }

    /** A chart folder rendered by helm-java without further options: namespace default, the default Kubernetes. */
    public static RenderedChart render(Path chart, String release, List<Path> valuesFiles, Map<String, String> set)
            throws HelmException {
        return render(HelmClient.TemplateRequest.folder(chart, release, valuesFiles, set));
    }

    /** @throws IllegalArgumentException when a document is not valid YAML */
    public static RenderedChart of(String yaml) {
        return new RenderedChart(yaml, Manifests.split(yaml));
    }

    public List<JsonNode> ofKind(String kind) {
        return objects.stream()
                .filter(o -> o.path("kind").asText().equals(kind))
                .toList();
    }

    /** The {@code postgresql} resources of one component ({@code coordinator} or {@code worker}). */
    public List<JsonNode> postgresqls(String component) {
        return ofKind("postgresql").stream()
                .filter(o -> o.path("metadata")
                        .path("labels")
                        .path("app.kubernetes.io/component")
                        .asText()
                        .equals(component))
                .toList();
    }

    /** @throws NoSuchElementException naming the object when the chart rendered none of that kind and name */
    public JsonNode named(String kind, String name) {
        return ofKind(kind).stream()
                .filter(o -> o.path("metadata").path("name").asText().equals(name))
                .findFirst()
                .orElseThrow(() -> new NoSuchElementException("no " + kind + " " + name + " in:\n" + yaml));
    }
}
