package io.citus.pgvector.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code --help} and {@code -V}/{@code --version} of every command. No {@code -h}: verify and bench take it for the
 * host, as psql does.
 */
@Command(versionProvider = VersionInfo.class)
final class HelpOptions {

    @Option(names = "--help", usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(
            names = {"-V", "--version"},
            versionHelp = true,
            description = "Print version information and exit.")
    boolean version;
}
