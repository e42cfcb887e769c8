package io.citus.pgvector.cli;

import io.citus.pgvector.chart.ChartJobs;
import java.io.PrintWriter;
import picocli.CommandLine;

/** How the chart commands that share a result print it. */
final class Output {

    private Output() {}

    static void generated(PrintWriter out, ChartJobs.Generated generated) {
        out.printf(
                "generated %s (%d files, chart version %s)%n",
                generated.chart(), generated.files(), generated.version());
    }

    static void packaged(PrintWriter out, ChartJobs.Packaged packaged) {
        out.printf("packaged %s%n", packaged.archive());
        packaged.provenance().ifPresent(prov -> out.printf("signed %s%n", prov));
    }

    /** Prints Helm's messages and returns the exit code of the lint. */
    static int linted(CommandLine command, ChartJobs.Linted linted) {
        if (linted.failed()) {
            PrintWriter err = command.getErr();
            err.printf("helm lint --strict %s failed:%n", linted.chart());
            linted.messages().forEach(m -> err.println("  " + m));
            return ExitCode.CHECK_FAILED;
        }
        PrintWriter out = command.getOut();
        linted.messages().forEach(m -> out.println("  " + m));
        out.printf("helm lint --strict %s: ok%n", linted.chart());
        return ExitCode.OK;
    }
}
