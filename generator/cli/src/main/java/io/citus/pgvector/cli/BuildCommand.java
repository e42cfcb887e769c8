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
        name = "build",
        description = {
            "The whole job: generate the chart folder, lint it strictly, then package it.",
            "Both destinations are checked before anything is written (see generate and package)."
        },
        footerHeading = "%n",
        footer = {BuildCommand.EXAMPLES, ExitCode.HELP})
final class BuildCommand implements Callable<Integer> {

    static final String EXAMPLES = """
            Examples:
              citus-pgvector build
              citus-pgvector build -f values/default.yaml --chart-version 0.2.0 -d dist
              citus-pgvector build -d dist --sign --key signing-key.gpg
            """;

    @Mixin
    HelpOptions help;

    @Mixin
    ValuesOptions values;

    @Mixin
    ChartOption chart;

    @Mixin
    DestinationOption destination;

    @Mixin
    SigningOptions signing;

    @Option(
            names = "--force",
            description = "Replace a --chart folder that is not a citus-pgvector chart or holds hand-written files, and"
                    + " a file at the archive's path that is not a citus-pgvector archive (never a file at --chart).")
    boolean force;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Failure {
        ChartJobs.Built built =
                ChartJobs.build(values.source(), chart.chart, destination.destination, force, signing.key());
        Output.generated(spec.commandLine().getOut(), built.generated());
        int lint = Output.linted(spec.commandLine(), built.linted());
        built.packaged()
                .ifPresent(packaged -> Output.packaged(spec.commandLine().getOut(), packaged));
        return lint;
    }
}
