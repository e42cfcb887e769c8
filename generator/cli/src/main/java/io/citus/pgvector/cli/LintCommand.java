package io.citus.pgvector.cli;

import io.citus.pgvector.Failure;
import io.citus.pgvector.chart.ChartJobs;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
        name = "lint",
        description = "Run 'helm lint --strict' on the chart folder.",
        footerHeading = "%n",
        footer = {LintCommand.EXAMPLES, ExitCode.HELP})
final class LintCommand implements Callable<Integer> {

    static final String EXAMPLES = """
            Examples:
              citus-pgvector lint
              citus-pgvector lint --chart build/citus-pgvector
            """;

    @Mixin
    HelpOptions help;

    @Mixin
    ChartOption chart;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Failure {
        return Output.linted(spec.commandLine(), ChartJobs.lint(chart.chart));
    }
}
