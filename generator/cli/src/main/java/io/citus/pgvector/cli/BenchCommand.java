package io.citus.pgvector.cli;

import io.citus.pgvector.Failure;
import io.citus.pgvector.Failure.Kind;
import io.citus.pgvector.cluster.Bench;
import io.citus.pgvector.cluster.BenchConfig;
import io.citus.pgvector.cluster.BenchReport;
import io.citus.pgvector.cluster.BenchSpec;
import io.citus.pgvector.cluster.ConnectionSettings;
import io.citus.pgvector.cluster.Interruption;
import io.citus.pgvector.cluster.Progress;
import io.citus.pgvector.cluster.SyntheticDataset;
import io.citus.pgvector.cluster.TableBench;
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
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
        name = "bench",
        description = {
            "Measure vector search on a running cluster: load a seeded, clustered synthetic dataset into a"
                    + " distributed table (one per shard count), build its HNSW index, compute the exact neighbors in"
                    + " Java, then for every configuration measure recall@k and, with concurrent clients after a warm-up,"
                    + " QPS and latency percentiles of router kNN (filtered on the distribution column) and fan-out kNN.",
            "With --table T --column C, measure your own table instead, without writing to it: query vectors"
                    + " sampled from the table, exact neighbors computed on the cluster with index scans off.",
            "A configuration is 'stock' (32 shards, Citus/pgvector/PostgreSQL defaults), 'cluster' (the cluster's"
                    + " own settings and citus.shard_count: on a chart install, the chart's defaults) or"
                    + " NAME:shards=N,setting=value,... Settings reach every node per query, with SET LOCAL in the"
                    + " query's transaction (citus.propagate_set_commands=local): no node's configuration changes."
                    + " The tables a run creates are marked, and dropped at the end, on an error, on Ctrl-C and"
                    + " SIGTERM (unless --keep); --restore drops those of a run that was killed. A cluster that is"
                    + " not on this machine is changed only with --yes.",
            VerifyCommand.ConnectionOptions.DESCRIPTION
        },
        footerHeading = "%n",
        footer = BenchCommand.HELP)
final class BenchCommand implements Callable<Integer> {

    static final String HELP = """
            Examples:
              # the chart's defaults against stock Citus, as in docs/performance.md
              PGPASSWORD=... citus-pgvector bench -h 127.0.0.1 -p 5432 -U postgres -d postgres \\
                --config stock --config cluster --json bench.json --csv bench.csv
              # your own table, as the cluster is configured and at hnsw.ef_search 40
              PGPASSWORD=... citus-pgvector bench -h 127.0.0.1 -U postgres -d app \\
                --table items --column embedding --config cluster --config ef40:hnsw.ef_search=40
              # after a run was killed: drop the tables it left
              PGPASSWORD=... citus-pgvector bench -h 127.0.0.1 -U postgres -d postgres --restore

            Exit codes:
              0  done
              2  bad command line
              3  invalid option value, a table, column or setting that does not exist or fit, a
                 cluster not on this machine without --yes
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
            names = "--table-prefix",
            defaultValue = "bench_items",
            description = "Prefix of the synthetic dataset's tables: <prefix>_<shards>, <prefix>_queries"
                    + " (default: ${DEFAULT-VALUE}).")
    String tablePrefix;

    @Option(names = "--keep", description = "Keep the tables; a later run with the same dataset reuses them.")
    boolean keep;

    @Option(
            names = "--table",
            paramLabel = "TABLE",
            description = "Measure this existing table instead of a synthetic dataset (needs --column); nothing is"
                    + " written to it.")
    String table;

    @Option(
            names = "--column",
            paramLabel = "COLUMN",
            description = "The vector column of --table, with an HNSW index.")
    String column;

    @Option(
            names = "--distribution-column",
            paramLabel = "COLUMN",
            description = "The column router queries of --table filter on (default: its distribution column).")
    String distributionColumn;

    @Option(
            names = "--exact-timeout",
            defaultValue = "300",
            paramLabel = "SECONDS",
            description = "With --table: the most one exact-neighbor query may take (default: ${DEFAULT-VALUE}).")
    double exactTimeout;

    @Option(
            names = "--restore",
            description = "Drop the tables that runs killed before their clean-up left on the cluster, and nothing"
                    + " else.")
    boolean restore;

    @Option(names = "--yes", description = "Go ahead on a cluster that is not on this machine.")
    boolean yes;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures as JSON.")
    Path json;

    @Option(names = "--csv", paramLabel = "FILE", description = "Also write the figures as CSV.")
    Path csv;

    @Option(names = "--quiet", description = "No progress on standard error.")
    boolean quiet;

    @Spec
    CommandSpec spec;

    /** The options of the synthetic dataset, which --table replaces. */
    private static final List<String> SYNTHETIC_OPTIONS = List.of(
            "--rows",
            "--dimension",
            "--channels",
            "--centers",
            "--latent-dimension",
            "--noise",
            "--channel-affinity",
            "--query-affinity",
            "--seed",
            "--hnsw-m",
            "--hnsw-ef-construction",
            "--table-prefix",
            "--keep");

    @Override
    public Integer call() throws Failure {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        Progress progress = quiet ? Progress.NONE : new ConsoleProgress(err);
        if (restore) {
            List<String> given = matched(List.of("--table", "--config", "--keep", "--json", "--csv"));
            if (!given.isEmpty()) {
                throw new ParameterException(
                        spec.commandLine(), "--restore takes only the connection, not " + String.join(", ", given));
            }
            List<String> lines = Bench.restore(connection.settings());
            lines.forEach(out::println);
            out.println(lines.isEmpty() ? "no tables of bench on the cluster" : "restored");
            return ExitCode.OK;
        }
        BenchReport report;
        Interruption interruption = new Interruption();
        if (table != null) {
            List<String> given = matched(SYNTHETIC_OPTIONS);
            if (!given.isEmpty()) {
                throw new ParameterException(
                        spec.commandLine(),
                        "--table measures an existing table: " + String.join(", ", given)
                                + " describe the synthetic dataset");
            }
            if (column == null) {
                throw new ParameterException(spec.commandLine(), "--table needs --column, its vector column");
            }
            TableBench.Spec tableSpec = tableSpec();
            ConnectionSettings target = connection.settings();
            report = Interruptible.run(
                    interruption, err, () -> new TableBench(target, tableSpec, progress, interruption).run());
        } else {
            List<String> given = matched(List.of("--column", "--distribution-column", "--exact-timeout"));
            if (!given.isEmpty()) {
                throw new ParameterException(
                        spec.commandLine(), String.join(", ", given) + " need --table, the table to measure");
            }
            BenchSpec benchSpec = benchSpec();
            ConnectionSettings target = connection.settings();
            if (!target.onThisMachine() && !yes) {
                throw new Failure(
                        Kind.INVALID_INPUT,
                        "bench creates and drops tables (" + Bench.tablesOf(benchSpec) + ") on " + target.describe()
                                + ", which is not on this machine: add --yes to go ahead");
            }
            report = Interruptible.run(
                    interruption, err, () -> new Bench(target, benchSpec, progress, interruption).run());
        }
        out.print(report.toTable());
        write(json, report.toJson());
        write(csv, report.toCsv());
        return ExitCode.OK;
    }

    private List<String> matched(List<String> options) {
        return options.stream()
                .filter(o -> spec.commandLine().getParseResult().hasMatchedOption(o))
                .toList();
    }

    private List<BenchSpec.Mode> parsedModes() {
        return modes.stream().map(BenchSpec.Mode::parse).distinct().toList();
    }

    private TableBench.Spec tableSpec() throws Failure {
        try {
            return new TableBench.Spec(
                    table,
                    column,
                    distributionColumn,
                    k,
                    queries,
                    clients,
                    seconds("--warmup", warmup),
                    seconds("--duration", duration),
                    parsedModes(),
                    (configs.isEmpty()
                            ? List.of(BenchConfig.CLUSTER)
                            : configs.stream().map(BenchConfig::parse).toList()),
                    seconds("--exact-timeout", exactTimeout));
        } catch (IllegalArgumentException e) {
            throw new Failure(Kind.INVALID_INPUT, e.getMessage());
        }
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
                    parsedModes(),
                    (configs.isEmpty()
                            ? List.of(BenchConfig.STOCK, BenchConfig.CLUSTER)
                            : configs.stream().map(BenchConfig::parse).toList()),
                    tablePrefix,
                    keep,
                    secondaryClients);
        } catch (IllegalArgumentException e) {
            throw new Failure(Kind.INVALID_INPUT, e.getMessage());
        }
    }

    static Duration seconds(String option, double seconds) {
        if (seconds < 0 || seconds > 86_400) {
            throw new IllegalArgumentException(option + " must be between 0 and 86400 seconds, got " + seconds);
        }
        return Duration.ofMillis(Math.round(seconds * 1000));
    }

    static void write(Path file, String content) throws Failure {
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
    static final class ConsoleProgress implements Progress {
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
