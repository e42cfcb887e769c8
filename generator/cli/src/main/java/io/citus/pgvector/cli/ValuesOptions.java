package io.citus.pgvector.cli;

import io.citus.pgvector.model.InvalidValuesException;
import io.citus.pgvector.model.Values;
import io.citus.pgvector.model.ValuesLoader;
import io.citus.pgvector.render.ChartMetadata;
import io.citus.pgvector.render.ChartRenderer;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;
import picocli.CommandLine.Option;

/** Which values and versions a chart is generated from. */
final class ValuesOptions {

    static final String DEFAULT_VALUES = "values/default.yaml";

    @Option(names = {"-f", "--values"}, paramLabel = "FILE",
            description = "Values file; repeat to merge several, later ones win (default: " + DEFAULT_VALUES + ").")
    List<Path> valuesFiles = List.of();

    @Option(names = "--chart-version", paramLabel = "SEMVER",
            description = "Chart version to write into Chart.yaml (default: the generator's version).")
    String chartVersion;

    @Option(names = "--app-version", paramLabel = "TAG",
            description = "appVersion to write into Chart.yaml, also the default image tag"
                    + " (default: the image tag this generator was built for).")
    String appVersion;

    List<Path> files() {
        return valuesFiles.isEmpty() ? List.of(Path.of(DEFAULT_VALUES)) : valuesFiles;
    }

    ChartMetadata metadata() throws CliException {
        try {
            return new ChartMetadata(chartVersion == null ? VersionInfo.version() : chartVersion,
                    appVersion == null ? VersionInfo.imageTag() : appVersion);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCode.INVALID_INPUT, e.getMessage());
        }
    }

    Values values() throws InvalidValuesException {
        return ValuesLoader.load(files());
    }

    /** The chart's files as the generator makes them from these options. */
    SortedMap<String, byte[]> render() throws InvalidValuesException, CliException {
        ChartMetadata metadata = metadata();
        return new ChartRenderer().render(values(), metadata);
    }
}
