package io.citus.pgvector.scaling;

import io.citus.pgvector.testing.LocalCitusCluster;
import io.citus.pgvector.testing.LocalPostgres;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The figures of the scale-up split in docs/performance.md and docs/reliability.md: {@code workers.count} 2 -> 4 on a
 * local Citus cluster whose table was distributed with the chart's layout for 2 workers, while clients write single
 * rows through the coordinator at a fixed pace. The chart's hooks, rendered with the new values, run as their Jobs
 * run them. Prints each split (bytes, seconds), seconds per GB, the extra disk the workers used at the peak, every
 * write acknowledged and lost, write errors, the longest write, the share of rows and HNSW bytes per worker, and
 * fan-out and router recall@10 before and after. Options:
 * <pre>
 *   DIR                 working folder
 *   --rows N            rows of the table before the scale-up (default 100000)
 *   --dimension D       vector dimension (default 128)
 *   --channels C        distinct values of the distribution column (default 1000)
 *   --writes-per-second W   pace of the writers together (default 1000; 0: no writes)
 *   --writers N         concurrent writing clients, each its own connection (default 16)
 * </pre>
 */
public final class ShardSplitBench {

    private static final int QUERIES = 50;
    private static final int BASELINE_SECONDS = 20;
    private static final Pattern SPLIT = Pattern.compile(
            " split shard (\\d+) of (.+) \\((\\d+) bytes\\) into (\\d+) pieces on (\\S+) in ([0-9.]+)s");

    private ShardSplitBench() {}

    public static void main(String[] args) throws Exception {
        Path dir = null;
        int rows = 100_000;
        int dimension = 128;
        int writesPerSecond = 1000;
        int channels = 1000;
        int writerCount = 16;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rows" -> rows = Integer.parseInt(args[++i]);
                case "--dimension" -> dimension = Integer.parseInt(args[++i]);
                case "--writes-per-second" -> writesPerSecond = Integer.parseInt(args[++i]);
                case "--channels" -> channels = Integer.parseInt(args[++i]);
                case "--writers" -> writerCount = Integer.parseInt(args[++i]);
                default -> dir = Path.of(args[i]).toAbsolutePath();
            }
        }
        if (dir == null) {
            throw new IllegalArgumentException(
                    "usage: ShardSplitBench DIR [--rows N] [--dimension D] [--channels C] [--writes-per-second W] [--writers N]");
        }
        LocalPostgres.citusUnavailableReason().ifPresent(reason -> {
            throw new IllegalStateException(reason);
        });
        Files.createDirectories(dir);
        System.out.printf(
                "machine: %d cores, load average %.2f at start; rows %d, dimension %d, channels %d, %d writes/s%n",
                Runtime.getRuntime().availableProcessors(), loadAverage(), rows, dimension, channels, writesPerSecond);
        ShippedHooks before = ShippedHooks.render(dir, Map.of("workers.count", "2"));
        ShippedHooks upgrade = ShippedHooks.render(dir, Map.of("workers.count", "4"));
        Path scripts = upgrade.mountScripts(dir.resolve("mounted-scripts"));
        Map<String, String> tuning = new LinkedHashMap<>();
        before.named("postgresql", "citus-coordinator")
                .at("/spec/postgresql/parameters")
                .properties()
                .forEach(e -> {
                    if (e.getKey().startsWith("citus.shard_count") || e.getKey().startsWith("hnsw.")) {
                        tuning.put(e.getKey(), e.getValue().asText());
                    }
                });
        System.out.println("layout of the release with 2 workers: " + tuning);

        try (LocalCitusCluster cluster = LocalCitusCluster.start(dir, 2, "bench-pw", true)) {
            cluster.coordinator().configure(tuning);
            cluster.workers().forEach(w -> w.configure(tuning));
            long loadStarted = System.nanoTime();
            load(cluster, rows, dimension, channels);
            System.out.printf("loaded %d rows and built HNSW in %.0fs%n", rows, seconds(loadStarted));
            List<float[]> queries = queries(cluster, dimension);
            double[] recallBefore = recall(cluster, queries, channels);
            System.out.printf(
                    Locale.ROOT,
                    "before: fan-out recall@10 %.4f, router recall@10 %.4f%n",
                    recallBefore[0],
                    recallBefore[1]);
            long sizeBefore = workerBytes(cluster);

            for (int i = 0; i < 2; i++) {
                LocalPostgres worker = cluster.startWorker(true);
                worker.configure(tuning);
            }
            Map<String, String> env = new LinkedHashMap<>(cluster.hookEnvironment(Map.of()));
            env.put(
                    "DESIRED_WORKERS",
                    cluster.workers().stream()
                            .map(w -> LocalCitusCluster.HOST + ":" + w.port())
                            .collect(Collectors.joining(",")));

            Writers writers = new Writers(cluster, dimension, channels, writesPerSecond, writerCount);
            DiskSampler disk = new DiskSampler(cluster);
            writers.start();
            disk.start();
            // The writes before the hook show what the machine alone does to their latency.
            Thread.sleep(TimeUnit.SECONDS.toMillis(BASELINE_SECONDS));
            long hookStarted = System.nanoTime();
            ShippedHooks.Run run = ShippedHooks.run(
                    scripts, "scale-up.sh", ShippedHooks.env(upgrade.named("Job", "citus-scale-up")), env, 7200);
            double hookSeconds = seconds(hookStarted);
            long hookEnded = System.nanoTime();
            Thread.sleep(3000);
            writers.stop();
            disk.stop();
            System.out.println("---- scale-up hook output ----\n" + run.output().strip() + "\n----");
            if (run.exitCode() != 0) {
                throw new IllegalStateException("the scale-up hook failed");
            }

            long bytes = 0;
            double splitSeconds = 0;
            int splits = 0;
            Matcher m = SPLIT.matcher(run.output());
            while (m.find()) {
                splits++;
                bytes += Long.parseLong(m.group(3));
                splitSeconds += Double.parseDouble(m.group(6));
            }
            System.out.printf(
                    Locale.ROOT,
                    "splits: %d of %.1f MB in all, %.1fs of splitting (%.0f s per GB), hook %.1fs in all%n",
                    splits,
                    bytes / 1e6,
                    splitSeconds,
                    splitSeconds / (bytes / 1e9),
                    hookSeconds);
            System.out.printf(
                    Locale.ROOT,
                    "disk of the workers: %.1f MB before, peak %.1f MB during (+%.1f MB), %.1f MB after%n",
                    sizeBefore / 1e6,
                    disk.peak.get() / 1e6,
                    (disk.peak.get() - sizeBefore) / 1e6,
                    workerBytes(cluster) / 1e6);
            writers.report(cluster, hookStarted, hookEnded);
            shares(cluster);
            double[] recallAfter = recall(cluster, queries, channels);
            System.out.printf(
                    Locale.ROOT,
                    "after: fan-out recall@10 %.4f (%+.4f), router recall@10 %.4f (%+.4f)%n",
                    recallAfter[0],
                    recallAfter[0] - recallBefore[0],
                    recallAfter[1],
                    recallAfter[1] - recallBefore[1]);
            System.out.printf("load average %.2f at the end%n", loadAverage());
        }
    }

    private static void load(LocalCitusCluster cluster, int rows, int dimension, int channels) throws SQLException {
        try (Connection c = cluster.coordinator().connect(LocalCitusCluster.DATABASE);
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE items (channel bigint NOT NULL, id bigint NOT NULL, embedding vector(" + dimension
                    + ") NOT NULL, PRIMARY KEY (channel, id))");
            s.execute("SELECT create_distributed_table('items', 'channel')");
            s.execute("SELECT setseed(0.42)");
            s.execute("CREATE TEMP TABLE centers AS SELECT c, (SELECT array_agg(random() - 0.5 + 0 * c + 0 * d)"
                    + " FROM generate_series(1, " + dimension + ") d) AS v FROM generate_series(0, " + (channels - 1)
                    + ") c");
            s.execute("INSERT INTO items SELECT i % " + channels + ", i, (SELECT array_agg(v[d] + 0.3 * (random() -"
                    + " 0.5) + 0 * i ORDER BY d) FROM generate_series(1, " + dimension + ") d)::vector"
                    + " FROM generate_series(1, " + rows + ") i JOIN centers ON c = i % " + channels);
            s.execute("SET maintenance_work_mem = '256MB'");
            s.execute("CREATE INDEX items_embedding ON items USING hnsw (embedding vector_cosine_ops)"
                    + " WITH (m = 16, ef_construction = 64)");
            s.execute("VACUUM ANALYZE items");
        }
    }

    private static List<float[]> queries(LocalCitusCluster cluster, int dimension) throws SQLException {
        List<float[]> queries = new ArrayList<>();
        try (Connection c = cluster.coordinator().connect(LocalCitusCluster.DATABASE);
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT embedding::text FROM items ORDER BY id LIMIT " + QUERIES)) {
            Random random = new Random(7);
            while (r.next()) {
                String[] parts = r.getString(1).replaceAll("[\\[\\]]", "").split(",");
                float[] q = new float[dimension];
                for (int d = 0; d < dimension; d++) {
                    q[d] = Float.parseFloat(parts[d]) + (random.nextFloat() - 0.5f) * 0.2f;
                }
                queries.add(q);
            }
        }
        return queries;
    }

    /** Fan-out and router recall@10 of the HNSW index against exact search, averaged over the queries. */
    private static double[] recall(LocalCitusCluster cluster, List<float[]> queries, int channels) throws SQLException {
        double fanOut = 0;
        double router = 0;
        try (Connection c = cluster.coordinator().connect(LocalCitusCluster.DATABASE)) {
            for (int i = 0; i < queries.size(); i++) {
                String v = vector(queries.get(i));
                long channel = i % channels;
                fanOut += overlap(
                        ids(c, "SELECT id FROM items ORDER BY embedding <=> ?::vector LIMIT 10", v, -1),
                        ids(c, "SELECT id FROM items ORDER BY (embedding <=> ?::vector) + 0, id LIMIT 10", v, -1));
                router += overlap(
                        ids(
                                c,
                                "SELECT id FROM items WHERE channel = ? ORDER BY embedding <=> ?::vector LIMIT 10",
                                v,
                                channel),
                        ids(
                                c,
                                "SELECT id FROM items WHERE channel = ? ORDER BY (embedding <=> ?::vector) + 0, id"
                                        + " LIMIT 10",
                                v,
                                channel));
            }
        }
        return new double[] {fanOut / queries.size(), router / queries.size()};
    }

    private static Set<Long> ids(Connection c, String sql, String vector, long channel) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            if (channel >= 0) {
                s.setLong(1, channel);
                s.setString(2, vector);
            } else {
                s.setString(1, vector);
            }
            Set<Long> ids = new HashSet<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    ids.add(r.getLong(1));
                }
            }
            return ids;
        }
    }

    private static double overlap(Set<Long> found, Set<Long> exact) {
        Set<Long> common = new HashSet<>(found);
        common.retainAll(exact);
        return exact.isEmpty() ? 1 : common.size() / (double) exact.size();
    }

    /** Each worker's share of the items rows and of its HNSW index bytes. */
    private static void shares(LocalCitusCluster cluster) throws SQLException {
        Map<String, long[]> perWorker = new TreeMap<>();
        try (Connection c = cluster.coordinator().connect(LocalCitusCluster.DATABASE);
                Statement s = c.createStatement()) {
            s.execute("CALL citus_cleanup_orphaned_resources()");
            try (ResultSet r = s.executeQuery("SELECT s.nodeport, sum(r.result::bigint) FROM citus_shards s"
                    + " JOIN run_command_on_shards('items', 'SELECT count(*) FROM %s') r ON r.shardid = s.shardid"
                    + " WHERE s.table_name = 'items'::regclass GROUP BY 1 ORDER BY 1")) {
                while (r.next()) {
                    perWorker.computeIfAbsent(r.getString(1), k -> new long[3])[0] = r.getLong(2);
                }
            }
            try (ResultSet r = s.executeQuery("SELECT nodeport, result FROM run_command_on_workers($$SELECT"
                    + " coalesce(sum(pg_relation_size(c.oid)), 0) FROM pg_class c JOIN pg_am a ON a.oid = c.relam"
                    + " WHERE a.amname = 'hnsw' AND c.relname ~ '^items_embedding_[0-9]+$'$$)")) {
                while (r.next()) {
                    perWorker.computeIfAbsent(r.getString(1), k -> new long[3])[1] = Long.parseLong(r.getString(2));
                }
            }
            try (ResultSet r = s.executeQuery("SELECT nodeport, count(*) FROM citus_shards"
                    + " WHERE table_name = 'items'::regclass GROUP BY 1")) {
                while (r.next()) {
                    perWorker.computeIfAbsent(r.getString(1), k -> new long[3])[2] = r.getLong(2);
                }
            }
        }
        long rows = perWorker.values().stream().mapToLong(v -> v[0]).sum();
        long bytes = perWorker.values().stream().mapToLong(v -> v[1]).sum();
        perWorker.forEach((port, v) -> System.out.printf(
                Locale.ROOT,
                "worker %s: %d shards, rows %.1f%%, HNSW bytes %.1f%%%n",
                port,
                v[2],
                100.0 * v[0] / rows,
                100.0 * v[1] / bytes));
    }

    private static long workerBytes(LocalCitusCluster cluster) {
        long sum = 0;
        for (LocalPostgres w : cluster.workers()) {
            sum += Long.parseLong(w.query(LocalCitusCluster.DATABASE, "SELECT pg_database_size(current_database())")
                    .strip());
        }
        return sum;
    }

    private static String vector(float[] v) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) {
            b.append(i == 0 ? "" : ",").append(v[i]);
        }
        return b.append(']').toString();
    }

    private static double seconds(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /** The workers' database size, sampled every half second; the peak is kept. */
    private static final class DiskSampler {
        private final LocalCitusCluster cluster;
        private final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicLong peak = new AtomicLong();
        private Thread thread;

        DiskSampler(LocalCitusCluster cluster) {
            this.cluster = cluster;
        }

        void start() {
            thread = new Thread(() -> {
                while (running.get()) {
                    try {
                        long bytes = workerBytes(cluster);
                        peak.accumulateAndGet(bytes, Math::max);
                        Thread.sleep(500);
                    } catch (InterruptedException e) {
                        return;
                    } catch (RuntimeException e) {
                        // a sample may fail while a node is busy; the next one counts
                    }
                }
            });
            thread.start();
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join();
        }
    }

    /** Clients that insert single rows through the coordinator at a fixed pace, recording what was acknowledged. */
    private static final class Writers {
        private final LocalCitusCluster cluster;
        private final int dimension;
        private final int perSecond;
        private final int channels;
        private final int count;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final ConcurrentLinkedQueue<Long> acked = new ConcurrentLinkedQueue<>();
        /** Start (nanoTime) and latency of every write, successful or not. */
        private final ConcurrentLinkedQueue<long[]> writes = new ConcurrentLinkedQueue<>();

        private final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        private final AtomicLong attempts = new AtomicLong();
        private final List<Thread> threads = new ArrayList<>();
        private long startedNanos;
        private long stoppedNanos;

        Writers(LocalCitusCluster cluster, int dimension, int channels, int perSecond, int count) {
            this.cluster = cluster;
            this.dimension = dimension;
            this.channels = channels;
            this.perSecond = perSecond;
            this.count = count;
        }

        void start() {
            startedNanos = System.nanoTime();
            if (perSecond == 0) {
                return;
            }
            for (int t = 0; t < count; t++) {
                int writer = t;
                Thread thread = new Thread(() -> write(writer));
                threads.add(thread);
                thread.start();
            }
        }

        private void write(int writer) {
            Random random = new Random(writer);
            long intervalNanos = TimeUnit.SECONDS.toNanos(1) * count / perSecond;
            long next = System.nanoTime();
            long id = 1_000_000_000L * (writer + 1);
            try (Connection c = cluster.coordinator().connect(LocalCitusCluster.DATABASE);
                    PreparedStatement s =
                            c.prepareStatement("INSERT INTO items (channel, id, embedding) VALUES (?, ?, ?::vector)")) {
                while (running.get()) {
                    long now = System.nanoTime();
                    if (now < next) {
                        TimeUnit.NANOSECONDS.sleep(next - now);
                    }
                    next += intervalNanos;
                    float[] v = new float[dimension];
                    for (int d = 0; d < dimension; d++) {
                        v[d] = random.nextFloat() - 0.5f;
                    }
                    id++;
                    s.setLong(1, id % channels);
                    s.setLong(2, id);
                    s.setString(3, vector(v));
                    attempts.incrementAndGet();
                    long started = System.nanoTime();
                    try {
                        s.executeUpdate();
                        acked.add(id);
                    } catch (SQLException e) {
                        errors.add(e.getMessage());
                    }
                    writes.add(new long[] {started, System.nanoTime() - started});
                }
            } catch (SQLException e) {
                errors.add("connection: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join();
            }
            stoppedNanos = System.nanoTime();
        }

        void report(LocalCitusCluster cluster, long hookStarted, long hookEnded) throws SQLException {
            Set<Long> present = new HashSet<>();
            try (Connection c = cluster.coordinator().connect(LocalCitusCluster.DATABASE);
                    Statement s = c.createStatement();
                    ResultSet r = s.executeQuery("SELECT id FROM items WHERE id >= 1000000000")) {
                while (r.next()) {
                    present.add(r.getLong(1));
                }
            }
            long lost = acked.stream().filter(id -> !present.contains(id)).count();
            double seconds = (stoppedNanos - startedNanos) / 1e9;
            System.out.printf(
                    Locale.ROOT,
                    "writes: %d attempted, %d acknowledged (%.0f/s over %.0fs), %d errors, %d acknowledged rows"
                            + " lost%n",
                    attempts.get(),
                    acked.size(),
                    acked.size() / seconds,
                    seconds,
                    errors.size(),
                    lost);
            latencies("before the hook (the machine alone)", w -> w[0] < hookStarted);
            latencies("while the hook ran", w -> w[0] >= hookStarted && w[0] < hookEnded);
            errors.stream().distinct().limit(5).forEach(e -> System.out.println("  write error: " + e));
        }

        private void latencies(String window, java.util.function.Predicate<long[]> in) {
            List<Long> sorted =
                    writes.stream().filter(in).map(w -> w[1]).sorted().toList();
            if (sorted.isEmpty()) {
                return;
            }
            long over =
                    sorted.stream().filter(l -> l > TimeUnit.SECONDS.toNanos(1)).count();
            System.out.printf(
                    Locale.ROOT,
                    "  %s: %d writes, p50 %.1f ms, p99 %.1f ms, longest %.1f ms, %d over 1 s%n",
                    window,
                    sorted.size(),
                    sorted.get(sorted.size() / 2) / 1e6,
                    sorted.get((int) Math.floor(sorted.size() * 0.99)) / 1e6,
                    sorted.get(sorted.size() - 1) / 1e6,
                    over);
        }
    }
}
