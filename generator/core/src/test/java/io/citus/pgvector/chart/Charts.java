package io.citus.pgvector.chart;

import com.fasterxml.jackson.databind.JsonNode;
import io.citus.pgvector.helm.HelmClient;
import io.citus.pgvector.helm.HelmException;
import io.citus.pgvector.render.RenderedChart;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** How the chart tests render: release {@code citus} in namespace {@code vectors}, Helm's default Kubernetes version. */
public final class Charts {

    public static final String RELEASE = "citus";
    public static final String NAMESPACE = "vectors";

    private Charts() {}

    /** Renders with a fixed superuser password so the output is deterministic, plus the given settings. */
    public static RenderedChart render(Path chart, Map<String, String> set, Path... valuesFiles) throws HelmException {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("superuser.password", "not-a-secret");
        all.putAll(set);
        return renderExactly(chart, all, valuesFiles);
    }

    /** Writes a rendered ConfigMap's files into {@code dir}, flat, as a volume mounts them in a pod; returns dir. */
    public static Path mountConfigMap(JsonNode configMap, Path dir) {
        try {
            Files.createDirectories(dir);
            for (Iterator<Map.Entry<String, JsonNode>> it =
                            configMap.path("data").fields();
                    it.hasNext(); ) {
                Map.Entry<String, JsonNode> file = it.next();
                Files.writeString(dir.resolve(file.getKey()), file.getValue().asText(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    public static RenderedChart renderExactly(Path chart, Map<String, String> set, Path... valuesFiles)
            throws HelmException {
        return RenderedChart.render(new HelmClient.TemplateRequest(
                chart.toString(),
                null,
                RELEASE,
                NAMESPACE,
                HelmClient.DEFAULT_KUBE_VERSION,
                List.of(valuesFiles),
                set,
                HelmClient.Registry.DEFAULT));
    }

    /** The env entry {@code name} of anything with an env list: a container, a postgresql resource's spec. */
    public static JsonNode envVar(JsonNode withEnv, String name) {
        for (JsonNode e : withEnv.path("env")) {
            if (e.path("name").asText().equals(name)) {
                return e;
            }
        }
        throw new AssertionError("no env " + name + " in " + withEnv.path("env"));
    }

    /** The plain value of env entry {@code name}. */
    public static String env(JsonNode withEnv, String name) {
        return envVar(withEnv, name).path("value").asText();
    }

    /** A sidecar of a rendered postgresql resource, by name. */
    public static JsonNode sidecar(JsonNode postgresql, String name) {
        for (JsonNode s : postgresql.at("/spec/sidecars")) {
            if (s.path("name").asText().equals(name)) {
                return s;
            }
        }
        throw new AssertionError(
                "no sidecar " + name + " in " + postgresql.at("/metadata/name").asText());
    }
}
