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
        name = "package",
        description = {
            "Package the chart folder into a versioned .tgz, reproducibly: the same files give the same bytes (entry"
                    + " times are SOURCE_DATE_EPOCH, or 1980-01-01 when unset).",
            "With --sign, also ARCHIVE.prov, Helm's provenance file, signed with your PGP key."
        },
        footerHeading = "%n",
        footer = {PackageCommand.EXAMPLES, ExitCode.HELP})
final class PackageCommand implements Callable<Integer> {

    static final String EXAMPLES = """
            Examples:
              citus-pgvector package
              citus-pgvector package --chart charts/citus-pgvector -d dist
              gpg --export-secret-keys you@example.com > signing-key.gpg
              citus-pgvector package -d dist --sign --key signing-key.gpg \\
                --passphrase-stdin < passphrase.txt
            """;

    @Mixin
    HelpOptions help;

    @Mixin
    ChartOption chart;

    @Mixin
    DestinationOption destination;

    @Mixin
    SigningOptions signing;

    @Option(
            names = "--force",
            description = "Replace a file at the archive's path that is not a citus-pgvector archive.")
    boolean force;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Failure {
        Output.packaged(
                spec.commandLine().getOut(),
                ChartJobs.packageChart(chart.chart, destination.destination, force, signing.key()));
        return ExitCode.OK;
    }
}
