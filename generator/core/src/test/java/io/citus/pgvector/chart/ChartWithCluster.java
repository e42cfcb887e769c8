package io.citus.pgvector.chart;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.citus.pgvector.testing.ProjectFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The committed chart with its one lookup helper ({@code templates/_cluster.tpl}, {@code citus-pgvector.cluster})
 * replaced by a fixed answer: what the Kubernetes API would say about the release's clusters. helm-java renders
 * without a cluster, so this is how a test puts the chart in front of existing clusters; everything that decides on
 * the answer is the chart's own. The answer has the keys the real helper documents.
 */
final class ChartWithCluster {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final Map<String, Object> state = new LinkedHashMap<>();

    private ChartWithCluster(boolean operatorApi, boolean reachable) {
        state.put("operatorApi", operatorApi);
        state.put("reachable", reachable);
    }

    /** helm install or upgrade against a cluster that runs the operator. */
    static ChartWithCluster reachable() {
        return new ChartWithCluster(true, true);
    }

    /** A render aimed at a cluster with the operator that cannot read it: Argo CD's helm template. */
    static ChartWithCluster unreadable() {
        return new ChartWithCluster(true, false);
    }

    /** The coordinator's credentials Secret exists with this password. */
    ChartWithCluster coordinatorSecret(String password) {
        state.put("coordinatorSecret", secret(Map.of("username", "postgres", "password", password)));
        return this;
    }

    /** The coordinator's postgresql resource exists, running this PostgreSQL major. */
    ChartWithCluster coordinator(String version) {
        state.put("coordinator", postgresql(Charts.RELEASE + "-coordinator", version));
        return this;
    }

    /** Worker {@code id}'s postgresql resource exists, running this PostgreSQL major. */
    @SuppressWarnings("unchecked")
    ChartWithCluster worker(int id, String version) {
        String name = Charts.RELEASE + "-worker-" + id;
        ((Map<String, Object>) state.computeIfAbsent("workers", k -> new LinkedHashMap<String, Object>()))
                .put(name, postgresql(name, version));
        return this;
    }

    private static Map<String, Object> postgresql(String name, String version) {
        return Map.of(
                "apiVersion",
                "acid.zalan.do/v1",
                "kind",
                "postgresql",
                "metadata",
                Map.of("name", name),
                "spec",
                Map.of("postgresql", Map.of("version", version)));
    }

    /** The Secret that keeps the generated passwords of applicationRoles exists with these keys. */
    ChartWithCluster applicationRolesSecret(Map<String, String> data) {
        state.put("applicationRolesSecret", secret(data));
        return this;
    }

    private static Map<String, Object> secret(Map<String, String> data) {
        Map<String, String> encoded = new LinkedHashMap<>();
        data.forEach((k, v) -> encoded.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
        return Map.of("apiVersion", "v1", "kind", "Secret", "data", encoded);
    }

    /** A copy of the committed chart under {@code dir} answering with this state. */
    Path chart(Path dir) {
        Path from = ProjectFiles.committedChart();
        Path to = dir.resolve("chart-" + System.nanoTime());
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
            Files.writeString(
                    to.resolve("templates/_cluster.tpl"),
                    "{{- define \"citus-pgvector.cluster\" -}}\n"
                            + YAML.writeValueAsString(state).replaceFirst("^---\\s*\\n", "") + "{{- end }}\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return to;
    }
}
