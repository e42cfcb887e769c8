package io.citus.pgvector.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where a command writes the packaged chart. */
final class DestinationOption {

    static final String DEFAULT_DESTINATION = "target/charts";

    @Option(names = {"-d", "--destination"}, paramLabel = "DIR", defaultValue = DEFAULT_DESTINATION,
            description = "Folder for the archive (default: ${DEFAULT-VALUE}).")
    Path destination;
}
