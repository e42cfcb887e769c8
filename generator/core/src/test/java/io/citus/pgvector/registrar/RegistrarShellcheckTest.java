package io.citus.pgvector.registrar;

import static org.assertj.core.api.Assertions.assertThat;

import io.citus.pgvector.testing.LocalPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The shipped registrar script passes shellcheck (installed by .ci/run; skipped where absent). */
@DisplayName("registrar.sh is shellcheck-clean")
class RegistrarShellcheckTest {

    private static final Path SHELLCHECK = Paths.get(System.getProperty("shellcheck.binary", "/usr/bin/shellcheck"));

    @Test
    @DisplayName("shellcheck reports nothing")
    void shellcheckClean() throws Exception {
        Assumptions.assumeTrue(
                Files.isExecutable(SHELLCHECK),
                () -> "shellcheck is not installed at " + SHELLCHECK + " (apt-get install shellcheck)");
        assertThat(RegistrarProcess.SOURCE).exists();

        LocalPostgres.Result result = LocalPostgres.run(
                List.of(
                        SHELLCHECK.toString(),
                        "--shell=bash",
                        "--severity=style",
                        "--external-sources",
                        RegistrarProcess.SOURCE.toString()),
                Map.of(),
                Duration.ofSeconds(60));

        assertThat(result.stdout() + result.stderr()).isEmpty();
        assertThat(result.exitCode()).isZero();
    }

    @Test
    @DisplayName("starts with a bash shebang and set -euo pipefail")
    void strictMode() throws Exception {
        List<String> lines = Files.readAllLines(RegistrarProcess.SOURCE);
        assertThat(lines.get(0)).isEqualTo("#!/usr/bin/env bash");
        assertThat(lines).contains("set -euo pipefail");
    }
}
