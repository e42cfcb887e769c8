package io.citus.pgvector.cluster;

import io.citus.pgvector.cluster.BenchSpec.Mode;
import io.citus.pgvector.cluster.GroundTruth.Neighbor;
import io.citus.pgvector.cluster.SyntheticDataset.Item;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Measures vector search on a running cluster: loads a synthetic dataset into a distributed table per shard count,
 * builds the HNSW index, and for every configuration measures recall@k against exact neighbors computed in Java, then
 * QPS and latency percentiles with concurrent clients. Every query uses bound parameters with an explicit
 * {@code ::vector} cast (citus#7078). A configuration's settings reach every node per transaction
 * ({@link SearchSession}): no node's configuration changes. The tables it creates carry a mark ({@link BenchTables})
 * and are dropped at the end, on an error, and on an {@link Interruption}; unless kept.
 */
public final class Bench {

    private static final int COPY_BATCH = 1000;

    private final ConnectionSettings connection;
    private final BenchSpec spec;
    private final Progress progress;
    private final Interruption interruption;
    private final Map<Integer, Double> buildSeconds = new LinkedHashMap<>();
    private BenchTables tables;

    public Bench(ConnectionSettings connection, BenchSpec spec, Progress progress, Interruption interruption) {
        this.connection = connection;
        this.spec = spec;
        this.progress = progress;
        this.interruption = interruption;
    }

    /**
     * Runs every configuration.
     *
     * @throws ClusterUnreachableException when the coordinator cannot be reached
     * @throws BenchException when the cluster cannot run the benchmark (no Citus, no pgvector, a failed statement),
     *     a configuration names a setting the coordinator does not accept (invalid input), or the run was interrupted
     */
    public BenchReport run() throws ClusterUnreachableException, BenchException {
        try (Coordinator coordinator = Coordinator.connect(connection)) {
            interruption.track(coordinator.connection());
            try {
                return run(coordinator);
            } finally {
                interruption.release(coordinator.connection());
            }
        } catch (SQLException e) {
            if (interruption.requested()) {
                throw new BenchException("bench interrupted; the tables it created are dropped");
            }
            throw new BenchException("bench failed: " + e.getMessage(), e);
        }
    }

    /**
     * Undoes interrupted runs: drops the tables of runs whose coordinator session is gone, and says what it did with
     * every table that carries bench's mark. Tables kept with --keep and those of a run still going are left.
     */
    public static List<String> restore(ConnectionSettings connection)
            throws ClusterUnreachableException, BenchException {
        try (Coordinator coordinator = Coordinator.connect(connection)) {
            return BenchTables.restore(coordinator).stream()
                    .map(r -> r.table() + ": " + r.action())
                    .toList();
        } catch (SQLException e) {
            throw new BenchException("bench --restore failed: " + e.getMessage(), e);
        }
    }

    /** The tables a run with this spec creates, for the question before changing a cluster. */
    public static String tablesOf(BenchSpec spec) {
        return spec.table() + "_<shards>, " + spec.table() + "_queries";
    }

    /** The cluster must have Citus, pgvector and an active worker. */
    static List<Coordinator.Worker> requireCluster(Coordinator coordinator, ConnectionSettings connection)
            throws SQLException, BenchException {
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
        return workers;
    }

    private BenchReport run(Coordinator coordinator) throws SQLException, BenchException {
        List<Coordinator.Worker> workers = requireCluster(coordinator, connection);
        for (BenchConfig config : spec.configs()) {
            SearchSession.validate(coordinator, "configuration " + config.name(), config.settings());
        }
        SyntheticDataset dataset = spec.dataset();
        List<Item> queries = new ArrayList<>();
        for (int i = 0; i < spec.queries(); i++) {
            queries.add(dataset.query(i));
        }
        progress.phase("exact neighbors of " + spec.queries() + " queries over " + dataset.rows() + " rows");
        GroundTruth truth = GroundTruth.compute(dataset, queries, spec.k(), progress);
        interruption.check();

        tables = BenchTables.of(coordinator);
        List<BenchResult> results = new ArrayList<>();
        boolean complete = false;
        try {
            createQueryTable(coordinator, queries);
            for (BenchConfig config : spec.configs()) {
                interruption.check();
                int shards = config.shards() != null
                        ? config.shards()
                        : Integer.parseInt(coordinator.queryString("SELECT current_setting('citus.shard_count')"));
                String table = table(coordinator, shards, config);
                for (Mode mode : spec.modes()) {
                    results.add(measure(config, shards, table, mode, queries, truth));
                }
            }
            complete = true;
        } finally {
            finish(complete);
        }
        return new BenchReport(
                connection.describe(),
                workers.size(),
                spec.workload(),
                spec.k(),
                spec.queries(),
                spec.clients(),
                spec.warmup(),
                spec.duration(),
                spec.configs(),
                results);
    }

    /** Marks the tables kept (a complete run with --keep), or drops them. */
    private void finish(boolean complete) throws SQLException {
        if (complete && spec.keep()) {
            for (String table : tables.created()) {
                tables.keep(table, signature(table));
            }
            return;
        }
        if (!tables.created().isEmpty()) {
            progress.phase("dropping the tables: " + String.join(", ", tables.created()));
            tables.dropCreated();
        }
    }

    private String queryTable() {
        return spec.table() + "_queries";
    }

    private String signature(String table) {
        return table.equals(queryTable())
                ? spec.tableSignature() + " queries=" + spec.queries()
                : spec.tableSignature();
    }

    /** A table bench may not create: another's, a leftover, or kept from another dataset. */
    private BenchException refuse(String table, BenchTables.Found found) {
        return switch (found.state()) {
            case LEFTOVER ->
                BenchException.invalidInput("table " + table + " was left by an interrupted bench run:"
                        + " run bench --restore (with the same connection) to drop it");
            case KEPT ->
                BenchException.invalidInput("table " + table + " was kept by a bench run with another" + " dataset ("
                        + found.comment() + "): drop it or choose another --table-prefix");
            default ->
                BenchException.invalidInput("table " + table + " exists and was not made by bench"
                        + (found.comment().isEmpty() ? "" : " (its comment is \"" + found.comment() + "\")")
                        + ": choose another --table-prefix");
        };
    }

    /** The queries, stored so a run can be checked afterwards, or by hand, against the same vectors. */
    private void createQueryTable(Coordinator coordinator, List<Item> queries) throws SQLException, BenchException {
        String table = queryTable();
        BenchTables.Found found = tables.find(table);
        if (found.state() == BenchTables.State.KEPT) {
            coordinator.execute("DROP TABLE " + table);
        } else if (found.state() != BenchTables.State.ABSENT) {
            throw refuse(table, found);
        }
        tables.create(
                table,
                "queries",
                List.of("CREATE TABLE " + table + " (id int PRIMARY KEY, channel bigint NOT NULL,"
                        + " embedding vector(" + spec.dataset().dimension() + ") NOT NULL)"));
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
    private String table(Coordinator coordinator, int shards, BenchConfig config) throws SQLException, BenchException {
        String table = spec.table() + "_" + shards;
        if (tables.createdByThisRun(table)) {
            return table;
        }
        String signature = spec.tableSignature();
        BenchTables.Found found = tables.find(table);
        if (BenchTables.keptWith(found, signature)) {
            progress.phase("reusing " + table + " (" + signature + ")");
            return table;
        }
        if (found.state() != BenchTables.State.ABSENT) {
            throw refuse(table, found);
        }
        String source = tables.created().stream()
                .filter(t -> !t.equals(queryTable()))
                .findFirst()
                .orElse(null);
        tables.create(
                table,
                signature,
                List.of(
                        "CREATE TABLE " + table + " (id bigint NOT NULL, channel bigint NOT NULL, embedding vector("
                                + spec.dataset().dimension() + ") NOT NULL)",
                        "SELECT create_distributed_table('" + table + "', 'channel', shard_count := " + shards + ")"));
        if (source != null) {
            progress.phase("copying " + spec.dataset().rows() + " rows from " + source + " into " + table);
            coordinator.execute(
                    "INSERT INTO " + table + " (id, channel, embedding) SELECT id, channel, embedding FROM " + source);
        } else {
            copyRows(coordinator.connection(), table);
        }
        interruption.check();
        progress.phase("building the HNSW index of " + table + " (" + shards + " shards)");
        long start = System.nanoTime();
        String index = "CREATE INDEX ON " + table + " USING hnsw (embedding vector_cosine_ops) WITH (m = "
                + spec.hnswM() + ", ef_construction = " + spec.hnswEfConstruction() + ")";
        if (config.settings().isEmpty()) {
            coordinator.execute(index);
        } else {
            // The configuration's maintenance settings reach the workers that build the shards' indexes.
            Connection c = coordinator.connection();
            c.setAutoCommit(false);
            try {
                coordinator.execute(SearchSession.prelude(config.settings()));
                coordinator.execute(index);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
        buildSeconds.put(shards, (System.nanoTime() - start) / 1e9);
        coordinator.execute("ANALYZE " + table);
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
                    interruption.check();
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
        boolean wrap = spec.configs().stream().anyMatch(c -> !c.settings().isEmpty());
        progress.phase(config.name() + ", " + mode.label() + ": recall of " + queries.size() + " queries");
        double[] recalls = new double[queries.size()];
        long rows = 0;
        int shortQueries = 0;
        try (SearchSession session = SearchSession.open(
                connection, spec.secondaryClients() > 0, config.settings(), wrap, sql(table, mode), interruption)) {
            for (int q = 0; q < queries.size(); q++) {
                Item query = queries.get(q);
                String vector = vectors.get(q);
                List<Long> ids = session.run(s -> bind(s, mode, query, vector), r -> r.getLong(1));
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
        progress.phase(config.name() + ", " + mode.label() + ": " + spec.clients() + " clients ("
                + spec.secondaryClients() + " on the secondaries), "
                + spec.warmup().toSeconds() + "s warm-up + " + spec.duration().toSeconds() + "s");
        LoadRun.Result load = LoadRun.run(
                connection,
                new LoadRun.Work(
                        sql(table, mode),
                        config.settings(),
                        wrap,
                        queries.size(),
                        (session, q) -> session.run(s -> bind(s, mode, queries.get(q), vectors.get(q)), r -> null),
                        spec.secondaryClients()),
                spec.clients(),
                spec.warmup(),
                spec.duration(),
                progress,
                interruption);
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
                load.qps(),
                load.latency());
    }
}
