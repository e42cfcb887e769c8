package io.citus.pgvector.cli;

import io.citus.pgvector.chart.ChartJobs;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where a command writes the packaged chart. */
final class DestinationOption {

    @Option(
            names = {"-d", "--destination"},
            paramLabel = "DIR",
            defaultValue = ChartJobs.DEFAULT_DESTINATION,
            description = "Folder for the archive (default: ${DEFAULT-VALUE}).")
    Path destination;
}
