package io.citus.pgvector.cli;

import io.citus.pgvector.Failure;
import io.citus.pgvector.chart.ChartJobs;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "generate",
        description = {
            "Expand values files into the chart folder, replacing it whole or not at all.",
            "Refuses a --chart that is a file, a folder that is not a citus-pgvector chart, and one holding hand-written"
                    + " files this generator does not carry (--force for the last two)."
        },
        footerHeading = "%n",
        footer = {GenerateCommand.EXAMPLES, ExitCode.HELP})
final class GenerateCommand implements Callable<Integer> {

    static final String EXAMPLES = """
            Examples:
              citus-pgvector generate
              citus-pgvector generate -f values/default.yaml -f my-overrides.yaml \\
                --chart build/citus-pgvector
            """;

    @Mixin
    HelpOptions help;

    @Mixin
    ValuesOptions values;

    @Mixin
    ChartOption chart;

    @Option(
            names = "--force",
            description = "Replace a --chart folder that is not a citus-pgvector chart, or that holds hand-written"
                    + " files (never a file).")
    boolean force;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Failure {
        Output.generated(spec.commandLine().getOut(), ChartJobs.generate(values.source(), chart.chart, force));
        return ExitCode.OK;
    }
}
