package io.citus.pgvector.cli;

import io.citus.pgvector.Failure;
import io.citus.pgvector.chart.ChartJobs;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
        name = "build",
        description = "The whole job: generate the chart folder, lint it strictly, then package it.",
        footerHeading = "%n",
        footer = ExitCode.HELP)
final class BuildCommand implements Callable<Integer> {

    @Mixin
    HelpOptions help;

    @Mixin
    ValuesOptions values;

    @Mixin
    ChartOption chart;

    @Mixin
    DestinationOption destination;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Failure {
        ChartJobs.Built built = ChartJobs.build(values.source(), chart.chart, destination.destination);
        Output.generated(spec.commandLine().getOut(), built.generated());
        int lint = Output.linted(spec.commandLine(), built.linted());
        built.archive().ifPresent(archive -> spec.commandLine().getOut().printf("packaged %s%n", archive));
        return lint;
    }
}
