package io.citus.pgvector.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.citus.pgvector.Failure;
import io.citus.pgvector.Failure.Kind;
import io.citus.pgvector.cluster.BenchSpec;
import io.citus.pgvector.cluster.ConnectionSettings;
import io.citus.pgvector.cluster.Interruption;
import io.citus.pgvector.cluster.Progress;
import io.citus.pgvector.cluster.Tune;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "tune",
        description = {
            "Find the cheapest hnsw.ef_search and hnsw.iterative_scan that reach a recall target on your own table,"
                    + " for fan-out kNN and for router kNN (filtered on the distribution column), and print the --set"
                    + " lines that make the chart carry them.",
            "Query vectors are rows sampled from the table; their exact neighbors are computed on the cluster with"
                    + " index scans off (each query bounded by --exact-timeout, with a progress line). Every step"
                    + " prints recall, QPS and latency. Nothing on the cluster changes: each setting tried lives in"
                    + " one query's transaction (SET LOCAL, propagated to the workers), and the chart, not ALTER"
                    + " SYSTEM, is where the result belongs, since Patroni rewrites the nodes' configuration.",
            VerifyCommand.ConnectionOptions.DESCRIPTION
        },
        footerHeading = "%n",
        footer = TuneCommand.HELP)
final class TuneCommand implements Callable<Integer> {

    static final String HELP = """
            Example:
              PGPASSWORD=... citus-pgvector tune -h 127.0.0.1 -U postgres -d app \\
                --table items --column embedding -k 10 --recall 0.99 --output tuned.yaml
              helm upgrade citus oci://REGISTRY/charts/citus-pgvector \\
                -f my-values.yaml -f tuned.yaml

            Exit codes:
              0  done: the target is reached, the values are printed (and written
                 with --output)
              1  the target is not reached even at hnsw.ef_search 1000
              2  bad command line
              3  invalid option value; no such table or column, not a vector column,
                 no HNSW index, an empty table, -k larger than the table; --output
                 exists
              4  coordinator unreachable, refusing the login, or failing a statement
              5  internal error (rerun with --stacktrace)""";

    @Mixin
    HelpOptions help;

    @Mixin
    VerifyCommand.ConnectionOptions connection;

    @Option(names = "--table", required = true, paramLabel = "TABLE", description = "The table to tune for.")
    String table;

    @Option(
            names = "--column",
            required = true,
            paramLabel = "COLUMN",
            description = "Its vector column, with an HNSW index.")
    String column;

    @Option(
            names = "--distribution-column",
            paramLabel = "COLUMN",
            description = "The column router queries filter on (default: the table's distribution column).")
    String distributionColumn;

    @Option(
            names = {"-k", "--k"},
            defaultValue = "10",
            description = "Neighbors per query (default: ${DEFAULT-VALUE}).")
    int k;

    @Option(
            names = "--recall",
            defaultValue = "0.99",
            paramLabel = "TARGET",
            description = "Mean recall@k to reach (default: ${DEFAULT-VALUE}).")
    double recall;

    @Option(
            names = "--queries",
            defaultValue = "100",
            description = "Query vectors sampled from the table (default: ${DEFAULT-VALUE}).")
    int queries;

    @Option(
            names = "--clients",
            defaultValue = "2",
            description = "Concurrent clients for QPS and latency (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(
            names = "--warmup",
            defaultValue = "1",
            paramLabel = "SECONDS",
            description = "Warm-up before each step's measurement (default: ${DEFAULT-VALUE}).")
    double warmup;

    @Option(
            names = "--duration",
            defaultValue = "5",
            paramLabel = "SECONDS",
            description = "Measured time per step (default: ${DEFAULT-VALUE}).")
    double duration;

    @Option(
            names = "--mode",
            split = ",",
            defaultValue = "router,fan-out",
            paramLabel = "MODE",
            description = "router, fan-out or both (default: ${DEFAULT-VALUE}; router needs a distribution column).")
    List<String> modes;

    @Option(
            names = "--exact-timeout",
            defaultValue = "300",
            paramLabel = "SECONDS",
            description = "The most one exact-neighbor query may take (default: ${DEFAULT-VALUE}).")
    double exactTimeout;

    @Option(
            names = "--output",
            paramLabel = "FILE",
            description = "Also write the values as a values file for helm -f (a new file: never overwritten).")
    Path output;

    @Option(names = "--quiet", description = "No progress on standard error.")
    boolean quiet;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Failure {
        Tune.Spec tuneSpec;
        try {
            tuneSpec = new Tune.Spec(
                    table,
                    column,
                    distributionColumn,
                    k,
                    recall,
                    queries,
                    clients,
                    BenchCommand.seconds("--warmup", warmup),
                    BenchCommand.seconds("--duration", duration),
                    modes.stream().map(BenchSpec.Mode::parse).distinct().toList(),
                    BenchCommand.seconds("--exact-timeout", exactTimeout));
        } catch (IllegalArgumentException e) {
            throw new Failure(Kind.INVALID_INPUT, e.getMessage());
        }
        if (output != null && Files.exists(output)) {
            throw new Failure(Kind.INVALID_INPUT, "--output " + output + " exists: tune writes a new file only");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Progress progress = quiet ? Progress.NONE : new BenchCommand.ConsoleProgress(err);
        ConnectionSettings target = connection.settings();
        Interruption interruption = new Interruption();
        StepPrinter printer = new StepPrinter(out, k);
        Tune.Result result = Interruptible.run(
                interruption, err, () -> new Tune(target, tuneSpec, progress, interruption).run(printer));
        out.println();
        for (BenchSpec.Mode mode : result.modes()) {
            Tune.Step best = result.best().get(mode);
            out.println(
                    best == null
                            ? mode.label() + ": " + recall + " is not reached even at hnsw.ef_search 1000"
                            : String.format(
                                    Locale.ROOT,
                                    "%s: cheapest reaching %s: hnsw.ef_search=%d hnsw.iterative_scan=%s (recall %.4f, %.0f QPS)",
                                    mode.label(),
                                    recall,
                                    best.efSearch(),
                                    best.iterativeScan(),
                                    best.measured().recall(),
                                    best.measured().qps()));
        }
        if (!result.reached()) {
            out.println("no values reach the target; nothing written");
            return ExitCode.CHECK_FAILED;
        }
        out.printf(
                "for every query (the chart sets one value): hnsw.ef_search=%d hnsw.iterative_scan=%s%n",
                result.efSearch(), result.iterativeScan());
        out.println();
        out.println("The chart carries it with:");
        StringBuilder sets = new StringBuilder();
        result.values()
                .forEach((key, value) ->
                        sets.append(" --set ").append(key).append('=').append(value));
        out.println(" " + sets.toString().strip());
        if (output != null) {
            writeValues(result.values());
            out.println("or: -f " + output);
        }
        return ExitCode.OK;
    }

    /** The values as nested YAML, created new so an existing file is never replaced. */
    private void writeValues(Map<String, Object> values) throws Failure {
        Map<String, Object> tree = new LinkedHashMap<>();
        values.forEach((key, value) -> put(tree, key.split("\\."), value));
        String yaml;
        try {
            yaml = new ObjectMapper(YAMLFactory.builder()
                            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                            .build())
                    .writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        String header = "# Written by citus-pgvector tune for " + table + "." + column + " (recall@" + k + " >= "
                + recall + ")\n";
        try {
            Files.writeString(output, header + yaml, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
        } catch (IOException e) {
            throw new Failure(Kind.ENVIRONMENT, "cannot write " + output + ": " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private static void put(Map<String, Object> tree, String[] path, Object value) {
        Map<String, Object> node = tree;
        for (int i = 0; i < path.length - 1; i++) {
            node = (Map<String, Object>) node.computeIfAbsent(path[i], p -> new LinkedHashMap<String, Object>());
        }
        node.put(path[path.length - 1], value);
    }

    /** Prints each step as a table row as soon as it is measured. */
    private static final class StepPrinter implements Tune.Listener {
        private static final String ROW = "%-8s  %-14s  %-19s  %9s  %5s  %5s  %6s  %7s  %7s  %7s  %s%n";
        private final PrintWriter out;
        private final int k;

        StepPrinter(PrintWriter out, int k) {
            this.out = out;
            this.k = k;
        }

        @Override
        public void started(String description) {
            out.println("tune " + description);
            out.printf(
                    Locale.ROOT,
                    ROW,
                    "mode",
                    "hnsw.ef_search",
                    "hnsw.iterative_scan",
                    "recall@" + k,
                    "rows",
                    "short",
                    "QPS",
                    "p50 ms",
                    "p95 ms",
                    "p99 ms",
                    "");
            out.flush();
        }

        @Override
        public void step(Tune.Step step) {
            out.printf(
                    Locale.ROOT,
                    ROW,
                    step.mode().label(),
                    step.efSearch() == null ? "cluster's" : step.efSearch().toString(),
                    step.iterativeScan() == null ? "cluster's" : step.iterativeScan(),
                    String.format(Locale.ROOT, "%.4f", step.measured().recall()),
                    String.format(Locale.ROOT, "%.2f", step.measured().meanRows()),
                    Integer.toString(step.measured().shortQueries()),
                    String.format(Locale.ROOT, "%.0f", step.measured().qps()),
                    String.format(Locale.ROOT, "%.2f", step.measured().latency().p50Ms()),
                    String.format(Locale.ROOT, "%.2f", step.measured().latency().p95Ms()),
                    String.format(Locale.ROOT, "%.2f", step.measured().latency().p99Ms()),
                    step.reached() ? "reached" : "");
            out.flush();
        }
    }
}
