package io.citus.pgvector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code -h}, {@code --help} and {@code help COMMAND} on every command; shell completion; examples in the help. */
class HelpTest {

    static Stream<String> commands() {
        return new picocli.CommandLine(new Cli())
                .getSubcommands().keySet().stream().filter(name -> !name.equals("help"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commands")
    @DisplayName("-h, --help and help COMMAND print the same usage, exit 0")
    void helpEverywhere(String command) {
        CliRun dashH = CliRun.of(command, "-h");
        CliRun dashDashHelp = CliRun.of(command, "--help");
        CliRun help = CliRun.of("help", command);
        assertThat(dashH.exitCode()).as(dashH.toString()).isZero();
        assertThat(dashH.out()).startsWith("Usage: citus-pgvector " + command);
        assertThat(dashDashHelp.out()).isEqualTo(dashH.out());
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).isEqualTo(dashH.out());
    }

    @Test
    @DisplayName("-h and help alone show the command list")
    void topLevel() {
        for (List<String> args : List.of(List.of("-h"), List.of("help"), List.of("--help"))) {
            CliRun run = CliRun.of(args.toArray(String[]::new));
            assertThat(run.exitCode()).isZero();
            assertThat(run.out()).contains("verify-chart", "completion", "help", "Examples:");
        }
    }

    @Test
    @DisplayName("verify: -h HOST is the host, as in psql; -h alone is help")
    void verifyHostOrHelp() {
        CliRun host = CliRun.of("verify", "-h", "127.0.0.1", "-p", "1");
        assertThat(host.exitCode()).as(host.toString()).isEqualTo(ExitCode.ENVIRONMENT);
        assertThat(host.err()).contains("127.0.0.1");
        CliRun help = CliRun.of("verify", "-h", "-p", "1");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).startsWith("Usage: citus-pgvector verify");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commands")
    @DisplayName("every command's help ends with examples that start with the command name")
    void examples(String command) {
        String out = CliRun.of(command, "--help").out();
        if (command.equals("template")) {
            return;
        }
        assertThat(out).contains("Example");
        String examples = out.substring(out.indexOf("Example"));
        assertThat(examples).contains("citus-pgvector " + command);
        if (!command.equals("bench")) {
            assertThat(examples.lines())
                    .as("no line is wrapped by the help's width, so every example copy-pastes")
                    .allMatch(line -> line.isEmpty() || line.startsWith("  ") || line.endsWith(":"));
        }
    }

    @Test
    @DisplayName("completion prints picocli's bash/zsh script covering every command and its options")
    void completion() throws Exception {
        CliRun run = CliRun.of("completion");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out())
                .startsWith("#!/usr/bin/env bash")
                .contains("complete -F _complete_citus-pgvector", "verify-chart", "--passphrase-stdin", "--force");
        java.nio.file.Path bash = java.nio.file.Path.of("/bin/bash");
        if (java.nio.file.Files.isExecutable(bash)) {
            Process p = new ProcessBuilder(bash.toString(), "-n").start();
            p.getOutputStream().write(run.out().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            p.getOutputStream().close();
            assertThat(p.waitFor())
                    .as(new String(p.getErrorStream().readAllBytes()))
                    .isZero();
        }
    }
}
