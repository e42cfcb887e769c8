package io.citus.pgvector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.citus.pgvector.testing.ProjectFiles;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {

    static final Path ROOT = ProjectFiles.root();
    static final String DEFAULT_VALUES = ROOT.resolve("values/default.yaml").toString();

    @TempDir
    Path dir;

    /** Every file under a folder with its content, to prove a failed command changed nothing. */
    static Map<String, String> snapshot(Path root) throws IOException {
        Map<String, String> files = new TreeMap<>();
        if (!Files.exists(root)) {
            return files;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : (Iterable<Path>) paths.filter(Files::isRegularFile)::iterator) {
                files.put(root.relativize(p).toString(), Files.readString(p));
            }
        }
        return files;
    }

    private Path generated() {
        Path chart = dir.resolve("charts/citus-pgvector");
        CliRun run = CliRun.of("generate", "-f", DEFAULT_VALUES, "--chart", chart.toString());
        assertThat(run.exitCode()).as(run.toString()).isZero();
        return chart;
    }

    @Nested
    @DisplayName("help, version and usage errors")
    class Usage {

        @Test
        void helpListsSubcommandsAndExitCodes() {
            CliRun run = CliRun.of("--help");
            assertThat(run.exitCode()).isZero();
            assertThat(run.out())
                    .contains(
                            "generate",
                            "check",
                            "lint",
                            "template",
                            "package",
                            "publish",
                            "build",
                            "Exit codes:",
                            "3  invalid input (values file");
        }

        @Test
        void everySubcommandHasHelpAndVersion() {
            for (String sub : new String[] {"generate", "check", "lint", "template", "package", "publish", "build"}) {
                CliRun help = CliRun.of(sub, "--help");
                assertThat(help.exitCode()).as(sub).isZero();
                assertThat(help.out()).as(sub).contains("Usage: citus-pgvector " + sub, "Exit codes:");
                CliRun version = CliRun.of(sub, "--version");
                assertThat(version.out()).as(sub).startsWith("citus-pgvector 0.1.0");
            }
        }

        @Test
        void unknownOptionIsAUsageError() {
            CliRun run = CliRun.of("generate", "--no-such-option");
            assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
            assertThat(run.err()).contains("Unknown option: '--no-such-option'");
        }

        @Test
        void noSubcommandIsAUsageError() {
            assertThat(CliRun.of().exitCode()).isEqualTo(ExitCode.USAGE);
        }

        @Test
        @DisplayName("verify: a render's options without -f, or -f with --expected-workers, are usage errors")
        void verifyRenderOptionsNeedValues() {
            CliRun set = CliRun.of("verify", "--set", "workers.count=3");
            assertThat(set.exitCode()).as(set.toString()).isEqualTo(ExitCode.USAGE);
            assertThat(set.err()).contains("give the values with -f");
            CliRun both = CliRun.of("verify", "-f", DEFAULT_VALUES, "--expected-workers", "2");
            assertThat(both.exitCode()).as(both.toString()).isEqualTo(ExitCode.USAGE);
            assertThat(both.err()).contains("--expected-workers and -f");
        }
    }

    @Nested
    @DisplayName("generate")
    class Generate {

        @Test
        void writesAVersionedChart() throws IOException {
            Path chart = dir.resolve("out/citus-pgvector");
            CliRun run = CliRun.of(
                    "generate",
                    "-f",
                    DEFAULT_VALUES,
                    "--chart",
                    chart.toString(),
                    "--chart-version",
                    "1.2.3-rc.1",
                    "--app-version",
                    "17-4.0-p3-citus13.2.2");
            assertThat(run.exitCode()).as(run.toString()).isZero();
            String chartYaml = Files.readString(chart.resolve("Chart.yaml"));
            assertThat(chartYaml)
                    .contains(
                            "version: 1.2.3-rc.1",
                            "appVersion: \"17-4.0-p3-citus13.2.2\"",
                            "artifacthub.io/prerelease: \"true\"");
            assertThat(chart.resolve("values.schema.json")).exists();
            assertThat(chart.resolve("templates/workers/postgresql.yaml")).exists();
        }

        @Test
        @DisplayName("bad values: exit 3, every problem listed, no stack trace, the old chart untouched")
        void badValuesChangeNothing() throws IOException {
            Path chart = generated();
            Path bad = dir.resolve("bad.yaml");
            Files.writeString(
                    bad, "workers:\n  count: 0\ncoordinator:\n  resources:\n    requests:\n      memory: 8GB\n");
            Map<String, String> before = snapshot(dir);
            CliRun run = CliRun.of("generate", "-f", bad.toString(), "--chart", chart.toString());
            assertThat(run.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
            assertThat(run.err())
                    .contains(
                            bad + ": 2 problems",
                            "workers.count: must be at least 1, got 0",
                            "coordinator.resources.requests.memory: must be a quantity such as 512Mi, 8Gi or 1G, got \"8GB\"");
            assertThat(run.err()).doesNotContain("Exception", "\tat ");
            assertThat(snapshot(dir)).isEqualTo(before);
        }

        @Test
        @DisplayName("bad values never create the chart folder")
        void badValuesCreateNothing() throws IOException {
            Path bad = dir.resolve("bad.yaml");
            Files.writeString(bad, "postgresql:\n  version: 12\n");
            CliRun run = CliRun.of(
                    "generate",
                    "-f",
                    bad.toString(),
                    "--chart",
                    dir.resolve("new/chart").toString());
            assertThat(run.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
            assertThat(run.err()).contains("postgresql.version: must be a string, got 12 (quote it)");
            assertThat(dir.resolve("new")).doesNotExist();
        }

        @Test
        void missingValuesFile() {
            CliRun run = CliRun.of(
                    "generate",
                    "-f",
                    dir.resolve("nope.yaml").toString(),
                    "--chart",
                    dir.resolve("c").toString());
            assertThat(run.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
            assertThat(run.err()).contains("nope.yaml: no such file");
        }

        @Test
        void badChartVersion() {
            CliRun run = CliRun.of(
                    "generate",
                    "-f",
                    DEFAULT_VALUES,
                    "--chart",
                    dir.resolve("c").toString(),
                    "--chart-version",
                    "1.0");
            assertThat(run.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
            assertThat(run.err()).contains("chart version must be a semantic version such as 1.2.3, got \"1.0\"");
            assertThat(dir.resolve("c")).doesNotExist();
        }

        @Test
        @DisplayName("a template edited after the generator was built is never overwritten: exit 3, folder untouched")
        void keepsHandEditsTheGeneratorDoesNotCarry() throws IOException {
            Path chart = generated();
            Path notes = chart.resolve("templates/NOTES.txt");
            Files.writeString(notes, Files.readString(notes) + "an edit\n");
            Files.writeString(chart.resolve("templates/new.yaml"), "kind: ConfigMap\n");
            Map<String, String> before = snapshot(chart);
            CliRun run = CliRun.of("generate", "-f", DEFAULT_VALUES, "--chart", chart.toString());
            assertThat(run.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
            assertThat(run.err())
                    .contains(
                            "templates/NOTES.txt (differs from the generator's copy)",
                            "templates/new.yaml (not in the generator)",
                            "./mvnw -B -q -DskipTests package");
            assertThat(snapshot(chart)).isEqualTo(before);
        }

        @Test
        @DisplayName("generated files edited by hand are simply regenerated")
        void regeneratesGeneratedFiles() throws IOException {
            Path chart = generated();
            Files.writeString(chart.resolve("values.yaml"), "edited: true\n");
            CliRun run = CliRun.of("generate", "-f", DEFAULT_VALUES, "--chart", chart.toString());
            assertThat(run.exitCode()).as(run.toString()).isZero();
            assertThat(Files.readString(chart.resolve("values.yaml"))).doesNotContain("edited: true");
        }

        @Test
        void unwritableTargetIsAnEnvironmentProblem() throws IOException {
            Path file = Files.writeString(dir.resolve("a-file"), "x");
            CliRun run = CliRun.of(
                    "generate",
                    "-f",
                    DEFAULT_VALUES,
                    "--chart",
                    file.resolve("chart").toString());
            assertThat(run.exitCode()).isEqualTo(ExitCode.ENVIRONMENT);
            assertThat(run.err()).startsWith("error: cannot write ");
        }
    }

    @Test
    @DisplayName("LICENSE, the POM and the chart's Artifact Hub annotation name the same license")
    void oneLicenseEverywhere() throws IOException {
        String license = Files.readString(ROOT.resolve("LICENSE"));
        assertThat(license).contains("Apache License", "Version 2.0, January 2004");
        java.util.regex.Matcher pom = java.util.regex.Pattern.compile("<licenses>\\s*<license>\\s*<name>([^<]+)</name>")
                .matcher(Files.readString(ROOT.resolve("pom.xml")));
        assertThat(pom.find()).as("pom.xml declares a license").isTrue();
        assertThat(pom.group(1)).isEqualTo("Apache-2.0");
        assertThat(Files.readString(generated().resolve("Chart.yaml")))
                .contains("artifacthub.io/license: " + pom.group(1) + "\n");
    }

    @Nested
    @DisplayName("check")
    class Check {

        @Test
        @DisplayName("the committed chart is exactly what the generator makes from values/default.yaml")
        void committedChartIsUpToDate() {
            CliRun run = CliRun.of(
                    "check",
                    "-f",
                    DEFAULT_VALUES,
                    "--chart",
                    ROOT.resolve("charts/citus-pgvector").toString());
            assertThat(run.exitCode()).as(run.toString()).isZero();
        }

        @Test
        @DisplayName("a hand edit, a stray file and a missing file are each shown")
        void showsTheDifferences() throws IOException {
            Path chart = generated();
            Path values = chart.resolve("values.yaml");
            Files.writeString(values, Files.readString(values).replace("count: 2", "count: 5"));
            Files.writeString(chart.resolve("templates/extra.yaml"), "kind: ConfigMap\n");
            Files.delete(chart.resolve("templates/NOTES.txt"));
            CliRun run = CliRun.of("check", "-f", DEFAULT_VALUES, "--chart", chart.toString());
            assertThat(run.exitCode()).isEqualTo(ExitCode.CHECK_FAILED);
            assertThat(run.err())
                    .contains(
                            "changed values.yaml",
                            "  -   count: 5",
                            "  +   count: 2",
                            "unexpected templates/extra.yaml",
                            "missing templates/NOTES.txt");
        }
    }

    @Nested
    @DisplayName("lint, template and package")
    class HelmCommands {

        @Test
        void lintPassesOnTheGeneratedChart() {
            CliRun run = CliRun.of("lint", "--chart", generated().toString());
            assertThat(run.exitCode()).as(run.toString()).isZero();
            assertThat(run.out()).contains(": ok");
        }

        @Test
        @DisplayName("lint fails with Helm's message on a broken template")
        void lintFailsOnABrokenChart() throws IOException {
            Path chart = generated();
            Files.writeString(chart.resolve("templates/broken.yaml"), "{{ .Values.nope.deeper }}\n");
            CliRun run = CliRun.of("lint", "--chart", chart.toString());
            assertThat(run.exitCode()).isEqualTo(ExitCode.CHECK_FAILED);
            assertThat(run.err()).contains("broken.yaml", "nil pointer");
        }

        @Test
        void lintNeedsAChart() {
            CliRun run = CliRun.of("lint", "--chart", dir.resolve("none").toString());
            assertThat(run.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
            assertThat(run.err()).contains("not a chart folder (no Chart.yaml)");
        }

        @Test
        void templatePrintsManifestsWithValuesAndSet() throws IOException {
            Path values = Files.writeString(dir.resolve("v.yaml"), "workers:\n  count: 3\n");
            CliRun run = CliRun.of(
                    "template",
                    "--chart",
                    generated().toString(),
                    "-f",
                    values.toString(),
                    "--set",
                    "superuser.password=x",
                    "--release",
                    "vec",
                    "-n",
                    "search");
            assertThat(run.exitCode()).as(run.toString()).isZero();
            assertThat(run.out())
                    .contains("name: vec-coordinator", "name: vec-worker-3")
                    .doesNotContain("vec-worker-4");
        }

        @Test
        @DisplayName("template refuses a restore into the source's own namespace with exit 3, naming the key")
        void templateRefusesRestoreIntoTheSourceNamespace() {
            Path restore = ProjectFiles.root().resolve("generator/core/src/test/resources/profiles/restore.yaml");
            CliRun run = CliRun.of(
                    "template", "--chart", generated().toString(), "-f", restore.toString(), "-n", "production");
            assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCode.INVALID_INPUT);
            assertThat(run.err())
                    .contains("restore.source.namespace: must differ from the release namespace \"production\"")
                    .doesNotContain("\tat ");
        }

        @Test
        @DisplayName("template rejects a value the schema forbids with exit 3 and Helm's message")
        void templateRejectsBadValues() {
            CliRun run = CliRun.of("template", "--chart", generated().toString(), "--set", "workers.count=abc");
            assertThat(run.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
            assertThat(run.err()).contains("workers", "count").doesNotContain("\tat ");
        }

        @Test
        @DisplayName("template as helm template: namespace default, Helm's --set syntax, hooks and NOTES, --show-only,"
                + " --api-versions; errors without advice about a --debug flag")
        void templateIsHelmTemplate() throws IOException {
            Path secret = Files.writeString(dir.resolve("annotation.txt"), "from a file");
            CliRun run = CliRun.of(
                    "template",
                    "--chart",
                    generated().toString(),
                    "--set",
                    "superuser.password=x,workers.count=3",
                    "--set",
                    "externalAccess.enabled=true,externalAccess.allowedSourceRanges={10.0.0.0/8,192.168.0.0/16}",
                    "--set-string",
                    "coordinator.scheduling.podAnnotations.example\\.com/n=5",
                    "--set-file",
                    "coordinator.scheduling.podAnnotations.file=" + secret,
                    "--set-json",
                    "podLabels={\"team\":\"search\"}");
            assertThat(run.exitCode()).as(run.toString()).isZero();
            assertThat(run.out())
                    .contains("name: citus-worker-3", "- 192.168.0.0/16", "example.com/n: \"5\"")
                    .contains("file: \"from a file\"", "team: search")
                    .contains("# Source: citus-pgvector/templates/tests/vector-query-test.yaml")
                    .contains("# Source: citus-pgvector/templates/NOTES.txt", "kubectl get postgresql -n default");
            assertThat(run.out().indexOf("kind: Job")).isGreaterThan(run.out().indexOf("kind: postgresql"));

            CliRun noHooks = CliRun.of(
                    "template", "--chart", generated().toString(), "--set", "superuser.password=x", "--no-hooks");
            assertThat(noHooks.out()).doesNotContain("kind: Job", "helm.sh/hook");

            CliRun only = CliRun.of(
                    "template",
                    "--chart",
                    generated().toString(),
                    "--set",
                    "superuser.password=x",
                    "-s",
                    "templates/nothing.yaml");
            assertThat(only.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
            assertThat(only.err()).contains("could not find template templates/nothing.yaml in chart");

            CliRun argo = CliRun.of(
                    "template", "--chart", generated().toString(), "--api-versions", "acid.zalan.do/v1/postgresql");
            assertThat(argo.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
            assertThat(argo.err())
                    .contains("superuser.password is empty and this render cannot read the cluster")
                    .doesNotContain("--debug");
        }

        @Test
        void templateWritesOneFilePerTemplate() throws IOException {
            Path out = dir.resolve("manifests");
            CliRun run = CliRun.of(
                    "template",
                    "--chart",
                    generated().toString(),
                    "--set",
                    "superuser.password=x",
                    "--output-dir",
                    out.toString());
            assertThat(run.exitCode()).as(run.toString()).isZero();
            assertThat(out.resolve("citus-pgvector/templates/workers/postgresql.yaml"))
                    .content()
                    .contains("name: citus-worker-2");
            assertThat(out.resolve("citus-pgvector/templates/coordinator/postgresql.yaml"))
                    .exists();
        }

        @Test
        void templateRefusesAFolderWithOtherFiles() throws IOException {
            Path out = Files.createDirectories(dir.resolve("busy"));
            Files.writeString(out.resolve("keep.txt"), "mine");
            CliRun run = CliRun.of("template", "--chart", generated().toString(), "--output-dir", out.toString());
            assertThat(run.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
            assertThat(snapshot(out)).containsOnlyKeys("keep.txt");
        }

        @Test
        void packageWritesTheVersionedArchive() {
            Path dest = dir.resolve("dist");
            CliRun run = CliRun.of("package", "--chart", generated().toString(), "-d", dest.toString());
            assertThat(run.exitCode()).as(run.toString()).isZero();
            assertThat(dest.resolve("citus-pgvector-0.1.0.tgz")).isNotEmptyFile();
        }

        @Test
        void buildGeneratesLintsAndPackages() {
            Path chart = dir.resolve("charts/citus-pgvector");
            CliRun run = CliRun.of(
                    "build",
                    "-f",
                    DEFAULT_VALUES,
                    "--chart",
                    chart.toString(),
                    "-d",
                    dir.resolve("dist").toString());
            assertThat(run.exitCode()).as(run.toString()).isZero();
            assertThat(run.out()).contains("generated", ": ok", "packaged");
            assertThat(dir.resolve("dist/citus-pgvector-0.1.0.tgz")).isNotEmptyFile();
        }
    }

    @Nested
    @DisplayName("publish failures")
    class PublishFailures {

        @Test
        void notAnOciReference() {
            CliRun run = CliRun.of("publish", "--chart", generated().toString(), "--registry", "https://example.org");
            assertThat(run.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
            assertThat(run.err()).contains("--registry must be an oci://HOST[:PORT]/PATH reference");
        }

        @Test
        void missingArchive() {
            CliRun run = CliRun.of(
                    "publish", "--archive", dir.resolve("x.tgz").toString(), "--registry", "oci://127.0.0.1:1/charts");
            assertThat(run.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
            assertThat(run.err()).contains("x.tgz: no such chart archive");
        }

        @Test
        @DisplayName("an unreachable registry is an environment problem (exit 4)")
        void unreachableRegistry() throws IOException {
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            CliRun run = CliRun.of(
                    "publish",
                    "--chart",
                    generated().toString(),
                    "--registry",
                    "oci://127.0.0.1:" + port + "/charts",
                    "--plain-http");
            assertThat(run.exitCode()).isEqualTo(ExitCode.ENVIRONMENT);
            assertThat(run.err()).contains("127.0.0.1:" + port).doesNotContain("\tat ");
        }

        @Test
        void usernameWithoutPassword() {
            CliRun run = CliRun.of(
                    "publish",
                    "--chart",
                    generated().toString(),
                    "--registry",
                    "oci://127.0.0.1:1/charts",
                    "--username",
                    "ci");
            if (System.getenv(PublishCommand.PASSWORD_ENV) == null) {
                assertThat(run.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
                assertThat(run.err()).contains("--username needs a password");
            }
        }
    }
}
