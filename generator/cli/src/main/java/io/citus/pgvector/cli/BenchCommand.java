package io.citus.pgvector.cli;

import io.citus.pgvector.Failure;
import io.citus.pgvector.Failure.Kind;
import io.citus.pgvector.cluster.Bench;
import io.citus.pgvector.cluster.BenchConfig;
import io.citus.pgvector.cluster.BenchReport;
import io.citus.pgvector.cluster.BenchSpec;
import io.citus.pgvector.cluster.Progress;
import io.citus.pgvector.cluster.SyntheticDataset;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "bench",
        description = {
            "Measure vector search on a running cluster: load a seeded, clustered synthetic dataset into a"
                    + " distributed table (one per shard count), build its HNSW index, compute the exact neighbors in"
                    + " Java, then for every configuration measure recall@k and, with concurrent clients after a warm-up,"
                    + " QPS and latency percentiles of router kNN (filtered on the distribution column) and fan-out kNN.",
            "A configuration is 'stock' (32 shards, Citus/pgvector/PostgreSQL defaults), 'cluster' (the cluster's"
                    + " own settings and citus.shard_count: on a chart install, the chart's defaults) or"
                    + " NAME:shards=N,setting=value,... Settings are applied on every node with ALTER SYSTEM + reload and"
                    + " restored afterwards; created tables are dropped unless --keep.",
            VerifyCommand.ConnectionOptions.DESCRIPTION
        },
        footerHeading = "%n",
        footer = BenchCommand.HELP)
final class BenchCommand implements Callable<Integer> {

    static final String HELP = """
            Example (the chart's defaults against stock Citus, as in docs/performance.md):
              PGPASSWORD=... citus-pgvector bench -h 127.0.0.1 -p 5432 -U postgres -d postgres \\
                --config stock --config cluster --json bench.json --csv bench.csv

            Exit codes:
              0  done
              2  bad command line
              3  invalid option value
              4  coordinator unreachable, refusing the login, or failing a statement
              5  internal error (rerun with --stacktrace)""";

    @Mixin
    HelpOptions help;

    @Mixin
    VerifyCommand.ConnectionOptions connection;

    @Option(names = "--rows", defaultValue = "100000", description = "Rows of the dataset (default: ${DEFAULT-VALUE}).")
    int rows;

    @Option(names = "--dimension", defaultValue = "128", description = "Vector dimension (default: ${DEFAULT-VALUE}).")
    int dimension;

    @Option(
            names = "--channels",
            defaultValue = "100",
            description = "Distinct values of the distribution column (default: ${DEFAULT-VALUE}).")
    int channels;

    @Option(
            names = "--centers",
            defaultValue = "1000",
            description = "Gaussian clusters the vectors are drawn around (default: ${DEFAULT-VALUE}).")
    int centers;

    @Option(
            names = "--latent-dimension",
            defaultValue = "0",
            description = "Intrinsic dimension of the centers: they are a random linear image of points of a space"
                    + " this large, so topics are graded, a few near each other and most far apart; 0 draws them"
                    + " independently in the full dimension, all about equally far apart (default: ${DEFAULT-VALUE}).")
    int latentDimension;

    @Option(
            names = "--noise",
            defaultValue = "0.6",
            description = "Standard deviation around a center; centers have 1 (default: ${DEFAULT-VALUE}).")
    double noise;

    @Option(
            names = "--channel-affinity",
            defaultValue = "0.1",
            description = "Share of rows whose channel is their topic's channel, the rest spread at random: 0"
                    + " scatters each channel over the whole space, 1 gives each channel its own topics"
                    + " (default: ${DEFAULT-VALUE}).")
    double channelAffinity;

    @Option(
            names = "--query-affinity",
            defaultValue = "1",
            description = "Share of queries whose channel is their topic's channel: 1 asks each channel about topics"
                    + " it holds, as an application searching a tenant's own documents does; the channel affinity"
                    + " makes queries follow the rows (default: ${DEFAULT-VALUE}).")
    double queryAffinity;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the dataset (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--hnsw-m", defaultValue = "16", description = "HNSW m (default: ${DEFAULT-VALUE}).")
    int hnswM;

    @Option(
            names = "--hnsw-ef-construction",
            defaultValue = "64",
            description = "HNSW ef_construction (default: ${DEFAULT-VALUE}).")
    int hnswEfConstruction;

    @Option(
            names = {"-k", "--k"},
            defaultValue = "10",
            description = "Neighbors per query (default: ${DEFAULT-VALUE}).")
    int k;

    @Option(
            names = "--queries",
            defaultValue = "200",
            description = "Distinct query vectors; recall is their mean (default: ${DEFAULT-VALUE}).")
    int queries;

    @Option(
            names = "--clients",
            defaultValue = "2",
            description = "Concurrent clients for QPS and latency (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(
            names = "--secondary-clients",
            defaultValue = "0",
            description = "How many of the clients read through the read endpoint of replica reads"
                    + " (citus.use_secondary_nodes=always at connection start: the workers' secondaries); with any,"
                    + " recall is measured through it too (default: ${DEFAULT-VALUE}).")
    int secondaryClients;

    @Option(
            names = "--warmup",
            defaultValue = "5",
            paramLabel = "SECONDS",
            description = "Warm-up before measuring, per configuration and mode (default: ${DEFAULT-VALUE}).")
    double warmup;

    @Option(
            names = "--duration",
            defaultValue = "20",
            paramLabel = "SECONDS",
            description = "Measured time per configuration and mode (default: ${DEFAULT-VALUE}).")
    double duration;

    @Option(
            names = "--mode",
            split = ",",
            defaultValue = "router,fan-out",
            paramLabel = "MODE",
            description = "router, fan-out or both (default: ${DEFAULT-VALUE}).")
    List<String> modes;

    @Option(
            names = "--config",
            paramLabel = "CONFIG",
            description = "A configuration to measure; repeatable, the first is the reference (default: stock, then"
                    + " cluster).")
    List<String> configs = List.of();

    @Option(
            names = "--table",
            defaultValue = "bench_items",
            description = "Prefix of the tables: <table>_<shards>, <table>_queries (default: ${DEFAULT-VALUE}).")
    String table;

    @Option(names = "--keep", description = "Keep the tables; a later run with the same dataset reuses them.")
    boolean keep;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures as JSON.")
    Path json;

    @Option(names = "--csv", paramLabel = "FILE", description = "Also write the figures as CSV.")
    Path csv;

    @Option(names = "--quiet", description = "No progress on standard error.")
    boolean quiet;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Failure {
        BenchSpec benchSpec = benchSpec();
        PrintWriter err = spec.commandLine().getErr();
        BenchReport report =
                new Bench(connection.settings(), benchSpec, quiet ? Progress.NONE : new ConsoleProgress(err)).run();
        spec.commandLine().getOut().print(report.toTable());
        write(json, report.toJson());
        write(csv, report.toCsv());
        return ExitCode.OK;
    }

    private BenchSpec benchSpec() throws Failure {
        try {
            SyntheticDataset dataset = new SyntheticDataset(
                    seed, rows, dimension, channels, centers, latentDimension, noise, channelAffinity, queryAffinity);
            return new BenchSpec(
                    dataset,
                    hnswM,
                    hnswEfConstruction,
                    k,
                    queries,
                    clients,
                    seconds("--warmup", warmup),
                    seconds("--duration", duration),
                    modes.stream().map(BenchSpec.Mode::parse).distinct().toList(),
                    (configs.isEmpty()
                            ? List.of(BenchConfig.STOCK, BenchConfig.CLUSTER)
                            : configs.stream().map(BenchConfig::parse).toList()),
                    table,
                    keep,
                    secondaryClients);
        } catch (IllegalArgumentException e) {
            throw new Failure(Kind.INVALID_INPUT, e.getMessage());
        }
    }

    private static Duration seconds(String option, double seconds) {
        if (seconds < 0 || seconds > 86_400) {
            throw new IllegalArgumentException(option + " must be between 0 and 86400 seconds, got " + seconds);
        }
        return Duration.ofMillis(Math.round(seconds * 1000));
    }

    private static void write(Path file, String content) throws Failure {
        if (file == null) {
            return;
        }
        try {
            Files.writeString(file, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new Failure(Kind.ENVIRONMENT, "cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Phases as lines; within a phase, the percentage: every 10 % in place on a terminal, else every 25 %. */
    private static final class ConsoleProgress implements Progress {
        private final PrintWriter err;
        private final boolean terminal = System.console() != null;
        private int lastPercent = -1;

        ConsoleProgress(PrintWriter err) {
            this.err = err;
        }

        @Override
        public void phase(String description) {
            if (terminal && lastPercent >= 0) {
                err.println();
            }
            lastPercent = -1;
            err.println("-- " + description);
            err.flush();
        }

        @Override
        public void update(String description, double fraction) {
            int step = terminal ? 10 : 25;
            int percent = (int) Math.floor(fraction * 100 / step) * step;
            if (percent != lastPercent) {
                lastPercent = percent;
                String line = String.format(Locale.ROOT, "   %s %3d%%", description, percent);
                if (terminal) {
                    err.print("\r" + line);
                } else {
                    err.println(line);
                }
                err.flush();
            }
        }
    }
}
