package io.citus.pgvector.cli;

import io.citus.pgvector.chart.ChartJobs;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** Which values and versions a chart is generated from. */
final class ValuesOptions {

    @Option(
            names = {"-f", "--values"},
            paramLabel = "FILE",
            description =
                    "Values file; repeat to merge several, later ones win (default: " + ChartJobs.DEFAULT_VALUES + ").")
    List<Path> valuesFiles = List.of();

    @Option(
            names = "--chart-version",
            paramLabel = "SEMVER",
            description = "Chart version to write into Chart.yaml (default: the generator's version).")
    String chartVersion;

    @Option(
            names = "--app-version",
            paramLabel = "TAG",
            description = "appVersion to write into Chart.yaml, also the default image tag"
                    + " (default: the image tag this generator was built for).")
    String appVersion;

    ChartJobs.Source source() {
        return new ChartJobs.Source(valuesFiles, chartVersion, appVersion);
    }
}
