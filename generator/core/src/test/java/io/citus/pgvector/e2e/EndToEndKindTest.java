package io.citus.pgvector.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.citus.pgvector.testing.ProjectFiles;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The end-to-end tier: runs docker/e2e/run.sh (image build, kind, the Zalando operator from its chart, the chart with
 * values/dev.yaml, helm test, scaling 1 -> 3 -> 2, a worker primary killed, verify, the uninstall guard) for each
 * operator line. It needs a running Docker engine, kind, kubectl and helm on PATH, network access to the image and
 * chart registries and the Citus repository key's fingerprint (-Dcitus.repo.key.fingerprint or
 * CITUS_REPO_KEY_FINGERPRINT); without any of them it is skipped with the reason. -De2e.operators=2.0 limits the
 * lines run.
 */
class EndToEndKindTest {

    private static final Path SCRIPT = ProjectFiles.root().resolve("docker/e2e/run.sh");

    @Test
    @DisplayName("the end-to-end script exists, is executable and prints its usage")
    void scriptPrintsUsage() throws Exception {
        assertThat(SCRIPT).isRegularFile();
        assertThat(Files.isExecutable(SCRIPT)).isTrue();
        Process help = new ProcessBuilder("bash", SCRIPT.toString(), "--help")
                .redirectErrorStream(true)
                .start();
        String out = new String(help.getInputStream().readAllBytes());
        assertThat(help.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(help.exitValue()).isZero();
        assertThat(out).contains("--operator 2.0|1.15").contains("CITUS_REPO_KEY_FINGERPRINT");
    }

    @Test
    @DisplayName("bad arguments are refused before anything starts (exit 2, the argument named)")
    void badArgumentsRefused() throws Exception {
        Process bad = new ProcessBuilder("bash", SCRIPT.toString(), "--operator", "3.0")
                .redirectErrorStream(true)
                .start();
        String out = new String(bad.getInputStream().readAllBytes());
        assertThat(bad.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(bad.exitValue()).isEqualTo(2);
        assertThat(out).contains("--operator must be 2.0 or 1.15, got '3.0'");
    }

    @ParameterizedTest(name = "operator line {0}, image {1}")
    @CsvSource({"2.0, pg17", "1.15, pg17"})
    @Timeout(value = 45, unit = TimeUnit.MINUTES)
    @DisplayName("install, test, scale, fail over and uninstall on kind with the real operator")
    void endToEnd(String operatorLine, String variant) throws Exception {
        String skip = skipReason(operatorLine);
        Assumptions.assumeTrue(skip == null, () -> skip);
        List<String> command = new ArrayList<>(List.of(
                "bash",
                SCRIPT.toString(),
                "--operator",
                operatorLine,
                "--variant",
                variant,
                "--logs",
                ProjectFiles.root()
                        .resolve("target/e2e-logs-" + operatorLine + "-" + variant)
                        .toString()));
        ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
        builder.environment().put("CITUS_REPO_KEY_FINGERPRINT", fingerprint());
        Process run = builder.start();
        if (!run.waitFor(44, TimeUnit.MINUTES)) {
            run.destroy();
            throw new AssertionError("docker/e2e/run.sh did not finish within 44 minutes");
        }
        assertThat(run.exitValue())
                .as("docker/e2e/run.sh exit status (diagnostics in target/e2e-logs-*)")
                .isZero();
    }

    private static String fingerprint() {
        return System.getProperty(
                "citus.repo.key.fingerprint", System.getenv().getOrDefault("CITUS_REPO_KEY_FINGERPRINT", ""));
    }

    /** Why the end-to-end run cannot happen here, or null when it can. */
    private static String skipReason(String operatorLine) throws Exception {
        String only = System.getProperty("e2e.operators", "");
        if (!only.isBlank() && !List.of(only.split(",")).contains(operatorLine)) {
            return "operator line " + operatorLine + " not in -De2e.operators=" + only;
        }
        for (String tool : List.of("docker", "kind", "kubectl", "helm")) {
            if (!onPath(tool)) {
                return tool + " is not on PATH (the end-to-end run needs docker, kind, kubectl and helm)";
            }
        }
        Process info =
                new ProcessBuilder("docker", "info").redirectErrorStream(true).start();
        info.getInputStream().readAllBytes();
        if (!info.waitFor(30, TimeUnit.SECONDS) || info.exitValue() != 0) {
            return "no running Docker engine (docker info failed)";
        }
        if (fingerprint().isBlank()) {
            return "the image build needs the Citus repository key's fingerprint:"
                    + " set -Dcitus.repo.key.fingerprint or CITUS_REPO_KEY_FINGERPRINT (see docs/user-guide.md, The image)";
        }
        return null;
    }

    private static boolean onPath(String tool) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
