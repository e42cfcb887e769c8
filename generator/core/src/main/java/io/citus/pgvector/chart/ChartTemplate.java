package io.citus.pgvector.chart;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.citus.pgvector.Failure;
import io.citus.pgvector.Failure.Kind;
import io.citus.pgvector.helm.HelmClient;
import io.citus.pgvector.helm.ValueOverrides;
import io.citus.pgvector.model.ValuesLoader;
import io.citus.pgvector.render.Manifests;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code helm template} as the Helm CLI does it, with Helm (helm-java's native library) as the renderer. helm-java's
 * template returns only the release manifest and has no {@code --api-versions}, and a render through it runs the
 * chart's {@code lookup} calls against whatever cluster the kube config names. So the chart is rendered from a
 * temporary copy in which:
 *
 * <ul>
 *   <li>hook annotations carry another key ({@value #HOOK_STANDIN}), so Helm keeps the hooks in the manifest, in its
 *       install order; they are renamed back and moved after the manifest, as {@code helm template} prints them;
 *   <li>{@code templates/_capabilities.tpl}, the chart's one question to {@code .Capabilities.APIVersions}, also
 *       answers yes for the {@code --api-versions} given;
 *   <li>{@code templates/_cluster.tpl}, the chart's one {@code lookup}, answers what {@code helm template} gets from
 *       lookup: nothing (a render never reads a cluster).
 * </ul>
 *
 * NOTES come from a client-only dry-run install of the same copy, and follow the hooks as a comment-only document.
 * A chart given as an {@code oci://} reference cannot be copied (helm-java cannot pull): it renders as helm-java
 * renders it, the release manifest only, and the options that need the copy are refused.
 */
public final class ChartTemplate {

    /** The annotation key hooks carry in the temporary copy. */
    static final String HOOK_STANDIN = "citus-pgvector.render/hook";

    private static final String HOOK = "helm.sh/hook";
    private static final String CAPABILITIES = "templates/_capabilities.tpl";
    private static final String CLUSTER = "templates/_cluster.tpl";
    private static final String NOTES = "templates/NOTES.txt";
    private static final Pattern SEPARATOR = Pattern.compile("(?m)^---[ \\t]*\\n?");
    private static final Pattern SOURCE = Pattern.compile("(?m)^# Source: (\\S+)\\s*$");
    private static final String DEBUG_ADVICE = "\n\nUse --debug flag to render out invalid YAML";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What to render and which parts to print. */
    public record Options(
            String chart,
            String version,
            String releaseName,
            String namespace,
            String kubeVersion,
            List<Path> valuesFiles,
            ValueOverrides overrides,
            List<String> apiVersions,
            List<String> showOnly,
            boolean hooks,
            boolean tests,
            HelmClient.Registry registry) {

        public Options {
            namespace = namespace == null || namespace.isEmpty() ? HelmClient.DEFAULT_NAMESPACE : namespace;
            valuesFiles = List.copyOf(valuesFiles);
            apiVersions = List.copyOf(apiVersions);
            showOnly = List.copyOf(showOnly);
        }

        /** A chart folder rendered as {@code template} renders it without options: hooks, tests and NOTES included. */
        public static Options folder(Path chart, String releaseName, List<Path> valuesFiles, ValueOverrides overrides) {
            return new Options(
                    chart.toString(),
                    null,
                    releaseName,
                    null,
                    HelmClient.DEFAULT_KUBE_VERSION,
                    valuesFiles,
                    overrides,
                    List.of(),
                    List.of(),
                    true,
                    true,
                    HelmClient.Registry.DEFAULT);
        }

        boolean remote() {
            return chart.startsWith("oci://");
        }
    }

    /** One rendered document: the template it came from, its text (with its Source line) and whether it is a hook. */
    public record Document(String source, String text, boolean hook, boolean test) {}

    private ChartTemplate() {}

    /** The documents in {@code helm template}'s order: the release manifest, the hooks, then the NOTES. */
    public static List<Document> render(Options options) throws Failure {
        Map<String, Object> values = options.overrides().apply(options.valuesFiles());
        Path work = tempDirectory();
        try {
            Path valuesFile = work.resolve("values.yaml");
            Files.writeString(valuesFile, ValuesLoader.YAML.writeValueAsString(values), StandardCharsets.UTF_8);
            List<Document> documents;
            if (options.remote()) {
                if (!options.apiVersions().isEmpty()) {
                    throw new Failure(
                            Kind.INVALID_INPUT,
                            "--api-versions needs the chart's files, and helm-java cannot pull an oci:// chart:"
                                    + " helm pull it and pass the folder it unpacks to --chart");
                }
                documents = split(helmTemplate(options, options.chart(), valuesFile), false);
            } else {
                Path copy = copyForRender(Path.of(options.chart()), work.resolve("chart"), options.apiVersions());
                documents = new ArrayList<>(split(helmTemplate(options, copy.toString(), valuesFile), true));
                notes(options, copy, valuesFile).ifPresent(documents::add);
            }
            return select(documents, options);
        } catch (IOException e) {
            throw new Failure(Kind.ENVIRONMENT, "cannot write a temporary copy of the chart: " + e, e);
        } finally {
            deleteTree(work);
        }
    }

    /** The documents as {@code helm template} prints them. */
    public static String text(List<Document> documents) {
        StringBuilder out = new StringBuilder();
        for (Document d : documents) {
            out.append("---\n").append(d.text());
            if (!d.text().endsWith("\n")) {
                out.append('\n');
            }
        }
        return out.toString();
    }

    private static String helmTemplate(Options options, String chart, Path valuesFile) throws Failure {
        try {
            return new HelmClient()
                    .template(new HelmClient.TemplateRequest(
                            chart,
                            options.version(),
                            options.releaseName(),
                            options.namespace(),
                            options.kubeVersion(),
                            List.of(valuesFile),
                            Map.of(),
                            options.registry()));
        } catch (Failure e) {
            throw new Failure(e.kind(), clean(e.getMessage(), options, valuesFile), e);
        }
    }

    private static Optional<Document> notes(Options options, Path copy, Path valuesFile) throws Failure {
        if (!Files.isRegularFile(copy.resolve(NOTES))) {
            return Optional.empty();
        }
        String notes;
        try {
            notes = new HelmClient()
                    .notes(copy, options.releaseName(), options.namespace(), options.kubeVersion(), valuesFile);
        } catch (Failure e) {
            throw new Failure(e.kind(), clean(e.getMessage(), options, valuesFile), e);
        }
        if (notes.isBlank()) {
            return Optional.empty();
        }
        String source = chartName(copy) + "/" + NOTES;
        String commented = notes.strip()
                .lines()
                .map(l -> l.isEmpty() ? "#" : "# " + l)
                .collect(Collectors.joining("\n", "# Source: " + source + "\n", "\n"));
        return Optional.of(new Document(source, commented, false, false));
    }

    /** Helm's message without the temporary paths and without advice about a --debug flag this command lacks. */
    private static String clean(String message, Options options, Path valuesFile) {
        return message.replace(DEBUG_ADVICE, "")
                .replace(HOOK_STANDIN, HOOK)
                .replace(valuesFile.getParent().resolve("chart").toString(), options.chart())
                .replace(valuesFile.toString(), "the values given");
    }

    /**
     * Splits Helm's output into documents; with {@code standIns}, hooks are the documents whose annotations carry the
     * stand-in key, renamed back, and move after the others in the order Helm sorted them.
     */
    static List<Document> split(String output, boolean standIns) {
        List<Document> manifest = new ArrayList<>();
        List<Document> hooks = new ArrayList<>();
        for (String chunk : SEPARATOR.split(output)) {
            if (chunk.isBlank()) {
                continue;
            }
            String text = standIns ? chunk.replace(HOOK_STANDIN, HOOK) : chunk;
            Matcher m = SOURCE.matcher(text);
            String source = m.find() ? m.group(1) : "";
            String events = hookEvents(text);
            Document d = new Document(source, text, !events.isEmpty(), isTest(events));
            (d.hook() ? hooks : manifest).add(d);
        }
        manifest.addAll(hooks);
        return manifest;
    }

    private static String hookEvents(String text) {
        List<JsonNode> nodes;
        try {
            nodes = Manifests.split(text);
        } catch (IllegalArgumentException e) {
            return "";
        }
        return nodes.isEmpty()
                ? ""
                : nodes.get(0).path("metadata").path("annotations").path(HOOK).asText("");
    }

    private static boolean isTest(String events) {
        return Stream.of(events.split(","))
                .map(String::strip)
                .anyMatch(e -> e.equals("test") || e.equals("test-success"));
    }

    /** --no-hooks, --skip-tests and --show-only, as helm template applies them. */
    private static List<Document> select(List<Document> documents, Options options) throws Failure {
        List<Document> kept = documents.stream()
                .filter(d -> options.hooks() || !d.hook())
                .filter(d -> options.tests() || !d.test())
                .toList();
        if (options.showOnly().isEmpty()) {
            return kept;
        }
        List<Document> shown = new ArrayList<>();
        for (String pattern : options.showOnly()) {
            PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern.replace('\\', '/'));
            List<Document> matching = kept.stream()
                    .filter(d -> d.source().contains("/")
                            && matcher.matches(
                                    Path.of(d.source().substring(d.source().indexOf('/') + 1))))
                    .toList();
            if (matching.isEmpty()) {
                throw new Failure(Kind.INVALID_INPUT, "could not find template " + pattern + " in chart");
            }
            shown.addAll(matching);
        }
        return shown;
    }

    /** The chart folder copied to {@code target}, prepared as the class comment says. */
    private static Path copyForRender(Path chart, Path target, List<String> apiVersions) throws Failure, IOException {
        if (!Files.isRegularFile(chart.resolve("Chart.yaml"))) {
            throw new Failure(
                    Kind.INVALID_INPUT,
                    chart + ": not a chart folder (no Chart.yaml); run 'citus-pgvector generate' first or pass"
                            + " --chart");
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(chart)) {
            files = walk.filter(Files::isRegularFile)
                    .filter(p -> !chart.relativize(p).toString().startsWith(".git"))
                    .toList();
        }
        for (Path file : files) {
            String relative = chart.relativize(file).toString().replace('\\', '/');
            Path to = target.resolve(relative);
            Files.createDirectories(to.getParent());
            if (relative.startsWith("templates/")) {
                Files.writeString(
                        to, Files.readString(file, StandardCharsets.UTF_8).replace(HOOK, HOOK_STANDIN));
            } else {
                Files.copy(file, to);
            }
        }
        if (!Files.isRegularFile(target.resolve(CAPABILITIES)) || !Files.isRegularFile(target.resolve(CLUSTER))) {
            throw new Failure(
                    Kind.INVALID_INPUT,
                    chart + ": has no " + CAPABILITIES + " or " + CLUSTER + "; render a citus-pgvector chart of"
                            + " this generator's version");
        }
        Files.writeString(target.resolve(CAPABILITIES), capabilities(apiVersions));
        Files.writeString(target.resolve(CLUSTER), NO_CLUSTER);
        return target;
    }

    /** The chart's API question answered by Helm's capabilities plus the --api-versions given, as Helm would. */
    private static String capabilities(List<String> apiVersions) {
        String list = apiVersions.stream().map(ChartTemplate::goString).collect(Collectors.joining(" "));
        return "{{- define \"citus-pgvector.apiServed\" -}}\n"
                + "{{- if or (.root.Capabilities.APIVersions.Has .api) (has .api (list " + list + ")) }}true{{ end }}\n"
                + "{{- end }}\n";
    }

    /** What lookup gives helm template: nothing; whether the target serves the operator's API is still asked. */
    private static final String NO_CLUSTER = "{{- define \"citus-pgvector.cluster\" -}}\n"
            + "{{- $operatorApi := eq (include \"citus-pgvector.apiServed\" (dict \"root\" . \"api\""
            + " \"acid.zalan.do/v1/postgresql\")) \"true\" }}\n"
            + "{{- toYaml (dict \"operatorApi\" $operatorApi \"reachable\" false) }}\n"
            + "{{- end }}\n";

    private static String goString(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String chartName(Path chart) {
        try {
            return ValuesLoader.YAML
                    .readTree(chart.resolve("Chart.yaml").toFile())
                    .path("name")
                    .asText("chart");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path tempDirectory() throws Failure {
        try {
            return Files.createTempDirectory("citus-pgvector-template-");
        } catch (IOException e) {
            throw new Failure(Kind.ENVIRONMENT, "cannot create a temporary folder: " + e, e);
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A temporary folder left behind is not worth failing a render for.
        }
    }
}
