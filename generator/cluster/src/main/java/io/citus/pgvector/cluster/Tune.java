package io.citus.pgvector.cluster;

import io.citus.pgvector.cluster.BenchSpec.Mode;
import io.citus.pgvector.model.ManagedSetting;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code tune}: the cheapest {@code hnsw.ef_search} and {@code hnsw.iterative_scan} that reach a recall target on the
 * user's own table, for fan-out and for router queries, and the one pair that serves both (the chart sets one value
 * for every query). It reads only: every setting it tries lives in the transaction of one query
 * ({@link SearchSession}). Per iterative scan mode, a binary search over {@link #EF_SEARCH} finds the smallest
 * ef_search whose recall reaches the target; of the two, the lower ef_search wins (the plain scan on a tie). Every
 * step measures recall, then QPS and latency.
 */
public final class Tune {

    /** The values of hnsw.ef_search tried, within pgvector's range (1 to 1000). */
    static final List<Integer> EF_SEARCH =
            List.of(10, 16, 20, 24, 32, 40, 48, 64, 80, 100, 128, 160, 200, 256, 320, 400, 512, 640, 800, 1000);

    /** The iterative scan modes tried, cheapest first; strict_order costs more than relaxed_order for kNN. */
    static final List<String> ITERATIVE_SCAN = List.of("off", "relaxed_order");

    static final String EF_SEARCH_SETTING = ManagedSetting.HNSW_EF_SEARCH.guc();
    static final String ITERATIVE_SCAN_SETTING = ManagedSetting.HNSW_ITERATIVE_SCAN.guc();

    /** What to tune. */
    public record Spec(
            String table,
            String column,
            String filterColumn,
            int k,
            double recallTarget,
            int queries,
            int clients,
            Duration warmup,
            Duration duration,
            List<Mode> modes,
            Duration exactTimeout) {

        public Spec {
            modes = List.copyOf(modes);
            if (!(recallTarget > 0 && recallTarget <= 1)) {
                throw new IllegalArgumentException("--recall must be above 0 and at most 1, got " + recallTarget);
            }
            if (k < 1) {
                throw new IllegalArgumentException("-k must be at least 1, got " + k);
            }
            if (queries < 1 || queries > 10_000) {
                throw new IllegalArgumentException("--queries must be between 1 and 10000, got " + queries);
            }
            if (clients < 1 || clients > 256) {
                throw new IllegalArgumentException("--clients must be between 1 and 256, got " + clients);
            }
            if (modes.isEmpty()) {
                throw new IllegalArgumentException("at least one mode");
            }
        }
    }

    /** One measured setting: null ef_search and iterative scan for the cluster's own values. */
    public record Step(
            Mode mode, Integer efSearch, String iterativeScan, TableTarget.Measured measured, boolean reached) {

        Map<String, String> settings() {
            return settings(efSearch, iterativeScan);
        }

        static Map<String, String> settings(Integer efSearch, String iterativeScan) {
            Map<String, String> settings = new LinkedHashMap<>();
            if (efSearch != null) {
                settings.put(EF_SEARCH_SETTING, efSearch.toString());
                settings.put(ITERATIVE_SCAN_SETTING, iterativeScan);
            }
            return settings;
        }
    }

    /** Where steps go as they are measured. */
    public interface Listener {
        void started(String description);

        void step(Step step);
    }

    /**
     * The outcome.
     *
     * @param best the cheapest step reaching the target per mode; a mode missing did not reach it
     * @param efSearch the value for every query (the larger of the modes' best), null if a mode did not reach it
     * @param iterativeScan relaxed_order if any mode needs it, else off
     * @param confirmation both modes measured at the chosen pair
     */
    public record Result(
            TableTarget target,
            double recallTarget,
            List<Mode> modes,
            String clusterValues,
            List<Step> steps,
            Map<Mode, Step> best,
            Integer efSearch,
            String iterativeScan,
            List<Step> confirmation) {

        public boolean reached() {
            return efSearch != null && confirmation.stream().allMatch(Step::reached);
        }

        /** The chart's values that carry the result, by values key. */
        public Map<String, Object> values() {
            Map<String, Object> values = new LinkedHashMap<>();
            values.put(ManagedSetting.HNSW_EF_SEARCH.valuesKey(), efSearch);
            values.put(ManagedSetting.HNSW_ITERATIVE_SCAN.valuesKey(), iterativeScan);
            return values;
        }
    }

    private final ConnectionSettings connection;
    private final Spec spec;
    private final Progress progress;
    private final Interruption interruption;

    public Tune(ConnectionSettings connection, Spec spec, Progress progress, Interruption interruption) {
        this.connection = connection;
        this.spec = spec;
        this.progress = progress;
        this.interruption = interruption;
    }

    /**
     * Samples, computes the exact neighbors, searches, and measures the chosen pair.
     *
     * @throws BenchException invalid input (no such table or column, not a vector column, no HNSW index, an empty
     *     table, k larger than the table) or a cluster that cannot run the queries
     */
    public Result run(Listener listener) throws ClusterUnreachableException, BenchException {
        try (Coordinator coordinator = Coordinator.connect(connection)) {
            Bench.requireCluster(coordinator, connection);
            TableTarget target =
                    TableTarget.resolve(coordinator, spec.table(), spec.column(), spec.filterColumn(), spec.k());
            List<Mode> modes = spec.modes().stream()
                    .filter(m -> m == Mode.FAN_OUT || target.hasFilter())
                    .toList();
            if (modes.isEmpty()) {
                throw BenchException.invalidInput("router queries need a distribution column: " + spec.table()
                        + " is not hash-distributed; name the column to filter on with --distribution-column");
            }
            String clusterValues = coordinator.queryString(
                    "SELECT current_setting(?, true) || ' / '"
                            + " || current_setting(?, true) FROM (SELECT '[1]'::vector AS v) loaded",
                    EF_SEARCH_SETTING,
                    ITERATIVE_SCAN_SETTING);
            progress.phase("sampling " + spec.queries() + " query vectors from " + target.describe());
            List<TableTarget.Query> queries = target.sample(coordinator, spec.queries());
            listener.started(target.describe() + "; k=" + spec.k() + ", recall target " + spec.recallTarget() + ", "
                    + queries.size() + " queries sampled from the table, " + spec.clients() + " clients, "
                    + spec.duration().toSeconds() + "s per step after "
                    + spec.warmup().toSeconds() + "s warm-up;"
                    + " the coordinator has " + EF_SEARCH_SETTING + " / " + ITERATIVE_SCAN_SETTING + " = "
                    + clusterValues);
            Map<Mode, TableTarget.Truth> truths = new LinkedHashMap<>();
            for (Mode mode : modes) {
                progress.phase("exact neighbors of " + queries.size() + " " + mode.label() + " queries, index scans"
                        + " off (at most " + spec.exactTimeout().toSeconds() + " s each)");
                truths.put(mode, target.exact(connection, mode, queries, spec.exactTimeout(), progress, interruption));
            }
            List<Step> steps = new ArrayList<>();
            Map<Mode, Step> best = new LinkedHashMap<>();
            for (Mode mode : modes) {
                Step cluster = step(target, truths.get(mode), queries, mode, null, null);
                steps.add(cluster);
                listener.step(cluster);
                Step cheapest = null;
                for (String iterativeScan : ITERATIVE_SCAN) {
                    Step found = search(target, truths.get(mode), queries, mode, iterativeScan, steps, listener);
                    if (found != null && (cheapest == null || found.efSearch() < cheapest.efSearch())) {
                        cheapest = found;
                    }
                }
                if (cheapest != null) {
                    best.put(mode, cheapest);
                }
            }
            Integer efSearch = null;
            String iterativeScan = null;
            List<Step> confirmation = new ArrayList<>();
            if (best.size() == modes.size()) {
                efSearch = best.values().stream().mapToInt(Step::efSearch).max().orElseThrow();
                iterativeScan =
                        best.values().stream().anyMatch(s -> !s.iterativeScan().equals("off"))
                                ? "relaxed_order"
                                : "off";
                for (Mode mode : modes) {
                    Step step = step(target, truths.get(mode), queries, mode, efSearch, iterativeScan);
                    confirmation.add(step);
                    listener.step(step);
                }
            }
            return new Result(
                    target,
                    spec.recallTarget(),
                    modes,
                    clusterValues,
                    steps,
                    best,
                    efSearch,
                    iterativeScan,
                    confirmation);
        } catch (SQLException e) {
            if (interruption.requested()) {
                throw new BenchException("tune interrupted; nothing on the cluster was changed");
            }
            throw new BenchException("tune failed: " + e.getMessage(), e);
        }
    }

    /** The smallest ef_search of the list reaching the target with this iterative scan, or null. */
    private Step search(
            TableTarget target,
            TableTarget.Truth truth,
            List<TableTarget.Query> queries,
            Mode mode,
            String iterativeScan,
            List<Step> steps,
            Listener listener)
            throws SQLException {
        int low = 0;
        int high = EF_SEARCH.size() - 1;
        Step found = null;
        while (low <= high) {
            int middle = (low + high) >>> 1;
            Step step = step(target, truth, queries, mode, EF_SEARCH.get(middle), iterativeScan);
            steps.add(step);
            listener.step(step);
            if (step.reached()) {
                found = step;
                high = middle - 1;
            } else {
                low = middle + 1;
            }
        }
        return found;
    }

    private Step step(
            TableTarget target,
            TableTarget.Truth truth,
            List<TableTarget.Query> queries,
            Mode mode,
            Integer efSearch,
            String iterativeScan)
            throws SQLException {
        progress.phase(mode.label() + ": "
                + (efSearch == null
                        ? "the cluster's own settings"
                        : EF_SEARCH_SETTING + "=" + efSearch + " " + ITERATIVE_SCAN_SETTING + "=" + iterativeScan));
        TableTarget.Measured measured = target.measure(
                connection,
                Step.settings(efSearch, iterativeScan),
                truth,
                queries,
                spec.clients(),
                spec.warmup(),
                spec.duration(),
                progress,
                interruption);
        return new Step(mode, efSearch, iterativeScan, measured, measured.recall() >= spec.recallTarget());
    }
}
