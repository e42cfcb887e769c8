package io.citus.pgvector.cli;

import io.citus.pgvector.helm.HelmClient;
import io.citus.pgvector.helm.HelmException;
import io.citus.pgvector.render.ChartRenderer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "package", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class,
        description = "Package the chart folder into a versioned .tgz.",
        footerHeading = "%n", footer = ExitCode.HELP)
final class PackageCommand implements Callable<Integer> {

    @Mixin
    ChartOption chart;

    @Mixin
    DestinationOption destination;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Path archive = packageChart(chart.existing(), destination.destination);
        spec.commandLine().getOut().printf("packaged %s%n", archive);
        return ExitCode.OK;
    }

    static Path packageChart(Path chart, Path destination) throws CliException {
        String version = ChartFile.version(chart);
        try {
            return new HelmClient().packageChart(chart, destination, ChartRenderer.CHART_NAME, version);
        } catch (HelmException e) {
            throw new CliException(ExitCode.ENVIRONMENT, e.getMessage(), e);
        }
    }
}
