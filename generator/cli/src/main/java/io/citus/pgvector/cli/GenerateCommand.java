package io.citus.pgvector.cli;

import io.citus.pgvector.Failure;
import io.citus.pgvector.chart.ChartJobs;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
        name = "generate",
        description = "Expand values files into the chart folder, replacing it whole or not at all.",
        footerHeading = "%n",
        footer = ExitCode.HELP)
final class GenerateCommand implements Callable<Integer> {

    @Mixin
    HelpOptions help;

    @Mixin
    ValuesOptions values;

    @Mixin
    ChartOption chart;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Failure {
        Output.generated(spec.commandLine().getOut(), ChartJobs.generate(values.source(), chart.chart));
        return ExitCode.OK;
    }
}
