package io.citus.pgvector.cluster;

import io.citus.pgvector.cluster.BenchSpec.Mode;
import io.citus.pgvector.cluster.GroundTruth.Neighbor;
import io.citus.pgvector.cluster.SyntheticDataset.Item;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Measures vector search on a running cluster: loads a synthetic dataset into a distributed table per shard count,
 * builds the HNSW index, and for every configuration measures recall@k against exact neighbors computed in Java, then
 * QPS and latency percentiles with concurrent clients. Every query uses bound parameters with an explicit
 * {@code ::vector} cast (citus#7078). Settings are restored and created tables dropped (unless kept) at the end.
 */
public final class Bench {

    private static final int COPY_BATCH = 1000;

    private final ConnectionSettings connection;
    private final BenchSpec spec;
    private final Progress progress;
    private final Set<String> created = new LinkedHashSet<>();
    private final Map<Integer, Double> buildSeconds = new LinkedHashMap<>();

    public Bench(ConnectionSettings connection, BenchSpec spec, Progress progress) {
        this.connection = connection;
        this.spec = spec;
        this.progress = progress;
    }

    /**
     * Runs every configuration.
     *
     * @throws ClusterUnreachableException when the coordinator cannot be reached
     * @throws BenchException when the cluster cannot run the benchmark (no Citus, no pgvector, a failed statement)
     */
    public BenchReport run() throws ClusterUnreachableException, BenchException {
        try (Coordinator coordinator = Coordinator.connect(connection)) {
            return run(coordinator);
        } catch (SQLException e) {
            throw new BenchException(e.getMessage(), e);
        }
    }

    private BenchReport run(Coordinator coordinator) throws SQLException, BenchException {
        if (!coordinator.hasCitus()
                || coordinator
                        .queryStrings("SELECT 1 FROM pg_extension WHERE extname = 'vector'")
                        .isEmpty()) {
            throw new BenchException("database " + connection.database() + " needs the citus and vector extensions");
        }
        List<Coordinator.Worker> workers = coordinator.workers().stream()
                .filter(Coordinator.Worker::active)
                .toList();
        if (workers.isEmpty()) {
            throw new BenchException("no active workers");
        }
        SyntheticDataset dataset = spec.dataset();
        List<Item> queries = new ArrayList<>();
        for (int i = 0; i < spec.queries(); i++) {
            queries.add(dataset.query(i));
        }
        progress.phase("exact neighbors of " + spec.queries() + " queries over " + dataset.rows() + " rows");
        GroundTruth truth = GroundTruth.compute(dataset, queries, spec.k(), progress);

        Set<String> managed = new java.util.TreeSet<>();
        spec.configs().forEach(c -> managed.addAll(c.settings().keySet()));
        ClusterSettings settings = ClusterSettings.remember(coordinator, workers, managed);
        List<BenchResult> results = new ArrayList<>();
        try {
            createQueryTable(coordinator, queries);
            for (BenchConfig config : spec.configs()) {
                progress.phase(config.name() + ": applying " + config.describe());
                settings.apply(config.settings());
                int shards = config.shards() != null
                        ? config.shards()
                        : Integer.parseInt(coordinator.queryString("SELECT current_setting('citus.shard_count')"));
                String table = table(coordinator, shards);
                for (Mode mode : spec.modes()) {
                    results.add(measure(config, shards, table, mode, queries, truth));
                }
            }
        } finally {
            try {
                progress.phase("restoring settings" + (spec.keep() ? "" : " and dropping the tables"));
                settings.restore();
            } finally {
                if (!spec.keep()) {
                    for (String table : created) {
                        coordinator.execute("DROP TABLE IF EXISTS " + table);
                    }
                }
            }
        }
        return new BenchReport(connection.describe(), spec, workers.size(), results);
    }

    /** The queries, stored so a run can be checked afterwards, or by hand, against the same vectors. */
    private void createQueryTable(Coordinator coordinator, List<Item> queries) throws SQLException {
        String table = spec.table() + "_queries";
        coordinator.execute("DROP TABLE IF EXISTS " + table);
        coordinator.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, channel bigint NOT NULL,"
                + " embedding vector(" + spec.dataset().dimension() + ") NOT NULL)");
        created.add(table);
        try (PreparedStatement s =
                coordinator.connection().prepareStatement("INSERT INTO " + table + " VALUES (?, ?, ?::vector)")) {
            for (Item query : queries) {
                s.setInt(1, (int) query.id());
                s.setLong(2, query.channel());
                s.setString(3, SyntheticDataset.text(query.vector()));
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    /** The distributed table with this shard count: reused if kept from before with the same data, else made. */
    private String table(Coordinator coordinator, int shards) throws SQLException, BenchException {
        String table = spec.table() + "_" + shards;
        if (created.contains(table)) {
            return table;
        }
        String signature = spec.tableSignature();
        List<String> comment = coordinator.queryStrings(
                "SELECT coalesce(obj_description(c.oid, 'pg_class'), '')"
                        + " FROM pg_class c WHERE c.oid = to_regclass(?)",
                table);
        if (!comment.isEmpty()) {
            if (comment.get(0).equals(signature)) {
                progress.phase("reusing " + table + " (" + signature + ")");
                return table;
            }
            throw new BenchException("table " + table + " exists and was not made by bench from this dataset"
                    + " (its comment is \"" + comment.get(0) + "\"): drop it or choose another --table");
        }
        coordinator.execute("CREATE TABLE " + table + " (id bigint NOT NULL, channel bigint NOT NULL, embedding vector("
                + spec.dataset().dimension() + ") NOT NULL)");
        created.add(table);
        coordinator.execute(
                "SELECT create_distributed_table('" + table + "', 'channel', shard_count := " + shards + ")");
        String source = created.stream()
                .filter(t -> !t.equals(table) && !t.endsWith("_queries"))
                .findFirst()
                .orElse(null);
        if (source != null) {
            progress.phase("copying " + spec.dataset().rows() + " rows from " + source + " into " + table);
            coordinator.execute(
                    "INSERT INTO " + table + " (id, channel, embedding) SELECT id, channel, embedding FROM " + source);
        } else {
            copyRows(coordinator.connection(), table);
        }
        progress.phase("building the HNSW index of " + table + " (" + shards + " shards)");
        long start = System.nanoTime();
        coordinator.execute("CREATE INDEX ON " + table + " USING hnsw (embedding vector_cosine_ops) WITH (m = "
                + spec.hnswM() + ", ef_construction = " + spec.hnswEfConstruction() + ")");
        buildSeconds.put(shards, (System.nanoTime() - start) / 1e9);
        coordinator.execute("ANALYZE " + table);
        coordinator.execute("COMMENT ON TABLE " + table + " IS '" + signature + "'");
        return table;
    }

    private void copyRows(Connection connection, String table) throws SQLException {
        SyntheticDataset dataset = spec.dataset();
        progress.phase("loading " + dataset.rows() + " rows into " + table);
        CopyIn copy = connection
                .unwrap(PGConnection.class)
                .getCopyAPI()
                .copyIn("COPY " + table + " (id, channel, embedding) FROM STDIN");
        try {
            StringBuilder batch = new StringBuilder();
            for (long id = 1; id <= dataset.rows(); id++) {
                Item row = dataset.row(id);
                batch.append(id)
                        .append('\t')
                        .append(row.channel())
                        .append('\t')
                        .append(SyntheticDataset.text(row.vector()))
                        .append('\n');
                if (id % COPY_BATCH == 0 || id == dataset.rows()) {
                    byte[] bytes = batch.toString().getBytes(StandardCharsets.UTF_8);
                    copy.writeToCopy(bytes, 0, bytes.length);
                    batch.setLength(0);
                    progress.update("loading", (double) id / dataset.rows());
                }
            }
            copy.endCopy();
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }

    private String sql(String table, Mode mode) {
        return mode == Mode.ROUTER
                ? "SELECT id FROM " + table + " WHERE channel = ? ORDER BY embedding <=> ?::vector LIMIT " + spec.k()
                : "SELECT id FROM " + table + " ORDER BY embedding <=> ?::vector LIMIT " + spec.k();
    }

    private static void bind(PreparedStatement statement, Mode mode, Item query, String vector) throws SQLException {
        if (mode == Mode.ROUTER) {
            statement.setLong(1, query.channel());
            statement.setString(2, vector);
        } else {
            statement.setString(1, vector);
        }
    }

    private BenchResult measure(
            BenchConfig config, int shards, String table, Mode mode, List<Item> queries, GroundTruth truth)
            throws SQLException {
        List<String> vectors =
                queries.stream().map(q -> SyntheticDataset.text(q.vector())).toList();
        progress.phase(config.name() + ", " + mode.label() + ": recall of " + queries.size() + " queries");
        double[] recalls = new double[queries.size()];
        long rows = 0;
        int shortQueries = 0;
        try (Connection c = connection.connect(spec.secondaryClients() > 0);
                PreparedStatement s = c.prepareStatement(sql(table, mode))) {
            for (int q = 0; q < queries.size(); q++) {
                Item query = queries.get(q);
                bind(s, mode, query, vectors.get(q));
                List<Long> ids = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        ids.add(r.getLong(1));
                    }
                }
                List<Neighbor> exact = (mode == Mode.ROUTER ? truth.router() : truth.fanOut()).get(q);
                recalls[q] = Recall.of(ids, exact, spec.k(), id -> {
                    Item row = spec.dataset().row(id);
                    return mode == Mode.ROUTER && row.channel() != query.channel()
                            ? Double.POSITIVE_INFINITY
                            : SyntheticDataset.cosineDistance(query.vector(), row.vector());
                });
                rows += ids.size();
                if (ids.size() < Math.min(spec.k(), exact.size())) {
                    shortQueries++;
                }
                progress.update("recall", (q + 1.0) / queries.size());
            }
        }
        Load load = load(table, mode, queries, vectors, config.name());
        return new BenchResult(
                config.name(),
                config.describe(),
                shards,
                buildSeconds.getOrDefault(shards, Double.NaN),
                mode.label(),
                spec.k(),
                queries.size(),
                Recall.mean(recalls),
                (double) rows / queries.size(),
                shortQueries,
                spec.clients(),
                load.seconds(),
                load.completed() / load.seconds(),
                Percentiles.ofNanos(load.latencies()));
    }

    private record Load(long completed, double seconds, long[] latencies) {}

    /** Every client runs the queries round-robin from its own offset; only queries after the warm-up count. */
    private Load load(String table, Mode mode, List<Item> queries, List<String> vectors, String config)
            throws SQLException {
        progress.phase(config + ", " + mode.label() + ": " + spec.clients() + " clients ("
                + spec.secondaryClients() + " on the secondaries), "
                + spec.warmup().toSeconds() + "s warm-up + " + spec.duration().toSeconds() + "s");
        ExecutorService pool = Executors.newFixedThreadPool(spec.clients());
        long start = System.nanoTime();
        long measureFrom = start + spec.warmup().toNanos();
        long measureTo = measureFrom + spec.duration().toNanos();
        try {
            List<Future<long[]>> clients = new ArrayList<>();
            for (int client = 0; client < spec.clients(); client++) {
                int offset = client * queries.size() / spec.clients();
                boolean secondaries = client < spec.secondaryClients();
                clients.add(pool.submit(() -> {
                    long[] latencies = new long[1024];
                    int count = 0;
                    try (Connection c = connection.connect(secondaries);
                            PreparedStatement s = c.prepareStatement(sql(table, mode))) {
                        for (int i = offset; ; i++) {
                            int q = i % queries.size();
                            long before = System.nanoTime();
                            if (before >= measureTo) {
                                break;
                            }
                            bind(s, mode, queries.get(q), vectors.get(q));
                            try (ResultSet r = s.executeQuery()) {
                                while (r.next()) {
                                    r.getLong(1);
                                }
                            }
                            long after = System.nanoTime();
                            if (before >= measureFrom && after <= measureTo) {
                                if (count == latencies.length) {
                                    latencies = Arrays.copyOf(latencies, count * 2);
                                }
                                latencies[count++] = after - before;
                            }
                        }
                    }
                    return Arrays.copyOf(latencies, count);
                }));
            }
            long[] all = new long[0];
            long lastReport = 0;
            for (Future<long[]> client : clients) {
                while (!client.isDone()) {
                    long now = System.nanoTime();
                    if (now - lastReport > 1_000_000_000L) {
                        progress.update("measuring", Math.min(1.0, (double) (now - start) / (measureTo - start)));
                        lastReport = now;
                    }
                    Thread.sleep(100);
                }
                long[] latencies = client.get();
                int from = all.length;
                all = Arrays.copyOf(all, from + latencies.length);
                System.arraycopy(latencies, 0, all, from, latencies.length);
            }
            return new Load(all.length, spec.duration().toNanos() / 1e9, all);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof SQLException sql ? sql : new SQLException(cause.toString(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted", e);
        } finally {
            pool.shutdownNow();
        }
    }
}
