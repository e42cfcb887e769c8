package io.citus.pgvector.chart;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.LintResult;
import io.citus.pgvector.Failure;
import io.citus.pgvector.Failure.Kind;
import io.citus.pgvector.Version;
import io.citus.pgvector.helm.HelmClient;
import io.citus.pgvector.helm.HelmException;
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
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
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
    public record Built(Generated generated, Linted linted, Optional<Packaged> packaged) {}

    /**
     * Writes the chart folder, replacing it whole or not at all. Refuses a path that is a file, a folder that is not a
     * chart of this name, and one holding hand-written files this generator does not carry, unless {@code force} (which
     * never replaces a file).
     */
    public static Generated generate(Source source, Path chart, boolean force) throws Failure {
        Destinations.chartFolder(chart, force);
        SortedMap<String, byte[]> files = source.render();
        try {
            List<String> edits = force ? List.of() : ChartRenderer.unsavedEdits(chart);
            if (!edits.isEmpty()) {
                throw new Failure(
                        Kind.INVALID_INPUT,
                        chart + " holds hand-written files this generator would"
                                + " replace: " + String.join(", ", edits) + ". Rebuild the generator from this tree"
                                + " (./mvnw -B -q -DskipTests package) so it carries them, or pass --force to replace"
                                + " them; nothing was written");
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

    /** An archive written, and its provenance file when it was signed. */
    public record Packaged(Path archive, Optional<Path> provenance) {}

    /**
     * Packages the chart folder into {@code destination} as citus-pgvector-VERSION.tgz: Helm's archive, made
     * reproducible (the same files give the same bytes), signed into ARCHIVE.prov when a key is given. The archive and
     * its provenance replace earlier ones only once both are complete; an earlier provenance file is removed when the
     * new archive is not signed, so no stale signature stays beside it.
     */
    public static Packaged packageChart(
            Path chart, Path destination, boolean force, Optional<Provenance.SigningKey> key) throws Failure {
        existing(chart);
        String fileName = ChartRenderer.CHART_NAME + "-" + version(chart) + ".tgz";
        Destinations.archive(destination, fileName, force);
        if (key.isPresent()) {
            Provenance.checkKey(key.get());
        }
        Path staging;
        try {
            Files.createDirectories(destination);
            staging = Files.createTempDirectory(destination, ".citus-pgvector-package-");
        } catch (IOException e) {
            throw new Failure(Kind.ENVIRONMENT, "cannot write " + destination + ": " + e, e);
        }
        try {
            Path staged = new HelmClient().packageChart(chart, staging, ChartRenderer.CHART_NAME, version(chart));
            ChartArchive.makeReproducible(staged, ChartArchive.reproducibleTime());
            ChartArchive archive = ChartArchive.read(staged);
            Optional<Path> stagedProv =
                    key.isPresent() ? Optional.of(Provenance.sign(archive, key.get())) : Optional.empty();
            Path target = destination.resolve(fileName);
            Path prov = destination.resolve(fileName + Provenance.SUFFIX);
            Files.move(staged, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            if (stagedProv.isPresent()) {
                Files.move(stagedProv.get(), prov, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } else {
                Files.deleteIfExists(prov);
            }
            return new Packaged(target, stagedProv.map(p -> prov));
        } catch (IOException e) {
            throw new Failure(Kind.ENVIRONMENT, "cannot write " + destination + ": " + e, e);
        } finally {
            deleteQuietly(staging);
        }
    }

    /** generate, then lint, then package when the lint passed; both destinations are checked before anything is written. */
    public static Built build(
            Source source, Path chart, Path destination, boolean force, Optional<Provenance.SigningKey> key)
            throws Failure {
        Destinations.chartFolder(chart, force);
        Destinations.archive(
                destination, ChartRenderer.CHART_NAME + "-" + source.metadata().version() + ".tgz", force);
        if (key.isPresent()) {
            Provenance.checkKey(key.get());
        }
        Generated generated = generate(source, chart, force);
        Linted linted = lint(chart);
        return new Built(
                generated,
                linted,
                linted.failed() ? Optional.empty() : Optional.of(packageChart(chart, destination, force, key)));
    }

    /** Checks an archive against its provenance file (ARCHIVE.prov) and a keyring. */
    public static Provenance.Signer verifyChart(Path archive, Path keyring) throws Failure {
        return Provenance.verify(archive, archive.resolveSibling(archive.getFileName() + Provenance.SUFFIX), keyring);
    }

    /**
     * {@code helm template} of a chart folder or {@code oci://} reference, in Helm's order: the release manifest, the
     * hooks (the test pod among them), then the NOTES as a comment; see {@link ChartTemplate}.
     */
    public static String template(ChartTemplate.Options options) throws Failure {
        if (options.chart().startsWith("oci://")) {
            OciReference.parse(options.chart(), "--chart");
        } else {
            existing(Path.of(options.chart()));
        }
        for (Path file : options.valuesFiles()) {
            if (!Files.isRegularFile(file)) {
                throw new Failure(Kind.INVALID_INPUT, file + ": no such values file");
            }
        }
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
        Destinations.templateOutput(outputDir);
        try {
            ChartWriter.write(files, target);
        } catch (IOException e) {
            throw new Failure(Kind.ENVIRONMENT, "cannot write " + outputDir + ": " + e, e);
        }
        return Map.entry(target, files.size());
    }

    /** A registry login: user and password. */
    public record Login(String username, String password) {}

    /** What {@code publish} did: the push, and the reference to install. */
    public record Published(HelmClient.Pushed pushed, String reference, String version, boolean signed) {}

    /** The values {@code publish} renders the chart with: its own defaults and a superuser password, as every render without a cluster needs. */
    static final Map<String, String> PUBLISH_RENDER_VALUES = Map.of("superuser.password", "publish-render-check");

    /**
     * Pushes an archive (or, given a chart folder, one packaged and, with a key, signed into a temporary folder) to the
     * registry, logging in first when given a login. Before pushing: the archive must be a chart archive, pass
     * {@code helm lint --strict} and render; its version must not exist in the registry yet unless {@code force}. A
     * provenance file beside the archive is pushed with it (Helm's push does this), after checking it is this
     * archive's.
     */
    public static Published publish(
            Path archiveOrChart,
            URI registry,
            Optional<Login> login,
            HelmClient.Registry options,
            boolean force,
            Optional<Provenance.SigningKey> key)
            throws Failure {
        Path staging = null;
        try {
            Path archivePath;
            if (Files.isDirectory(archiveOrChart)) {
                existing(archiveOrChart);
                staging = temporaryFolder();
                archivePath = packageChart(archiveOrChart, staging, false, key).archive();
            } else if (key.isPresent()) {
                ChartArchive.read(archiveOrChart);
                staging = temporaryFolder();
                archivePath = staging.resolve(archiveOrChart.getFileName());
                try {
                    Files.copy(archiveOrChart, archivePath);
                } catch (IOException e) {
                    throw new Failure(Kind.ENVIRONMENT, "cannot copy " + archiveOrChart + ": " + e, e);
                }
                Provenance.sign(ChartArchive.read(archivePath), key.get());
            } else {
                archivePath = archiveOrChart;
            }
            ChartArchive archive = ChartArchive.read(archivePath);
            Path prov = archivePath.resolveSibling(archivePath.getFileName() + Provenance.SUFFIX);
            boolean signed = Files.exists(prov);
            if (signed) {
                Provenance.checkDigest(archivePath, prov);
            }
            HelmClient helm = new HelmClient();
            LintResult lint = helm.lint(archivePath);
            if (lint.isFailed()) {
                throw new Failure(
                        Kind.INVALID_INPUT,
                        archivePath + ": helm lint --strict failed; nothing was pushed",
                        List.copyOf(lint.getMessages()));
            }
            try {
                helm.template(new HelmClient.TemplateRequest(
                        archivePath.toString(),
                        null,
                        "citus",
                        "default",
                        HelmClient.DEFAULT_KUBE_VERSION,
                        List.of(),
                        PUBLISH_RENDER_VALUES,
                        HelmClient.Registry.DEFAULT));
            } catch (HelmException e) {
                throw new Failure(
                        Kind.INVALID_INPUT,
                        archivePath + ": does not render (helm template with its default values and a superuser"
                                + " password); nothing was pushed: " + e.getMessage(),
                        e);
            }
            if (login.isPresent()) {
                helm.login(
                        registry.getAuthority(),
                        login.get().username(),
                        login.get().password(),
                        options);
            }
            String reference = registry.toString().replaceAll("/+$", "") + "/" + archive.name();
            if (!force && helm.exists(reference, archive.version(), options)) {
                throw new Failure(
                        Kind.INVALID_INPUT,
                        reference + " version " + archive.version() + " is already published; a published version"
                                + " never changes: raise the chart version (--chart-version), or pass --force to"
                                + " replace it; nothing was pushed");
            }
            return new Published(helm.push(archivePath, registry, options), reference, archive.version(), signed);
        } finally {
            deleteQuietly(staging);
        }
    }

    private static Path temporaryFolder() throws Failure {
        try {
            return Files.createTempDirectory("citus-pgvector-publish-");
        } catch (IOException e) {
            throw new Failure(Kind.ENVIRONMENT, "cannot create a temporary folder: " + e, e);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind is harmless
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
}
