package io.citus.pgvector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.citus.pgvector.testing.ProjectFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution's {@code bin/citus-pgvector}: shellcheck-clean, finds its {@code lib/citus-pgvector.jar} through a
 * symbolic link, runs JAVA_HOME's java with the arguments unchanged, and says so when there is no java (exit 4).
 */
class LauncherTest {

    static final Path LAUNCHER = ProjectFiles.root().resolve("generator/cli/src/dist/bin/citus-pgvector");

    @TempDir
    Path dir;

    record Run(int exit, String out) {}

    private static Run run(Path dir, java.util.Map<String, String> env, String... command) throws Exception {
        ProcessBuilder builder =
                new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(p.waitFor(), out);
    }

    @Test
    @DisplayName("shellcheck finds nothing")
    void shellcheck() throws Exception {
        Path shellcheck = Path.of("/usr/bin/shellcheck");
        Assumptions.assumeTrue(Files.isExecutable(shellcheck), "no /usr/bin/shellcheck (Debian package shellcheck)");
        Run run = run(dir, java.util.Map.of(), shellcheck.toString(), LAUNCHER.toString());
        assertThat(run.exit()).as(run.out()).isZero();
    }

    @Test
    @DisplayName("through a link: JAVA_HOME's java runs lib/citus-pgvector.jar with the arguments as given")
    void runsTheJarThroughALink() throws Exception {
        Path home = dir.resolve("opt/citus-pgvector-0.1.0");
        Files.createDirectories(home.resolve("bin"));
        Files.createDirectories(home.resolve("lib"));
        Path launcher = Files.copy(LAUNCHER, home.resolve("bin/citus-pgvector"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.writeString(home.resolve("lib/citus-pgvector.jar"), "");
        Path javaHome = Files.createDirectories(dir.resolve("jdk/bin")).getParent();
        Path fakeJava = Files.writeString(
                javaHome.resolve("bin/java"), "#!/bin/sh\nfor a in \"$@\"; do printf '<%s>\\n' \"$a\"; done\n");
        Files.setPosixFilePermissions(fakeJava, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path link = Files.createSymbolicLink(
                Files.createDirectories(dir.resolve("bin")).resolve("citus-pgvector"), launcher);

        Run run = run(
                dir, java.util.Map.of("JAVA_HOME", javaHome.toString()), link.toString(), "template", "--set", "a=b c");
        assertThat(run.exit()).as(run.out()).isZero();
        assertThat(run.out())
                .isEqualTo("<-jar>\n<" + home.toRealPath().resolve("lib/citus-pgvector.jar")
                        + ">\n<template>\n<--set>\n<a=b c>\n");

        Run noJava = run(dir, java.util.Map.of("JAVA_HOME", dir.resolve("none").toString()), link.toString());
        assertThat(noJava.exit()).isEqualTo(ExitCode.ENVIRONMENT);
        assertThat(noJava.out()).contains("no java found");
    }
}
