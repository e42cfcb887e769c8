package io.citus.pgvector.chart;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.LintResult;
import io.citus.pgvector.Failure;
import io.citus.pgvector.Failure.Kind;
import io.citus.pgvector.Version;
import io.citus.pgvector.helm.HelmClient;
import io.citus.pgvector.model.ValuesLoader;
import io.citus.pgvector.render.ChartComparison;
import io.citus.pgvector.render.ChartMetadata;
import io.citus.pgvector.render.ChartRenderer;
import io.citus.pgvector.render.ChartWriter;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the generator does with a chart, one call per command. Each returns what it did; each failure is a
 * {@link Failure} whose kind says whose fault it was.
 */
public final class ChartJobs {

    public static final String DEFAULT_CHART = "charts/citus-pgvector";
    public static final String DEFAULT_VALUES = "values/default.yaml";
    public static final String DEFAULT_DESTINATION = "target/charts";

    private static final Pattern SOURCE = Pattern.compile("^# Source: (\\S+)$", Pattern.MULTILINE);

    private ChartJobs() {}

    /**
     * What a chart is generated from: values files merged in order (none: {@value #DEFAULT_VALUES}), and the chart
     * version and app version (null: the generator's version and image tag).
     */
    public record Source(List<Path> valuesFiles, String chartVersion, String appVersion) {
        public Source {
            valuesFiles = valuesFiles.isEmpty() ? List.of(Path.of(DEFAULT_VALUES)) : List.copyOf(valuesFiles);
        }

        public ChartMetadata metadata() throws Failure {
            try {
                return new ChartMetadata(
                        chartVersion == null ? Version.version() : chartVersion,
                        appVersion == null ? Version.imageTag() : appVersion);
            } catch (IllegalArgumentException e) {
                throw new Failure(Kind.INVALID_INPUT, e.getMessage());
            }
        }

        /** The chart's files as the generator makes them. */
        public SortedMap<String, byte[]> render() throws Failure {
            ChartMetadata metadata = metadata();
            return new ChartRenderer().render(ValuesLoader.load(valuesFiles), metadata);
        }
    }

    /** A chart folder written: how many files, which chart version. */
    public record Generated(Path chart, int files, String version) {}

    /** {@code helm lint --strict}: failed or not, and Helm's messages. */
    public record Linted(Path chart, boolean failed, List<String> messages) {}

    /** {@code build}: the chart written and linted, and the archive when the lint passed. */
    public record Built(Generated generated, Linted linted, Optional<Path> archive) {}

    /** Writes the chart folder, replacing it whole or not at all. */
    public static Generated generate(Source source, Path chart) throws Failure {
        SortedMap<String, byte[]> files = source.render();
        try {
            List<String> edits = ChartRenderer.unsavedEdits(chart);
            if (!edits.isEmpty()) {
                throw new Failure(
                        Kind.INVALID_INPUT,
                        chart + " holds hand-written files this generator would"
                                + " replace: " + String.join(", ", edits) + ". Rebuild the generator from this tree"
                                + " (./mvnw -B -q -DskipTests package) so it carries them, or remove the folder first");
            }
            ChartWriter.write(files, chart);
        } catch (IOException e) {
            throw new Failure(Kind.ENVIRONMENT, "cannot write " + chart + ": " + e, e);
        }
        return new Generated(chart, files.size(), source.metadata().version());
    }

    /** How the chart folder differs from what {@link #generate} makes; empty when it is up to date. */
    public static List<String> check(Source source, Path chart) throws Failure {
        SortedMap<String, byte[]> files = source.render();
        try {
            return ChartComparison.differences(files, chart);
        } catch (IOException e) {
            throw new Failure(Kind.ENVIRONMENT, "cannot read " + chart + ": " + e, e);
        }
    }

    public static Linted lint(Path chart) throws Failure {
        LintResult result = new HelmClient().lint(existing(chart));
        return new Linted(chart, result.isFailed(), List.copyOf(result.getMessages()));
    }

    /** Packages the chart folder into {@code destination} as citus-pgvector-VERSION.tgz and returns the archive. */
    public static Path packageChart(Path chart, Path destination) throws Failure {
        return new HelmClient().packageChart(existing(chart), destination, ChartRenderer.CHART_NAME, version(chart));
    }

    /** generate, then lint, then package when the lint passed. */
    public static Built build(Source source, Path chart, Path destination) throws Failure {
        Generated generated = generate(source, chart);
        Linted linted = lint(chart);
        return new Built(
                generated, linted, linted.failed() ? Optional.empty() : Optional.of(packageChart(chart, destination)));
    }

    /**
     * {@code helm template} of a chart folder or {@code oci://} reference, in Helm's order: the release manifest, the
     * hooks (the test pod among them), then the NOTES as a comment; see {@link ChartTemplate}.
     */
    public static String template(ChartTemplate.Options options) throws Failure {
        return ChartTemplate.text(ChartTemplate.render(options));
    }

    /**
     * Writes rendered manifests one file per template below {@code outputDir}/citus-pgvector, into a folder that is
     * new, empty or holds nothing but an earlier output; returns that folder and how many files it holds.
     */
    public static Map.Entry<Path, Integer> writeTemplates(String manifests, Path outputDir) throws Failure {
        Map<String, StringBuilder> bySource = new TreeMap<>();
        for (String document : manifests.split("(?m)^---\\s*$")) {
            Matcher m = SOURCE.matcher(document);
            if (m.find()) {
                String path = m.group(1).substring(m.group(1).indexOf('/') + 1);
                bySource.computeIfAbsent(path, p -> new StringBuilder())
                        .append("---")
                        .append(document);
            }
        }
        Map<String, byte[]> files = new TreeMap<>();
        bySource.forEach((path, text) -> files.put(path, text.toString().getBytes(StandardCharsets.UTF_8)));
        Path target = outputDir.resolve(ChartRenderer.CHART_NAME);
        refuseForeignContent(outputDir);
        try {
            ChartWriter.write(files, target);
        } catch (IOException e) {
            throw new Failure(Kind.ENVIRONMENT, "cannot write " + outputDir + ": " + e, e);
        }
        return Map.entry(target, files.size());
    }

    /** A registry login: user and password. */
    public record Login(String username, String password) {}

    /**
     * Pushes an archive (or, given a chart folder, one packaged into a temporary folder) to the registry, logging in
     * first when given a login.
     */
    public static HelmClient.Pushed publish(
            Path archiveOrChart, URI registry, Optional<Login> login, HelmClient.Registry options) throws Failure {
        Path archive = Files.isDirectory(archiveOrChart) ? staged(archiveOrChart) : archiveOrChart;
        if (!Files.isRegularFile(archive)) {
            throw new Failure(Kind.INVALID_INPUT, archive + ": no such chart archive");
        }
        HelmClient helm = new HelmClient();
        if (login.isPresent()) {
            helm.login(
                    registry.getAuthority(), login.get().username(), login.get().password(), options);
        }
        return helm.push(archive, registry, options);
    }

    private static Path staged(Path chart) throws Failure {
        existing(chart);
        try {
            Path staging = Files.createTempDirectory("citus-pgvector-publish-");
            staging.toFile().deleteOnExit();
            Path archive = packageChart(chart, staging);
            archive.toFile().deleteOnExit();
            return archive;
        } catch (IOException e) {
            throw new Failure(Kind.ENVIRONMENT, "cannot create a temporary folder: " + e, e);
        }
    }

    /** The chart folder, which must hold a Chart.yaml. */
    private static Path existing(Path chart) throws Failure {
        if (!Files.isRegularFile(chart.resolve("Chart.yaml"))) {
            throw new Failure(
                    Kind.INVALID_INPUT,
                    chart + ": not a chart folder (no Chart.yaml); run"
                            + " 'citus-pgvector generate' first or pass --chart");
        }
        return chart;
    }

    private static String version(Path chart) throws Failure {
        Path file = chart.resolve("Chart.yaml");
        try {
            JsonNode version = ValuesLoader.YAML.readTree(file.toFile()).path("version");
            if (!version.isTextual()) {
                throw new Failure(Kind.INVALID_INPUT, file + ": has no version");
            }
            return version.textValue();
        } catch (IOException e) {
            throw new Failure(Kind.INVALID_INPUT, file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Only a folder that is new, empty or holds nothing but an earlier output is written to. */
    private static void refuseForeignContent(Path dir) throws Failure {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            List<String> foreign = entries.map(p -> p.getFileName().toString())
                    .filter(name -> !name.equals(ChartRenderer.CHART_NAME))
                    .toList();
            if (!foreign.isEmpty()) {
                throw new Failure(
                        Kind.INVALID_INPUT,
                        dir + " holds other files " + foreign + "; pick an empty or new --output-dir");
            }
        } catch (IOException e) {
            throw new Failure(Kind.ENVIRONMENT, "cannot write " + dir + ": " + e, e);
        }
    }
}
