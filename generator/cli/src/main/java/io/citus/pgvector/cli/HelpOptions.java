package io.citus.pgvector.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code --help} and {@code -V}/{@code --version} of every command. {@code -h} is added by {@link Cli} where it is not
 * the host (verify and bench take {@code -h HOST} as psql does).
 */
@Command(versionProvider = VersionInfo.class)
final class HelpOptions {

    @Option(
            names = "--help",
            usageHelp = true,
            description = "Show this help message and exit (also -h, or help COMMAND).")
    boolean help;

    @Option(
            names = {"-V", "--version"},
            versionHelp = true,
            description = "Print version information and exit.")
    boolean version;
}
