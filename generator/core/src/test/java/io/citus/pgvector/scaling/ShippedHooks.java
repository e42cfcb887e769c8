package io.citus.pgvector.scaling;

import com.fasterxml.jackson.databind.JsonNode;
import io.citus.pgvector.chart.Charts;
import io.citus.pgvector.helm.HelmException;
import io.citus.pgvector.render.Manifests;
import io.citus.pgvector.testing.ProjectFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The committed chart's hooks and test pod as Helm renders them. helm-java's template returns the release manifest
 * without hooks, so the chart is copied with the {@code helm.sh/hook} annotation keys renamed (Helm then renders
 * the hooks as ordinary objects) and the keys are renamed back in the output: the objects are exactly what Helm
 * creates for each hook.
 */
public record ShippedHooks(String yaml, List<JsonNode> objects) {

    static final String RELEASE = Charts.RELEASE;
    static final String NAMESPACE = Charts.NAMESPACE;
    private static final String HOOK_KEY = "helm.sh/hook";
    private static final String RENAMED_KEY = "rendered-by-test.citus-pgvector.io/hook";

    /** Renders the hooks and everything else with a fixed password plus {@code set}; {@code work} holds the copy. */
    public static ShippedHooks render(Path work, Map<String, String> set) throws HelmException {
        Path copy = work.resolve("chart-" + System.nanoTime());
        copyRenamingHookKeys(ProjectFiles.committedChart(), copy);
        String yaml = Charts.render(copy, set).yaml().replace(RENAMED_KEY, HOOK_KEY);
        return new ShippedHooks(yaml, Manifests.split(yaml));
    }

    private static void copyRenamingHookKeys(Path from, Path to) {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (from.relativize(p).startsWith("templates")) {
                    Files.writeString(target, Files.readString(p).replace(HOOK_KEY, RENAMED_KEY));
                } else {
                    Files.copy(p, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<JsonNode> hooks() {
        return objects.stream()
                .filter(o -> o.at("/metadata/annotations").has(HOOK_KEY))
                .toList();
    }

    public JsonNode named(String kind, String name) {
        return objects.stream()
                .filter(o -> o.path("kind").asText().equals(kind)
                        && o.at("/metadata/name").asText().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in:\n" + yaml));
    }

    public boolean has(String kind, String name) {
        return objects.stream()
                .anyMatch(o -> o.path("kind").asText().equals(kind)
                        && o.at("/metadata/name").asText().equals(name));
    }

    public static String annotation(JsonNode object, String key) {
        return object.at("/metadata/annotations").path(key).asText(null);
    }

    /** The pod spec of a Job (its template's), a CronJob (its job template's) or a Pod. */
    public static JsonNode podSpec(JsonNode jobOrPod) {
        return switch (jobOrPod.path("kind").asText()) {
            case "Job" -> jobOrPod.at("/spec/template/spec");
            case "CronJob" -> jobOrPod.at("/spec/jobTemplate/spec/template/spec");
            default -> jobOrPod.path("spec");
        };
    }

    /** The pods that run the chart's scripts with the default values: the three hook Jobs and the test pod. */
    List<JsonNode> scriptPods() {
        return List.of(
                named("Job", RELEASE + "-scale-down"),
                named("Job", RELEASE + "-scale-up"),
                named("Job", RELEASE + "-uninstall-guard"),
                named("Pod", RELEASE + "-test-vector-queries"));
    }

    /** The env of the first container of a Job or Pod: plain values, and secretKeyRef as "secret:NAME/KEY". */
    public static Map<String, String> env(JsonNode jobOrPod) {
        JsonNode spec = podSpec(jobOrPod);
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode e : spec.at("/containers/0/env")) {
            JsonNode ref = e.at("/valueFrom/secretKeyRef");
            env.put(
                    e.path("name").asText(),
                    ref.isMissingNode()
                            ? e.path("value").asText()
                            : "secret:" + ref.path("name").asText() + "/"
                                    + ref.path("key").asText());
        }
        return env;
    }

    /** Writes the scripts ConfigMap's files into {@code dir}, flat, as its volume mounts them in the pods. */
    public Path mountScripts(Path dir) {
        JsonNode scripts = objects.stream()
                .filter(o -> o.path("kind").asText().equals("ConfigMap")
                        && o.at("/metadata/labels/app.kubernetes.io~1component")
                                .asText()
                                .equals("scaling"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no scripts ConfigMap in:\n" + yaml));
        return Charts.mountConfigMap(scripts, dir);
    }

    /** What a script printed (stdout and stderr together) and its exit status. */
    public record Run(int exitCode, String output) {}

    /**
     * Runs a mounted script the way the hook container does ({@code /bin/bash <dir>/<script>}) with the container's
     * env from {@code podEnv} and {@code overrides} on top (connection settings of the local coordinator).
     */
    public static Run run(
            Path scripts,
            String script,
            Map<String, String> podEnv,
            Map<String, String> overrides,
            long timeoutSeconds) {
        return start(scripts, script, podEnv, overrides).await(timeoutSeconds);
    }

    /** A started script: its process and the file its output goes to, readable while it runs. */
    public record Running(Process process, Path outputFile) {

        /** What the script printed so far. */
        public String output() {
            try {
                return Files.readString(outputFile, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Waits for the end; a script still running after {@code timeoutSeconds} is killed and fails the test. */
        public Run await(long timeoutSeconds) {
            try {
                if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new AssertionError("script did not end within " + timeoutSeconds + "s:\n" + output());
                }
                Run run = new Run(process.exitValue(), output());
                Files.deleteIfExists(outputFile);
                return run;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    public static Running start(
            Path scripts, String script, Map<String, String> podEnv, Map<String, String> overrides) {
        try {
            Path output = Files.createTempFile("hook-" + script, ".log");
            ProcessBuilder builder = new ProcessBuilder(
                            "/bin/bash", scripts.resolve(script).toString())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Map<String, String> env = builder.environment();
            env.keySet().removeIf(k -> k.startsWith("PG"));
            podEnv.forEach((k, v) -> {
                if (!v.startsWith("secret:")) {
                    env.put(k, v);
                }
            });
            env.putAll(overrides);
            return new Running(builder.start(), output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
