package io.citus.pgvector.chart;

import com.fasterxml.jackson.databind.JsonNode;
import io.citus.pgvector.Failure;
import io.citus.pgvector.Failure.Kind;
import io.citus.pgvector.model.ValuesLoader;
import io.citus.pgvector.render.ChartRenderer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where the commands write, checked before anything is written so that nothing the user had is lost. What the
 * generator recognises as its own: a chart folder whose Chart.yaml names the chart {@value ChartRenderer#CHART_NAME}, a
 * chart archive of that name, and a {@code template --output-dir} folder whose files all are rendered manifests of it.
 * A path that is a file where a folder goes is never replaced; a folder that is not the generator's is replaced only
 * with {@code --force}.
 */
public final class Destinations {

    private static final int LISTED = 5;

    private Destinations() {}

    /** A chart folder {@code generate} may replace: absent, empty, or a chart of this name ({@code force}: any folder). */
    public static void chartFolder(Path chart, boolean force) throws Failure {
        if (!Files.exists(chart)) {
            return;
        }
        if (!Files.isDirectory(chart)) {
            throw new Failure(
                    Kind.INVALID_INPUT,
                    chart + " is a file, not a chart folder: --chart names the folder the chart is written to (a"
                            + " values file goes with -f); nothing was written");
        }
        if (force || isOurChart(chart)) {
            return;
        }
        List<String> content = names(chart);
        if (!content.isEmpty()) {
            throw new Failure(
                    Kind.INVALID_INPUT,
                    chart + " is not a " + ChartRenderer.CHART_NAME + " chart folder (no Chart.yaml with name: "
                            + ChartRenderer.CHART_NAME + ") and holds " + String.join(", ", content)
                            + "; generating replaces the whole folder: choose a new or empty one, or pass --force to"
                            + " replace it; nothing was written");
        }
    }

    /**
     * The folder an archive goes to, and the archive's own path in it: the folder must not be a file, and an existing
     * file at the archive's path must be an archive of this chart ({@code force}: any file).
     */
    public static void archive(Path destination, String fileName, boolean force) throws Failure {
        if (Files.exists(destination) && !Files.isDirectory(destination)) {
            throw new Failure(
                    Kind.INVALID_INPUT,
                    destination + " is a file, not a folder: --destination names the folder the archive is written to;"
                            + " nothing was written");
        }
        Path archive = destination.resolve(fileName);
        if (Files.isDirectory(archive)) {
            throw new Failure(
                    Kind.INVALID_INPUT, archive + " is a folder; the archive cannot replace it; nothing was written");
        }
        if (Files.exists(archive) && !force && !isOurArchive(archive)) {
            throw new Failure(
                    Kind.INVALID_INPUT,
                    archive + " exists and is not a " + ChartRenderer.CHART_NAME + " chart archive; move it away or"
                            + " pass --force to replace it; nothing was written");
        }
        Path prov = destination.resolve(fileName + Provenance.SUFFIX);
        if (Files.exists(prov) && !force && !isProvenance(prov)) {
            throw new Failure(
                    Kind.INVALID_INPUT,
                    prov + " exists and is not a provenance file; move it away or pass --force to replace it;"
                            + " nothing was written");
        }
    }

    /**
     * A {@code template --output-dir} folder: absent, empty, or holding nothing but an earlier output (a folder
     * {@value ChartRenderer#CHART_NAME} whose every file is a rendered manifest of this chart).
     */
    public static void templateOutput(Path outputDir) throws Failure {
        if (!Files.exists(outputDir)) {
            return;
        }
        if (!Files.isDirectory(outputDir)) {
            throw new Failure(
                    Kind.INVALID_INPUT,
                    outputDir + " is a file, not a folder: --output-dir names the folder the manifests are written to;"
                            + " nothing was written");
        }
        List<String> foreign = new ArrayList<>(names(outputDir));
        foreign.remove(ChartRenderer.CHART_NAME);
        if (!foreign.isEmpty()) {
            throw new Failure(
                    Kind.INVALID_INPUT,
                    outputDir + " holds other files (" + shown(foreign)
                            + "); pick an empty or new --output-dir; nothing was written");
        }
        Path earlier = outputDir.resolve(ChartRenderer.CHART_NAME);
        if (Files.exists(earlier)) {
            List<String> notManifests = notRenderedManifests(earlier);
            if (!notManifests.isEmpty()) {
                throw new Failure(
                        Kind.INVALID_INPUT,
                        earlier + " is not an earlier template output (it holds " + shown(notManifests)
                                + ", which are not manifests rendered from the chart) and writing the manifests"
                                + " replaces it; pick an empty or new --output-dir; nothing was written");
            }
        }
    }

    /** The chart folder holds a Chart.yaml whose name is this chart's. */
    static boolean isOurChart(Path chart) {
        Path file = chart.resolve("Chart.yaml");
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try {
            JsonNode name = ValuesLoader.YAML.readTree(file.toFile()).path("name");
            return name.isTextual() && name.textValue().equals(ChartRenderer.CHART_NAME);
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean isOurArchive(Path archive) {
        try {
            return ChartArchive.read(archive).name().equals(ChartRenderer.CHART_NAME);
        } catch (Failure e) {
            return false;
        }
    }

    private static boolean isProvenance(Path prov) {
        try {
            return Files.size(prov) < 1 << 20
                    && Files.readString(prov, StandardCharsets.UTF_8).startsWith("-----BEGIN PGP SIGNED MESSAGE-----");
        } catch (IOException e) {
            return false;
        }
    }

    /** Files below {@code dir} that do not start as {@code template --output-dir} writes its manifests. */
    private static List<String> notRenderedManifests(Path dir) throws Failure {
        if (!Files.isDirectory(dir)) {
            return List.of(dir.getFileName().toString());
        }
        String marker = "---\n# Source: " + ChartRenderer.CHART_NAME + "/";
        List<String> foreign = new ArrayList<>();
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths.filter(p -> !Files.isDirectory(p))::iterator) {
                if (!Files.isRegularFile(p) || !startsWith(p, marker)) {
                    foreign.add(dir.relativize(p).toString());
                }
            }
        } catch (IOException e) {
            throw new Failure(Kind.ENVIRONMENT, "cannot read " + dir + ": " + e, e);
        }
        return foreign;
    }

    private static boolean startsWith(Path file, String prefix) throws IOException {
        byte[] expected = prefix.getBytes(StandardCharsets.UTF_8);
        try (var in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(expected.length);
            return java.util.Arrays.equals(head, expected);
        }
    }

    /** The names in a folder, sorted. */
    private static List<String> names(Path dir) throws Failure {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new Failure(Kind.ENVIRONMENT, "cannot read " + dir + ": " + e, e);
        }
    }

    /** The first few names and a count of the rest. */
    private static String shown(List<String> names) {
        if (names.size() <= LISTED) {
            return String.join(", ", names);
        }
        return String.join(", ", names.subList(0, LISTED)) + " and " + (names.size() - LISTED) + " more";
    }
}
