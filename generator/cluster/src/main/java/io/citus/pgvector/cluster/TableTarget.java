package io.citus.pgvector.cluster;

import io.citus.pgvector.cluster.BenchSpec.Mode;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A table the user made, measured as it is and never written to: its vector column, the distance of the column's
 * HNSW index, and the column router queries filter on (the distribution column unless another is named). Query
 * vectors are rows sampled from the table itself; their exact neighbors come from the cluster, with index scans off
 * on every node for the query's transaction, one query at a time and each bounded by a statement timeout. A returned
 * row counts as a hit when its distance is within the k-th exact distance, so ties count and no key is needed.
 */
public final class TableTarget {

    /** The distance operator of each HNSW operator class of {@code vector}. */
    private static final Map<String, String> OPERATORS = Map.of(
            "vector_l2_ops", "<->",
            "vector_ip_ops", "<#>",
            "vector_cosine_ops", "<=>",
            "vector_l1_ops", "<+>");

    /** Distances closer than this, relative to the k-th, are ties. */
    private static final double TOLERANCE = 1e-6;

    private final String table;
    private final String column;
    private final String index;
    private final String opclass;
    private final String operator;
    private final String filterColumn;
    private final String filterType;
    private final long rows;
    private final int shards;
    private final int k;

    private TableTarget(
            String table,
            String column,
            String index,
            String opclass,
            String filterColumn,
            String filterType,
            long rows,
            int shards,
            int k) {
        this.table = table;
        this.column = column;
        this.index = index;
        this.opclass = opclass;
        this.operator = OPERATORS.get(opclass);
        this.filterColumn = filterColumn;
        this.filterType = filterType;
        this.rows = rows;
        this.shards = shards;
        this.k = k;
    }

    /** One query: a row's vector and its value of the filter column (null without one). */
    public record Query(String vector, String filter) {}

    /** The exact distances of the k nearest rows of every query, nearest first, for one mode. */
    public record Truth(Mode mode, List<List<Double>> distances) {}

    /** What one setting of the search gave: recall, rows, and the load's throughput and latency. */
    public record Measured(double recall, double meanRows, int shortQueries, LoadRun.Result load) {
        public double qps() {
            return load.qps();
        }

        public Percentiles latency() {
            return load.latency();
        }
    }

    /**
     * Finds the table, the column, its HNSW index and the filter column, and counts the rows; refuses (invalid input)
     * what does not exist or does not fit. Reads only.
     *
     * @param filterColumn the column router queries filter on; null for the table's distribution column, if any
     */
    public static TableTarget resolve(Coordinator coordinator, String table, String column, String filterColumn, int k)
            throws SQLException, BenchException {
        String database = coordinator.settings().database();
        List<String> oid;
        try {
            oid = coordinator.queryStrings(
                    "SELECT c.oid::text FROM pg_class c WHERE c.oid = to_regclass(?) AND c.relkind IN ('r', 'p')",
                    table);
        } catch (SQLException e) {
            throw BenchException.invalidInput("--table " + table + ": " + SearchSession.firstLine(e.getMessage()));
        }
        if (oid.isEmpty()) {
            throw BenchException.invalidInput(
                    "--table " + table + ": no such table in database " + database + " (search_path applies)");
        }
        long relation = Long.parseLong(oid.get(0));
        String name = coordinator.queryString("SELECT ?::oid::regclass::text", relation);
        List<String> type = coordinator.queryStrings(
                "SELECT t.typname || E'\\t' || format_type(a.atttypid, a.atttypmod) FROM pg_attribute a"
                        + " JOIN pg_type t ON t.oid = a.atttypid"
                        + " WHERE a.attrelid = ?::oid AND a.attname = ? AND a.attnum > 0 AND NOT a.attisdropped",
                relation,
                column);
        if (type.isEmpty()) {
            throw BenchException.invalidInput("--column " + column + ": table " + name + " has no such column");
        }
        String[] types = type.get(0).split("\t", 2);
        if (!types[0].equals("vector")) {
            throw BenchException.invalidInput(
                    "--column " + column + ": " + name + "." + column + " is " + types[1] + ", not a vector column");
        }
        List<String> indexes = coordinator.queryStrings(
                "SELECT i.indexrelid::regclass::text || E'\\t' || opc.opcname FROM pg_index i"
                        + " JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam"
                        + " JOIN pg_opclass opc ON opc.oid = i.indclass[0]"
                        + " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]"
                        + " WHERE i.indrelid = ?::oid AND am.amname = 'hnsw' AND i.indnatts = 1 AND i.indisvalid"
                        + " AND i.indpred IS NULL AND a.attname = ? ORDER BY 1",
                relation,
                column);
        if (indexes.isEmpty()) {
            throw BenchException.invalidInput("--column " + column + ": " + name + "." + column
                    + " has no valid HNSW index to measure (e.g. CREATE INDEX ON " + name + " USING hnsw (" + column
                    + " vector_cosine_ops))");
        }
        String[] chosen = indexes.stream()
                .map(i -> i.split("\t", 2))
                .filter(i -> OPERATORS.containsKey(i[1]))
                .findFirst()
                .orElseThrow(() -> BenchException.invalidInput("--column " + column + ": the HNSW index of " + name
                        + "." + column + " uses " + indexes.get(0).split("\t", 2)[1] + "; measured are "
                        + String.join(", ", OPERATORS.keySet().stream().sorted().toList())));
        String filter = filterColumn;
        String filterType = null;
        if (filter == null) {
            List<String> distribution = coordinator.queryStrings(
                    "SELECT column_to_column_name(logicalrelid, partkey) FROM pg_dist_partition"
                            + " WHERE logicalrelid = ?::oid AND partmethod = 'h'",
                    relation);
            filter = distribution.isEmpty() ? null : distribution.get(0);
        }
        if (filter != null) {
            List<String> filterTypes = coordinator.queryStrings(
                    "SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a"
                            + " WHERE a.attrelid = ?::oid AND a.attname = ? AND a.attnum > 0 AND NOT a.attisdropped",
                    relation,
                    filter);
            if (filterTypes.isEmpty()) {
                throw BenchException.invalidInput(
                        "--distribution-column " + filter + ": table " + name + " has no such column");
            }
            filterType = filterTypes.get(0);
        }
        if (k < 1) {
            throw BenchException.invalidInput("-k must be at least 1, got " + k);
        }
        long rows = Long.parseLong(
                coordinator.queryString("SELECT count(*) FROM " + name + " WHERE " + quote(column) + " IS NOT NULL"));
        if (rows == 0) {
            throw BenchException.invalidInput(
                    "--table " + name + " has no rows with a " + column + ": nothing to" + " sample queries from");
        }
        if (k > rows) {
            throw BenchException.invalidInput(
                    "-k " + k + " is larger than the " + rows + " rows of " + name + " with a " + column);
        }
        int shards = Integer.parseInt(
                coordinator.queryString("SELECT count(*) FROM pg_dist_shard WHERE logicalrelid = ?::oid", relation));
        return new TableTarget(name, quote(column), chosen[0], chosen[1], filter, filterType, rows, shards, k);
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    public long rows() {
        return rows;
    }

    public int shards() {
        return shards;
    }

    public int k() {
        return k;
    }

    /** Whether router queries can be measured: a distribution column, or one given. */
    public boolean hasFilter() {
        return filterColumn != null;
    }

    /** One line: the table, column, index, distance, rows, shards and filter column. */
    public String describe() {
        return String.format(
                Locale.ROOT,
                "%s.%s (%s, index %s), %d rows, %d shards, %s",
                table,
                column.substring(1, column.length() - 1),
                opclass,
                index,
                rows,
                shards,
                filterColumn == null
                        ? "no distribution column (fan-out only)"
                        : "router queries filter on " + filterColumn);
    }

    /** The table, for JSON reports. */
    public Map<String, Object> json() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", table);
        json.put("column", column.substring(1, column.length() - 1));
        json.put("index", index);
        json.put("opclass", opclass);
        json.put("rows", rows);
        json.put("shards", shards);
        json.put("filter_column", filterColumn);
        return json;
    }

    /** The kNN statement: the distance of every returned row, nearest first. */
    String sql(Mode mode) {
        return "SELECT " + column + " " + operator + " ?::vector AS distance FROM " + table
                + (mode == Mode.ROUTER ? " WHERE " + quote(filterColumn) + " = ?::" + filterType : "")
                + " ORDER BY distance LIMIT " + k;
    }

    private static void bind(PreparedStatement s, Mode mode, Query query) throws SQLException {
        s.setString(1, query.vector());
        if (mode == Mode.ROUTER) {
            s.setString(2, query.filter());
        }
    }

    /** {@code count} rows sampled at random (fewer if the table has fewer), with a vector and a filter value. */
    public List<Query> sample(Coordinator coordinator, int count) throws SQLException {
        String filter = filterColumn == null ? "NULL" : quote(filterColumn) + "::text";
        String where =
                column + " IS NOT NULL" + (filterColumn == null ? "" : " AND " + quote(filterColumn) + " IS NOT NULL");
        List<Query> queries = new ArrayList<>();
        for (String row : coordinator.queryStrings("SELECT " + column + "::text || E'\\t' || coalesce(" + filter
                + ", '') FROM " + table + " WHERE " + where + " ORDER BY random() LIMIT " + count)) {
            String[] parts = row.split("\t", 2);
            queries.add(new Query(parts[0], filterColumn == null ? null : parts[1]));
        }
        return queries;
    }

    /** Exact neighbors of every query: index scans off on every node, each query bounded by {@code timeout}. */
    public Truth exact(
            ConnectionSettings target,
            Mode mode,
            List<Query> queries,
            Duration timeout,
            Progress progress,
            Interruption interruption)
            throws SQLException, BenchException {
        Map<String, String> exactScan =
                Map.of("enable_indexscan", "off", "statement_timeout", Long.toString(timeout.toMillis()));
        List<List<Double>> distances = new ArrayList<>();
        try (SearchSession session = SearchSession.open(target, exactScan, true, sql(mode), interruption)) {
            for (int q = 0; q < queries.size(); q++) {
                Query query = queries.get(q);
                try {
                    distances.add(session.run(s -> bind(s, mode, query), r -> r.getDouble(1)));
                } catch (SQLException e) {
                    if ("57014".equals(e.getSQLState()) && !interruption.requested()) {
                        throw new BenchException("the exact neighbors of one " + mode.label() + " query took longer"
                                + " than " + timeout.toSeconds() + " s (--exact-timeout): " + e.getMessage());
                    }
                    throw e;
                }
                progress.update(
                        "exact neighbors, " + mode.label() + ", " + (q + 1) + "/" + queries.size(),
                        (q + 1.0) / queries.size());
            }
        }
        return new Truth(mode, distances);
    }

    /** Recall of every query run once with the settings, then the load of {@code clients} for the duration. */
    public Measured measure(
            ConnectionSettings target,
            Map<String, String> settings,
            Truth truth,
            List<Query> queries,
            int clients,
            Duration warmup,
            Duration duration,
            Progress progress,
            Interruption interruption)
            throws SQLException {
        Mode mode = truth.mode();
        String sql = sql(mode);
        double recallSum = 0;
        long returned = 0;
        int shortQueries = 0;
        try (SearchSession session = SearchSession.open(target, settings, true, sql, interruption)) {
            for (int q = 0; q < queries.size(); q++) {
                Query query = queries.get(q);
                List<Double> found = session.run(s -> bind(s, mode, query), r -> r.getDouble(1));
                List<Double> exact = truth.distances().get(q);
                recallSum += recall(found, exact);
                returned += found.size();
                if (found.size() < Math.min(k, exact.size())) {
                    shortQueries++;
                }
            }
        }
        LoadRun.Result load = LoadRun.run(
                target,
                new LoadRun.Work(
                        sql,
                        settings,
                        true,
                        queries.size(),
                        (session, q) -> session.run(s -> bind(s, mode, queries.get(q)), r -> null)),
                clients,
                warmup,
                duration,
                progress,
                interruption);
        return new Measured(recallSum / queries.size(), (double) returned / queries.size(), shortQueries, load);
    }

    /** The share of the exact top k found: returned rows within the k-th exact distance, at most k of them. */
    static double recall(List<Double> found, List<Double> exact) {
        int expected = exact.size();
        if (expected == 0) {
            return 1.0;
        }
        double kth = exact.get(expected - 1);
        double limit = kth + TOLERANCE * Math.max(1.0, Math.abs(kth));
        long hits = found.stream().filter(d -> d <= limit).count();
        return (double) Math.min(hits, expected) / expected;
    }
}
