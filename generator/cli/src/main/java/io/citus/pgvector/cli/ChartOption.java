package io.citus.pgvector.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The chart folder a command works on. */
final class ChartOption {

    static final String DEFAULT_CHART = "charts/citus-pgvector";

    @Option(names = "--chart", paramLabel = "DIR", defaultValue = DEFAULT_CHART,
            description = "Chart folder (default: ${DEFAULT-VALUE}).")
    Path chart;

    /** The chart folder, which must exist and hold a Chart.yaml. */
    Path existing() throws CliException {
        if (!Files.isRegularFile(chart.resolve("Chart.yaml"))) {
            throw new CliException(ExitCode.INVALID_INPUT, chart + ": not a chart folder (no Chart.yaml); run"
                    + " 'citus-pgvector generate' first or pass --chart");
        }
        return chart;
    }
}
