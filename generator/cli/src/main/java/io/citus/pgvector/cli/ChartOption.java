package io.citus.pgvector.cli;

import io.citus.pgvector.chart.ChartJobs;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The chart folder a command works on. */
final class ChartOption {

    @Option(
            names = "--chart",
            paramLabel = "DIR",
            defaultValue = ChartJobs.DEFAULT_CHART,
            description = "Chart folder (default: ${DEFAULT-VALUE}).")
    Path chart;
}
