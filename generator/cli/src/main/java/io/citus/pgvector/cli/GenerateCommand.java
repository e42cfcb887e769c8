package io.citus.pgvector.cli;

import io.citus.pgvector.render.ChartRenderer;
import io.citus.pgvector.render.ChartWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "generate", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class,
        description = "Expand values files into the chart folder, replacing it whole or not at all.",
        footerHeading = "%n", footer = ExitCode.HELP)
final class GenerateCommand implements Callable<Integer> {

    @Mixin
    ValuesOptions values;

    @Mixin
    ChartOption chart;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        generate(values, chart.chart, spec.commandLine().getOut());
        return ExitCode.OK;
    }

    static void generate(ValuesOptions values, Path chart, PrintWriter out) throws Exception {
        SortedMap<String, byte[]> files = values.render();
        try {
            List<String> edits = ChartRenderer.unsavedEdits(chart);
            if (!edits.isEmpty()) {
                throw new CliException(ExitCode.INVALID_INPUT, chart + " holds hand-written files this generator would"
                        + " replace: " + String.join(", ", edits) + ". Rebuild the generator from this tree"
                        + " (./mvnw -B -q -DskipTests package) so it carries them, or remove the folder first");
            }
            ChartWriter.write(files, chart);
        } catch (IOException e) {
            throw new CliException(ExitCode.ENVIRONMENT, "cannot write " + chart + ": " + e, e);
        }
        out.printf("generated %s (%d files, chart version %s)%n", chart, files.size(), values.metadata().version());
    }
}
