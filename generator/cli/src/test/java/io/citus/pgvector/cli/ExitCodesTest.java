package io.citus.pgvector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Input mistakes exit 3 and environment problems 4, in every command, each with one message that names the offending
 * key or value and no stack trace. {@code bench} and {@code template} have their own tables in their tests; here every
 * other command.
 */
class ExitCodesTest {

    @TempDir
    static Path dir;

    static Path chart;
    static Path notAChartArchive;
    static Path badValues;
    static Path mixedProblems;
    static Path keyring;

    @BeforeAll
    static void inputs() throws IOException {
        chart = dir.resolve("charts/citus-pgvector");
        CliRun run = CliRun.of("generate", "-f", CliTest.DEFAULT_VALUES, "--chart", chart.toString());
        assertThat(run.exitCode()).as(run.toString()).isZero();
        notAChartArchive = Files.writeString(dir.resolve("values.tgz"), "workers:\n  count: 3\n");
        badValues = Files.writeString(dir.resolve("bad.yaml"), "workers:\n  count: 0\n");
        mixedProblems = Files.writeString(dir.resolve("mixed.yaml"), "workers:\n  count: 0\npatroni:\n  ttl: 25\n");
        keyring = Files.writeString(dir.resolve("keyring.gpg"), "not a keyring\n");
    }

    static Stream<Arguments> mistakes() {
        String missing = dir.resolve("missing.yaml").toString();
        String registry = "oci://127.0.0.1:1/charts";
        return Stream.of(
                        row(
                                3,
                                List.of("missing.yaml"),
                                "generate",
                                "-f",
                                missing,
                                "--chart",
                                dir.resolve("out").toString()),
                        row(
                                3,
                                List.of("workers.count", "got 0"),
                                "generate",
                                "-f",
                                badValues.toString(),
                                "--chart",
                                dir.resolve("out").toString()),
                        row(
                                3,
                                List.of(
                                        "workers.count: must be at least 1, got 0",
                                        "patroni.ttl: must be at least patroni.loopWait"),
                                "check",
                                "-f",
                                mixedProblems.toString(),
                                "--chart",
                                chart.toString()),
                        row(
                                3,
                                List.of("--chart-version", "1.x"),
                                "build",
                                "--chart-version",
                                "1.x",
                                "--chart",
                                dir.resolve("out").toString()),
                        row(
                                3,
                                List.of("no-chart", "not a chart folder"),
                                "lint",
                                "--chart",
                                dir.resolve("no-chart").toString()),
                        row(
                                3,
                                List.of("no-chart", "not a chart folder"),
                                "package",
                                "--chart",
                                dir.resolve("no-chart").toString()),
                        row(3, List.of("--sign needs --key"), "package", "--chart", chart.toString(), "--sign"),
                        row(
                                3,
                                List.of("add --sign"),
                                "package",
                                "--chart",
                                chart.toString(),
                                "--key",
                                keyring.toString()),
                        row(
                                3,
                                List.of("keyring.gpg", "holds no secret key"),
                                "package",
                                "--chart",
                                chart.toString(),
                                "-d",
                                dir.resolve("signed").toString(),
                                "--sign",
                                "--key",
                                keyring.toString()),
                        row(
                                3,
                                List.of("values.tgz", "not a chart archive"),
                                "publish",
                                "--archive",
                                notAChartArchive.toString(),
                                "--registry",
                                registry),
                        row(
                                3,
                                List.of("\"Charts\"", "lowercase"),
                                "publish",
                                "--chart",
                                chart.toString(),
                                "--registry",
                                "oci://127.0.0.1:1/Charts"),
                        row(
                                3,
                                List.of("\"My-Charts\"", "lowercase"),
                                "template",
                                "--chart",
                                "oci://127.0.0.1:1/My-Charts/citus-pgvector",
                                "--chart-version",
                                "0.1.0"),
                        row(
                                3,
                                List.of("--registry", "https://example.org"),
                                "publish",
                                "--chart",
                                chart.toString(),
                                "--registry",
                                "https://example.org"),
                        row(
                                3,
                                List.of("x.tgz", "no such chart archive"),
                                "verify-chart",
                                dir.resolve("x.tgz").toString(),
                                "--keyring",
                                keyring.toString()),
                        row(
                                3,
                                List.of("values.tgz", "not a chart archive"),
                                "verify-chart",
                                notAChartArchive.toString(),
                                "--keyring",
                                keyring.toString()),
                        row(3, List.of("--format", "xml"), "verify", "--format", "xml"),
                        row(3, List.of("--expected-workers", "got 0"), "verify", "--expected-workers", "0"),
                        row(2, List.of("--port", "abc"), "verify", "-h", "127.0.0.1", "-p", "abc"),
                        row(4, List.of("127.0.0.1"), "verify", "-h", "127.0.0.1", "-p", "1"),
                        row(2, List.of("--no-such-option"), "generate", "--no-such-option"),
                        row(2, List.of("ARCHIVE"), "verify-chart", "--keyring", keyring.toString()))
                .map(Arguments::of);
    }

    record Row(int exit, List<String> names, String[] args) {
        @Override
        public String toString() {
            return String.join(" ", args).replace(dir.toString(), "$TMP") + " -> exit " + exit;
        }
    }

    private static Row row(int exit, List<String> names, String... args) {
        return new Row(exit, names, args);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mistakes")
    @DisplayName("the exit code, and a message naming the key or value, without a stack trace")
    void exitCodeAndMessage(Row row) {
        CliRun run = CliRun.of(row.args());
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(row.exit());
        assertThat(run.err()).as(run.toString()).contains(row.names()).doesNotContain("\tat ");
    }
}
