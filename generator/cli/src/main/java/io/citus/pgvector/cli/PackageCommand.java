package io.citus.pgvector.cli;

import io.citus.pgvector.Failure;
import io.citus.pgvector.chart.ChartJobs;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
        name = "package",
        description = "Package the chart folder into a versioned .tgz.",
        footerHeading = "%n",
        footer = ExitCode.HELP)
final class PackageCommand implements Callable<Integer> {

    @Mixin
    HelpOptions help;

    @Mixin
    ChartOption chart;

    @Mixin
    DestinationOption destination;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Failure {
        spec.commandLine()
                .getOut()
                .printf("packaged %s%n", ChartJobs.packageChart(chart.chart, destination.destination));
        return ExitCode.OK;
    }
}
