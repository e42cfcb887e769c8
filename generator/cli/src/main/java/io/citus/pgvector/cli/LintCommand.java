package io.citus.pgvector.cli;

import com.marcnuri.helm.LintResult;
import io.citus.pgvector.helm.HelmClient;
import io.citus.pgvector.helm.HelmException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "lint", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class,
        description = "Run 'helm lint --strict' on the chart folder.",
        footerHeading = "%n", footer = ExitCode.HELP)
final class LintCommand implements Callable<Integer> {

    @Mixin
    ChartOption chart;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        return lint(chart.existing(), spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    static int lint(Path chart, PrintWriter out, PrintWriter err) throws HelmException {
        LintResult result = new HelmClient().lint(chart);
        if (result.isFailed()) {
            err.printf("helm lint --strict %s failed:%n", chart);
            result.getMessages().forEach(m -> err.println("  " + m));
            return ExitCode.CHECK_FAILED;
        }
        result.getMessages().forEach(m -> out.println("  " + m));
        out.printf("helm lint --strict %s: ok%n", chart);
        return ExitCode.OK;
    }
}
