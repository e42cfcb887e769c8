package io.citus.pgvector.cli;

import io.citus.pgvector.Failure;
import io.citus.pgvector.chart.ChartJobs;
import io.citus.pgvector.chart.Provenance;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "verify-chart",
        description = {
            "Check a chart archive against its provenance file (ARCHIVE.prov beside it) and a keyring, as helm verify"
                    + " does: the signature is by a key in the keyring, and the signed digest is the archive's."
        },
        footerHeading = "%n",
        footer = VerifyChartCommand.HELP)
final class VerifyChartCommand implements Callable<Integer> {

    static final String HELP = """
            Examples:
              gpg --export you@example.com > signer.gpg
              citus-pgvector verify-chart target/charts/citus-pgvector-0.1.0.tgz \\
                --keyring signer.gpg

            Exit codes:
              0  verified: signed by a key of the keyring, and it is the archive signed
              1  refused: signed by a key not in the keyring, a signature that does not
                 match its text, or an archive that is not the one signed
              2  bad command line
              3  no such archive, not a chart archive, no provenance file, or a keyring
                 that is not one
              5  internal error (rerun with --stacktrace)""";

    @Mixin
    HelpOptions help;

    @Parameters(index = "0", paramLabel = "ARCHIVE", description = "The chart archive (.tgz); ARCHIVE.prov beside it.")
    Path archive;

    @Option(
            names = "--keyring",
            required = true,
            paramLabel = "FILE",
            description = "Public keys to trust, binary or ASCII-armored (gpg --export KEY-ID > FILE).")
    Path keyring;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Failure {
        try {
            Provenance.Signer signer = ChartJobs.verifyChart(archive, keyring);
            spec.commandLine()
                    .getOut()
                    .printf(
                            "verified %s: signed by %s (key %s)%n",
                            archive.getFileName(), signer.userId(), signer.keyId());
            return ExitCode.OK;
        } catch (Provenance.Rejected e) {
            spec.commandLine().getErr().println("refused: " + e.getMessage());
            return ExitCode.CHECK_FAILED;
        }
    }
}
