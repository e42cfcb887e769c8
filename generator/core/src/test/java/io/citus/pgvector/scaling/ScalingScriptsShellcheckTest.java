package io.citus.pgvector.scaling;

import static org.assertj.core.api.Assertions.assertThat;

import io.citus.pgvector.testing.ProjectFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The chart's hook and test scripts pass shellcheck (installed by .ci/run; skipped where absent). */
class ScalingScriptsShellcheckTest {

    private static final Path SHELLCHECK = Path.of(System.getProperty("shellcheck.binary", "/usr/bin/shellcheck"));
    private static final Path SCRIPTS = ProjectFiles.committedChart().resolve("files/scripts");

    @Test
    @DisplayName("shellcheck reports nothing for files/scripts/*.sh")
    void shellcheckClean() throws Exception {
        Assumptions.assumeTrue(
                Files.isExecutable(SHELLCHECK),
                () -> "shellcheck is not installed at " + SHELLCHECK + " (apt-get install shellcheck)");
        List<String> command =
                new ArrayList<>(List.of(SHELLCHECK.toString(), "--external-sources", "--severity=style"));
        scripts().forEach(p -> command.add(p.toString()));
        Process process = new ProcessBuilder(command)
                .directory(SCRIPTS.toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(output).isZero();
        assertThat(output).isEmpty();
    }

    @Test
    @DisplayName("every runnable script starts with a bash shebang and set -euo pipefail")
    void strictMode() throws IOException {
        for (Path script : scripts()) {
            List<String> lines = Files.readAllLines(script);
            if (script.getFileName().toString().equals("common.sh")) {
                assertThat(lines.get(0)).as("sourced, not run").isEqualTo("# shellcheck shell=bash");
                continue;
            }
            assertThat(lines.get(0)).as(script.toString()).isEqualTo("#!/usr/bin/env bash");
            assertThat(lines).as(script.toString()).contains("set -euo pipefail");
        }
    }

    private static List<Path> scripts() throws IOException {
        try (Stream<Path> paths = Files.list(SCRIPTS)) {
            return paths.filter(p -> p.toString().endsWith(".sh")).sorted().toList();
        }
    }
}
