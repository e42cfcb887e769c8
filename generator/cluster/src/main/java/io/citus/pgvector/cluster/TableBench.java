package io.citus.pgvector.cluster;

import io.citus.pgvector.cluster.BenchSpec.Mode;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bench --table}: the user's own table measured as it is, written to by nobody: for every configuration (its
 * settings only; the table keeps its shards), recall@k against exact neighbors computed on the cluster, then QPS and
 * latency with concurrent clients.
 */
public final class TableBench {

    /** What to measure. */
    public record Spec(
            String table,
            String column,
            String filterColumn,
            int k,
            int queries,
            int clients,
            Duration warmup,
            Duration duration,
            List<Mode> modes,
            List<BenchConfig> configs,
            Duration exactTimeout) {

        public Spec {
            modes = List.copyOf(modes);
            configs = List.copyOf(configs);
            if (queries < 1 || clients < 1) {
                throw new IllegalArgumentException("queries and clients must be positive");
            }
            for (BenchConfig config : configs) {
                if (config.shards() != null && config != BenchConfig.STOCK) {
                    throw new IllegalArgumentException("configuration " + config.name() + ": shards= does not apply"
                            + " to --table, whose table has its own shards");
                }
            }
        }
    }

    private final ConnectionSettings connection;
    private final Spec spec;
    private final Progress progress;
    private final Interruption interruption;

    public TableBench(ConnectionSettings connection, Spec spec, Progress progress, Interruption interruption) {
        this.connection = connection;
        this.spec = spec;
        this.progress = progress;
        this.interruption = interruption;
    }

    /**
     * Measures every configuration and mode.
     *
     * @throws BenchException invalid input (no such table or column, no HNSW index, k too large) or a cluster that
     *     cannot run the queries
     */
    public BenchReport run() throws ClusterUnreachableException, BenchException {
        try (Coordinator coordinator = Coordinator.connect(connection)) {
            List<Coordinator.Worker> workers = Bench.requireCluster(coordinator, connection);
            TableTarget target =
                    TableTarget.resolve(coordinator, spec.table(), spec.column(), spec.filterColumn(), spec.k());
            for (BenchConfig config : spec.configs()) {
                SearchSession.validate(coordinator, "configuration " + config.name(), config.settings());
            }
            List<Mode> modes = spec.modes().stream()
                    .filter(m -> m == Mode.FAN_OUT || target.hasFilter())
                    .toList();
            if (modes.isEmpty()) {
                throw BenchException.invalidInput("router queries need a distribution column: " + spec.table()
                        + " is not hash-distributed; name the column to filter on with --distribution-column");
            }
            progress.phase("sampling " + spec.queries() + " query vectors from " + target.describe());
            List<TableTarget.Query> queries = target.sample(coordinator, spec.queries());
            List<BenchResult> results = new ArrayList<>();
            Map<Mode, TableTarget.Truth> truths = new LinkedHashMap<>();
            for (Mode mode : modes) {
                progress.phase("exact neighbors of " + queries.size() + " " + mode.label() + " queries, index scans"
                        + " off (at most " + spec.exactTimeout().toSeconds() + " s each)");
                truths.put(mode, target.exact(connection, mode, queries, spec.exactTimeout(), progress, interruption));
            }
            for (BenchConfig config : spec.configs()) {
                for (Mode mode : modes) {
                    progress.phase(config.name() + ", " + mode.label() + ": recall, then " + spec.clients()
                            + " clients for " + spec.warmup().toSeconds() + "s warm-up + "
                            + spec.duration().toSeconds() + "s");
                    TableTarget.Measured measured = target.measure(
                            connection,
                            config.settings(),
                            truths.get(mode),
                            queries,
                            spec.clients(),
                            spec.warmup(),
                            spec.duration(),
                            progress,
                            interruption);
                    results.add(new BenchResult(
                            config.name(),
                            config.describe().replaceFirst("^shards=\\S+", "shards=table's"),
                            target.shards(),
                            Double.NaN,
                            mode.label(),
                            spec.k(),
                            queries.size(),
                            measured.recall(),
                            measured.meanRows(),
                            measured.shortQueries(),
                            spec.clients(),
                            measured.load().seconds(),
                            measured.qps(),
                            measured.latency()));
                }
            }
            return new BenchReport(
                    connection.describe(),
                    workers.size(),
                    new BenchReport.Workload(
                            target.describe() + ", " + queries.size() + " queries sampled from the table",
                            Map.of("table", target.json())),
                    spec.k(),
                    queries.size(),
                    spec.clients(),
                    spec.warmup(),
                    spec.duration(),
                    spec.configs(),
                    results);
        } catch (SQLException e) {
            if (interruption.requested()) {
                throw new BenchException("bench interrupted; nothing on the cluster was changed");
            }
            throw new BenchException("bench failed: " + e.getMessage(), e);
        }
    }
}
