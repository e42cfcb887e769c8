package io.citus.pgvector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import io.citus.pgvector.chart.ChartArchive;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Nothing a command does destroys what the user had: each writer refuses a destination that is a file, or a folder
 * (or archive) that is not one it wrote, with exit 3, a message naming the path, and every file left as it was.
 */
class DestinationsTest {

    @TempDir
    Path dir;

    Path chart;

    @BeforeEach
    void chart() {
        chart = dir.resolve("charts/citus-pgvector");
        CliRun run = CliRun.of("generate", "-f", CliTest.DEFAULT_VALUES, "--chart", chart.toString());
        assertThat(run.exitCode()).as(run.toString()).isZero();
    }

    /** A destination the user had, the command aimed at it, and what the message must say. */
    record Case(String name, Function<Path, Path> setUp, Function<Case.Context, String[]> command, String says) {
        record Context(Path dir, Path chart, Path target) {}

        @Override
        public String toString() {
            return name;
        }
    }

    static Path file(Path dir, String name) {
        try {
            return Files.writeString(dir.resolve(name), "worker_count: 3 # the user's values\n");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Path folderWith(Path dir, String name, String file) {
        try {
            Path folder = Files.createDirectories(dir.resolve(name));
            Files.writeString(folder.resolve(file), "the user's notes\n");
            return folder;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                        new Case(
                                "generate --chart <a values file>",
                                d -> file(d, "my-values.yaml"),
                                c -> new String[] {
                                    "generate",
                                    "-f",
                                    CliTest.DEFAULT_VALUES,
                                    "--chart",
                                    c.target().toString()
                                },
                                "is a file, not a chart folder"),
                        new Case(
                                "generate --chart <a folder of other files>",
                                d -> folderWith(d, "docs", "notes.md"),
                                c -> new String[] {
                                    "generate",
                                    "-f",
                                    CliTest.DEFAULT_VALUES,
                                    "--chart",
                                    c.target().toString()
                                },
                                "is not a citus-pgvector chart folder"),
                        new Case(
                                "build --chart <a values file>",
                                d -> file(d, "my-values.yaml"),
                                c -> new String[] {
                                    "build",
                                    "-f",
                                    CliTest.DEFAULT_VALUES,
                                    "--chart",
                                    c.target().toString(),
                                    "-d",
                                    c.dir().resolve("dist").toString()
                                },
                                "is a file, not a chart folder"),
                        new Case(
                                "build -d <a file>",
                                d -> file(d, "dist"),
                                c -> new String[] {
                                    "build",
                                    "-f",
                                    CliTest.DEFAULT_VALUES,
                                    "--chart",
                                    c.dir().resolve("new-chart").toString(),
                                    "-d",
                                    c.target().toString()
                                },
                                "is a file, not a folder"),
                        new Case(
                                "package -d <a file>",
                                d -> file(d, "dist"),
                                c -> new String[] {
                                    "package",
                                    "--chart",
                                    c.chart().toString(),
                                    "-d",
                                    c.target().toString()
                                },
                                "is a file, not a folder"),
                        new Case(
                                "package over a file that is not a chart archive",
                                d -> {
                                    Path dist = folderWith(d, "dist", "README");
                                    file(dist, "citus-pgvector-0.1.0.tgz");
                                    return dist;
                                },
                                c -> new String[] {
                                    "package",
                                    "--chart",
                                    c.chart().toString(),
                                    "-d",
                                    c.target().toString()
                                },
                                "citus-pgvector-0.1.0.tgz exists and is not a citus-pgvector chart archive"),
                        new Case(
                                "template --output-dir <a file>",
                                d -> file(d, "manifests"),
                                c -> new String[] {
                                    "template",
                                    "--chart",
                                    c.chart().toString(),
                                    "--set",
                                    "superuser.password=x",
                                    "--output-dir",
                                    c.target().toString()
                                },
                                "is a file, not a folder"),
                        new Case(
                                "template --output-dir <the folder holding the chart sources>",
                                d -> d.resolve("charts"),
                                c -> new String[] {
                                    "template",
                                    "--chart",
                                    c.chart().toString(),
                                    "--set",
                                    "superuser.password=x",
                                    "--output-dir",
                                    c.target().toString()
                                },
                                "is not an earlier template output"))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    @DisplayName("refused with exit 3, the path named, nothing changed")
    void refused(Case c) throws IOException {
        Path target = c.setUp().apply(dir);
        Map<String, String> before = CliTest.snapshot(dir);
        CliRun run = CliRun.of(c.command().apply(new Case.Context(dir, chart, target)));
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(run.err()).contains(target.toString(), c.says()).doesNotContain("\tat ");
        assertThat(CliTest.snapshot(dir)).isEqualTo(before);
        assertThat(leftovers()).isEmpty();
    }

    private List<Path> leftovers() throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            return paths.filter(p -> p.getFileName().toString().startsWith(".citus-pgvector")
                            || p.getFileName().toString().contains(".new-"))
                    .toList();
        }
    }

    @Test
    @DisplayName("--force replaces a folder that is not a chart, never a file")
    void forceReplacesFoldersNotFiles() throws IOException {
        Path docs = folderWith(dir, "docs", "notes.md");
        CliRun forced = CliRun.of("generate", "-f", CliTest.DEFAULT_VALUES, "--chart", docs.toString(), "--force");
        assertThat(forced.exitCode()).as(forced.toString()).isZero();
        assertThat(docs.resolve("Chart.yaml")).exists();
        assertThat(docs.resolve("notes.md")).doesNotExist();

        Path values = file(dir, "my-values.yaml");
        CliRun file = CliRun.of("generate", "-f", CliTest.DEFAULT_VALUES, "--chart", values.toString(), "--force");
        assertThat(file.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(values).hasContent("worker_count: 3 # the user's values");
    }

    @Test
    @DisplayName("its own output is replaced: generate over its chart, package over its archive, template over its"
            + " output")
    void ownOutputIsReplaced() {
        assertThat(CliRun.of("generate", "-f", CliTest.DEFAULT_VALUES, "--chart", chart.toString())
                        .exitCode())
                .isZero();
        String dist = dir.resolve("dist").toString();
        assertThat(CliRun.of("package", "--chart", chart.toString(), "-d", dist).exitCode())
                .isZero();
        assertThat(CliRun.of("package", "--chart", chart.toString(), "-d", dist).exitCode())
                .isZero();
        String out = dir.resolve("manifests").toString();
        String[] template = {
            "template", "--chart", chart.toString(), "--set", "superuser.password=x", "--output-dir", out
        };
        assertThat(CliRun.of(template).exitCode()).isZero();
        CliRun again = CliRun.of(template);
        assertThat(again.exitCode()).as(again.toString()).isZero();
    }

    @Test
    @DisplayName("packaging is reproducible: the same folder packaged twice, seconds apart, gives the same bytes, which"
            + " Helm lints and renders")
    void reproduciblePackages() throws Exception {
        Path first = dir.resolve("first");
        Path second = dir.resolve("second");
        assertThat(CliRun.of("package", "--chart", chart.toString(), "-d", first.toString())
                        .exitCode())
                .isZero();
        Thread.sleep(1_100);
        assertThat(CliRun.of("package", "--chart", chart.toString(), "-d", second.toString())
                        .exitCode())
                .isZero();
        Path a = first.resolve("citus-pgvector-0.1.0.tgz");
        Path b = second.resolve("citus-pgvector-0.1.0.tgz");
        assertThat(ChartArchive.sha256(a)).isEqualTo(ChartArchive.sha256(b));
        assertThat(Files.getLastModifiedTime(a)).isEqualTo(Files.getLastModifiedTime(b));

        assertThat(new Helm(a).lint().strict().call().isFailed()).isFalse();
        String manifests = Helm.template(a.toString())
                .withName("citus")
                .withKubeVersion("1.31.0")
                .set("superuser.password", "x")
                .call();
        assertThat(manifests).contains("kind: postgresql", "name: citus-coordinator");
    }
}
