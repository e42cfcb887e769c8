package io.citus.pgvector.cli;

import io.citus.pgvector.Failure;
import io.citus.pgvector.chart.ChartJobs;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
        name = "check",
        description = "Fail, showing the differences, when the chart folder is not what 'generate' makes.",
        footerHeading = "%n",
        footer = {CheckCommand.EXAMPLES, ExitCode.HELP})
final class CheckCommand implements Callable<Integer> {

    static final String EXAMPLES = """
            Examples:
              citus-pgvector check
              citus-pgvector check -f values/default.yaml --chart charts/citus-pgvector
            """;

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
        ChartJobs.Source source = values.source();
        List<String> differences = ChartJobs.check(source, chart.chart);
        if (differences.isEmpty()) {
            spec.commandLine().getOut().printf("%s is up to date%n", chart.chart);
            return ExitCode.OK;
        }
        PrintWriter err = spec.commandLine().getErr();
        err.printf("%s is not what the generator makes from %s:%n", chart.chart, source.valuesFiles());
        differences.forEach(d -> err.println("  " + d));
        err.println("run 'citus-pgvector generate' with the same options to update it");
        return ExitCode.CHECK_FAILED;
    }
}
