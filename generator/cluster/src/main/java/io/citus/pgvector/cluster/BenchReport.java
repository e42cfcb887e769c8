package io.citus.pgvector.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of a {@code bench} run: a terminal table, JSON and CSV.
 *
 * @param workload what was measured: the synthetic dataset and its index, or the user's table
 */
public record BenchReport(
        String target,
        int workers,
        Workload workload,
        int k,
        int queries,
        int clients,
        Duration warmup,
        Duration duration,
        List<BenchConfig> configs,
        List<BenchResult> results) {

    /** The data and index measured: one line for the table's heading, and its fields for JSON. */
    public record Workload(String text, Map<String, Object> json) {}

    public BenchReport {
        configs = List.copyOf(configs);
        results = List.copyOf(results);
    }

    private static final List<String> COLUMNS = List.of(
            "config",
            "shards",
            "mode",
            "recall_at_k",
            "mean_rows",
            "short_queries",
            "qps",
            "qps_vs_first",
            "p50_ms",
            "p95_ms",
            "p99_ms",
            "mean_ms",
            "index_build_s",
            "clients",
            "seconds",
            "queries",
            "k",
            "configuration");

    /** QPS relative to the first configuration's in the same mode: how many times faster. */
    public double qpsVsFirst(BenchResult result) {
        return results.stream()
                .filter(r -> r.mode().equals(result.mode()))
                .findFirst()
                .map(first -> result.qps() / first.qps())
                .orElse(Double.NaN);
    }

    public String toTable() {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {
            "config",
            "shards",
            "mode",
            "recall@" + k,
            "rows",
            "short",
            "QPS",
            "x " + results.get(0).config(),
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "index s"
        });
        for (BenchResult r : results) {
            rows.add(new String[] {
                r.config(),
                Integer.toString(r.shards()),
                r.mode(),
                format("%.4f", r.recall()),
                format("%.2f", r.meanRows()),
                Integer.toString(r.shortQueries()),
                format("%.0f", r.qps()),
                format("%.1f", qpsVsFirst(r)),
                format("%.2f", r.latency().p50Ms()),
                format("%.2f", r.latency().p95Ms()),
                format("%.2f", r.latency().p99Ms()),
                Double.isNaN(r.indexBuildSeconds()) ? "-" : format("%.1f", r.indexBuildSeconds())
            });
        }
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder text = new StringBuilder();
        text.append(String.format(
                Locale.ROOT,
                "%s: %d workers, %s, %d clients, %ds after %ds warm-up%n",
                target,
                workers,
                workload.text(),
                clients,
                duration.toSeconds(),
                warmup.toSeconds()));
        for (BenchConfig config : configs) {
            text.append("  ")
                    .append(config.name())
                    .append(": ")
                    .append(config.describe())
                    .append('\n');
        }
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                boolean left = i <= 2;
                text.append(i == 0 ? "" : "  ")
                        .append(String.format("%" + (left ? "-" : "") + widths[i] + "s", row[i]));
            }
            text.append('\n');
        }
        return text.toString();
    }

    public String toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("target", target);
        json.put("workers", workers);
        json.putAll(workload.json());
        json.put("k", k);
        json.put("queries", queries);
        json.put("clients", clients);
        json.put("warmup_seconds", warmup.toMillis() / 1000.0);
        json.put("duration_seconds", duration.toMillis() / 1000.0);
        Map<String, Object> configsJson = new LinkedHashMap<>();
        configs.forEach(c -> {
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("shards", c.shards());
            config.put("settings", new java.util.TreeMap<>(c.settings()));
            configsJson.put(c.name(), config);
        });
        json.put("configs", configsJson);
        json.put("results", results.stream().map(this::row).toList());
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(json) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public String toCsv() {
        StringBuilder csv = new StringBuilder(String.join(",", COLUMNS)).append('\n');
        for (BenchResult r : results) {
            Map<String, Object> row = row(r);
            csv.append(String.join(
                            ",", COLUMNS.stream().map(c -> csvField(row.get(c))).toList()))
                    .append('\n');
        }
        return csv.toString();
    }

    private Map<String, Object> row(BenchResult r) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("config", r.config());
        row.put("shards", r.shards());
        row.put("mode", r.mode());
        row.put("recall_at_k", round(r.recall(), 4));
        row.put("mean_rows", round(r.meanRows(), 2));
        row.put("short_queries", r.shortQueries());
        row.put("qps", round(r.qps(), 1));
        row.put("qps_vs_first", round(qpsVsFirst(r), 2));
        row.put("p50_ms", round(r.latency().p50Ms(), 3));
        row.put("p95_ms", round(r.latency().p95Ms(), 3));
        row.put("p99_ms", round(r.latency().p99Ms(), 3));
        row.put("mean_ms", round(r.latency().meanMs(), 3));
        row.put("index_build_s", Double.isNaN(r.indexBuildSeconds()) ? null : round(r.indexBuildSeconds(), 1));
        row.put("clients", r.clients());
        row.put("seconds", round(r.seconds(), 2));
        row.put("queries", r.queries());
        row.put("k", r.k());
        row.put("configuration", r.configuration());
        return row;
    }

    private static Double round(double value, int decimals) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return null;
        }
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }

    private static String csvField(Object value) {
        if (value == null) {
            return "";
        }
        String text = value.toString();
        return text.contains(",") || text.contains("\"") || text.contains(" ")
                ? "\"" + text.replace("\"", "\"\"") + "\""
                : text;
    }

    private static String format(String pattern, double value) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, pattern, value);
    }
}
