package io.citus.pgvector.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.citus.pgvector.scaling.ShippedHooks;
import io.citus.pgvector.testing.LocalPostgres;
import io.citus.pgvector.testing.Waits;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restore of the whole Citus cluster to one restore point, on the Patroni tier with real WAL archiving: the release
 * (coordinator and two workers) archives every WAL segment through PostgreSQL's own {@code archive_command} into a
 * folder standing in for the bucket, at the paths the chart's {@code backup.wal} env names, and has a base backup
 * there. A writer runs distributed transactions (one row on each worker, which must appear together) and single-row
 * writes at about {@value #RATE} transactions/s; the chart's restore point job, rendered and run as its CronJob runs
 * it, takes {@value #POINTS} points mid-load; writes go on. The source is then stopped (its Service names unreachable,
 * as from another namespace), and for each point a new release is rendered with the chart's {@code restore} block
 * and brought up as the operator and Spilo bring clones up ({@link SpiloConfiguration}): every cluster recovers from
 * its source's archive to its own recovery target of the point. Each restored release must re-register its workers
 * under their new names and pass {@code verify}; then no distributed transaction may be torn, every transaction
 * acknowledged before the point was taken must be there, and none begun after it returned.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 40, unit = TimeUnit.MINUTES)
@DisplayName("HA tier with Citus: restore of the whole cluster to a restore point, under load")
class CitusRestoreTest {

    static final int RATE = 200;
    static final int POINTS = 3;
    static final int CLIENTS = 6;
    private static final java.util.concurrent.atomic.AtomicLong IDS = new java.util.concurrent.atomic.AtomicLong();
    private static final Duration CONVERGE = Duration.ofSeconds(240);
    private static final String SOURCE = "citus";

    @TempDir
    static Path dir;

    private Path bucket;
    private PatroniRelease source;
    private final List<Taken> points = new ArrayList<>();
    private final List<String> figures = new ArrayList<>();

    /** A restore point as the job recorded it, and when the job ran, by the writer's clock. */
    record Taken(String name, Map<String, String> targets, long startedNanos, long endedNanos) {}

    /** One transaction of the writer: kind, id, when it began and when its commit was acknowledged (0: never). */
    record Tx(boolean distributed, long id, long beganNanos, long ackedNanos) {}

    private static Map<String, String> values() {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("workers.count", "2");
        values.put("coordinator.instances", "1");
        values.put("workers.instances", "1");
        values.put("registrar.intervalSeconds", "5");
        values.put("backup.wal.enabled", "true");
        values.put("backup.wal.bucket", "backups");
        return values;
    }

    @BeforeAll
    void start() throws Exception {
        Optional<String> unavailable = PatroniRelease.unavailableReason().or(LocalPostgres::citusUnavailableReason);
        Assumptions.assumeTrue(unavailable.isEmpty(), () -> unavailable.orElse(""));
        LocalPostgres.openUp(dir);
        bucket = dir.resolve("bucket");
        source = PatroniRelease.start(dir.resolve("source"), ShippedHooks.render(dir, values()), true, bucket);
    }

    @AfterAll
    void stop() {
        figures.forEach(f -> System.out.println("figures: " + f));
        if (source != null) {
            source.close();
        }
    }

    @Test
    @DisplayName("restore points mid-load; each restore: workers re-registered, verify passes, 0 torn, every"
            + " transaction acknowledged before the point present, none begun after it")
    void restoresReachThePoint() throws Exception {
        source.awaitRegistrarsFor("registered", CONVERGE);
        int[] keys;
        try (Connection c = source.coordinator().connect("postgres");
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE pairs (k int NOT NULL, txn bigint NOT NULL, side text NOT NULL)");
            s.execute("SELECT create_distributed_table('pairs', 'k')");
            s.execute("CREATE TABLE singles (k int NOT NULL, n bigint NOT NULL)");
            s.execute("SELECT create_distributed_table('singles', 'k', colocate_with => 'pairs')");
            keys = keysOnTwoWorkers(s);
        }
        for (PatroniCluster cluster : source.clusters()) {
            source.baseBackup(cluster);
        }

        Load load = new Load(source.coordinator(), keys);
        load.start();
        Thread.sleep(4000);
        for (int i = 0; i < POINTS; i++) {
            long started = System.nanoTime();
            ShippedHooks.Run run = source.startHook("CronJob", SOURCE + "-restore-points", Map.of())
                    .await(120);
            long ended = System.nanoTime();
            assertThat(run.exitCode()).as(run.output()).isZero();
            String name = run.output()
                    .lines()
                    .filter(l -> l.startsWith("  - name: "))
                    .findFirst()
                    .orElseThrow()
                    .substring("  - name: ".length());
            points.add(new Taken(name, recordedTargets(name), started, ended));
            Thread.sleep(3000);
        }
        List<Tx> txs = load.stop();
        double rate =
                txs.stream().filter(t -> t.ackedNanos() > 0).count() / ((load.endedNanos - load.startedNanos) / 1e9);
        figures.add(String.format(
                "load: %d transactions acknowledged (%d distributed), %.0f tx/s; restore points %s",
                txs.stream().filter(t -> t.ackedNanos() > 0).count(),
                txs.stream().filter(t -> t.ackedNanos() > 0 && t.distributed()).count(),
                rate,
                points.stream().map(Taken::name).toList()));
        assertThat(rate).as("writes per second").isGreaterThan(RATE * 0.5);

        // The source goes away: the restored coordinators' metadata names its Services, which must reach nothing.
        Set<Integer> sourcePorts = new HashSet<>();
        source.clusters().forEach(c -> sourcePorts.add(c.servicePort()));
        source.close();
        source = null;

        for (int i = 0; i < points.size(); i++) {
            restore(i, points.get(i), txs, sourcePorts);
        }
    }

    /** Two distribution keys whose shards are on different workers. */
    private static int[] keysOnTwoWorkers(Statement s) throws SQLException {
        Map<Integer, Integer> firstKeyByPort = new LinkedHashMap<>();
        for (int k = 1; k < 1000 && firstKeyByPort.size() < 2; k++) {
            try (ResultSet r = s.executeQuery("SELECT p.nodeport FROM pg_dist_shard_placement p"
                    + " WHERE p.shardid = get_shard_id_for_distribution_column('pairs', " + k + ")")) {
                r.next();
                firstKeyByPort.putIfAbsent(r.getInt(1), k);
            }
        }
        assertThat(firstKeyByPort).as("keys on two workers").hasSize(2);
        return firstKeyByPort.values().stream().mapToInt(Integer::intValue).toArray();
    }

    /** The point's targets from the source coordinator's record, by source cluster name (Service port to name). */
    private Map<String, String> recordedTargets(String name) throws SQLException {
        Map<Integer, String> clusterByPort = new LinkedHashMap<>();
        source.clusters().forEach(c -> clusterByPort.put(c.servicePort(), c.name()));
        Map<String, String> targets = new LinkedHashMap<>();
        try (Connection c = source.coordinator().connect("postgres");
                PreparedStatement p = c.prepareStatement("SELECT node_port, to_char(target_time AT TIME ZONE 'UTC',"
                        + " 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"') FROM citus_pgvector.restore_points"
                        + " WHERE name = ? ORDER BY node_group")) {
            p.setString(1, name);
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    targets.put(clusterByPort.get(r.getInt(1)), r.getString(2));
                }
            }
        }
        assertThat(targets).as("targets of %s", name).hasSize(3).doesNotContainKey(null);
        return targets;
    }

    private void restore(int index, Taken point, List<Tx> txs, Set<Integer> sourcePorts) throws Exception {
        String fullname = "restored" + (index + 1);
        Map<String, String> values = values();
        values.put("fullnameOverride", fullname);
        values.put("restore.enabled", "true");
        values.put("restore.source.fullname", SOURCE);
        values.put("restore.source.namespace", "production");
        values.put("restore.source.workers", "2");
        values.put("restore.pointName", point.name());
        values.put("restore.points[0].name", point.name());
        point.targets().forEach((cluster, target) -> values.put("restore.points[0].nodes." + cluster, target));
        ShippedHooks chart = ShippedHooks.render(dir, values);

        long started = System.nanoTime();
        try (PatroniRelease restored = PatroniRelease.start(dir.resolve(fullname), chart, true, bucket)) {
            Set<Integer> ports = new HashSet<>();
            restored.clusters().forEach(c -> ports.add(c.servicePort()));
            restored.members().forEach(m -> ports.add(m.postgresPort()));
            assertThat(Collections.disjoint(ports, sourcePorts))
                    .as("no port of the restored release is one the source's metadata names (rerun on a clash)")
                    .isTrue();
            for (PatroniCluster cluster : restored.clusters()) {
                assertThat(cluster.spilo().cloneFrom().targetTime())
                        .isEqualTo(
                                point.targets().get(cluster.spilo().cloneFrom().sourceCluster()));
            }
            restored.awaitRegistrarsFor("registered", CONVERGE);
            try (Connection c = restored.coordinator().connect("postgres");
                    Statement s = c.createStatement()) {
                // Citus's own recovery of the two-phase commits the point left prepared on the workers, now that the
                // coordinator reaches them under their new names.
                Waits.until(
                        CONVERGE,
                        "no prepared transaction left on any node",
                        () -> {
                            try (ResultSet r = s.executeQuery("SELECT recover_prepared_transactions()")) {
                                r.next();
                                return preparedEverywhere(restored) == 0;
                            } catch (SQLException e) {
                                return false;
                            }
                        },
                        restored::diagnostics);
            }
            PatroniRelease.VerifyRun verify = restored.verify(2);
            double seconds = (System.nanoTime() - started) / 1e9;
            assertThat(verify.exitCode()).as(verify.output()).isZero();
            // Each clone stopped at its time target (not at the end of the archive), and each registrar moved its
            // worker's node to the new name.
            for (PatroniCluster cluster : restored.clusters()) {
                String stop = recoveryStop(cluster.members().get(0).dir().resolve("pg_log"));
                assertThat(stop).as("recovery stop of %s", cluster.name()).contains("recovery stopping before");
                figures.add("  " + cluster.name() + ": " + stop);
            }
            for (var registrar : restored.registrars().entrySet()) {
                String moved = registrar
                        .getValue()
                        .output()
                        .lines()
                        .filter(l -> l.contains("move node"))
                        .findFirst()
                        .orElse("");
                assertThat(moved).as("registrar %s", registrar.getKey()).isNotEmpty();
                figures.add("  " + moved.substring(moved.indexOf("move node")));
            }

            Set<Long> pairs = new HashSet<>();
            Set<Long> singles = new HashSet<>();
            long torn;
            try (Connection c = restored.coordinator().connect("postgres");
                    Statement s = c.createStatement()) {
                try (ResultSet r = s.executeQuery(
                        "SELECT count(*) FROM (SELECT txn FROM pairs GROUP BY txn HAVING count(*) <> 2) t")) {
                    r.next();
                    torn = r.getLong(1);
                }
                try (ResultSet r = s.executeQuery("SELECT DISTINCT txn FROM pairs")) {
                    while (r.next()) {
                        pairs.add(r.getLong(1));
                    }
                }
                try (ResultSet r = s.executeQuery("SELECT n FROM singles")) {
                    while (r.next()) {
                        singles.add(r.getLong(1));
                    }
                }
            }
            long missing = 0;
            long after = 0;
            long before = 0;
            for (Tx tx : txs) {
                boolean present = (tx.distributed() ? pairs : singles).contains(tx.id());
                if (tx.ackedNanos() > 0 && tx.ackedNanos() < point.startedNanos()) {
                    before++;
                    if (!present) {
                        missing++;
                    }
                }
                if (tx.beganNanos() > point.endedNanos() && present) {
                    after++;
                }
            }
            figures.add(String.format(
                    "restore %d to %s: %.1f s from bring-up to verify passing; %d distributed and %d single-row"
                            + " transactions restored; torn %d; acknowledged before the point %d, missing %d;"
                            + " begun after it, present %d",
                    index + 1, point.name(), seconds, pairs.size(), singles.size(), torn, before, missing, after));
            assertThat(torn).as("torn distributed transactions").isZero();
            assertThat(missing).as("acknowledged before the point, missing").isZero();
            assertThat(after).as("begun after the point, present").isZero();
            assertThat(before).as("transactions before the point").isPositive();
        }
    }

    /** PostgreSQL's log line where recovery stopped, from a member's stderr log files. */
    private static String recoveryStop(Path logs) throws java.io.IOException {
        try (var files = java.nio.file.Files.list(logs)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".log")).toList()) {
                for (String line : java.nio.file.Files.readAllLines(file)) {
                    if (line.contains("recovery stopping")) {
                        return line.substring(line.indexOf("recovery stopping"));
                    }
                }
            }
        }
        return "";
    }

    private static long preparedEverywhere(PatroniRelease release) throws SQLException {
        long prepared = 0;
        for (PatroniCluster cluster : release.clusters()) {
            try (Connection c = cluster.connect("postgres");
                    Statement s = c.createStatement();
                    ResultSet r = s.executeQuery("SELECT count(*) FROM pg_prepared_xacts")) {
                r.next();
                prepared += r.getLong(1);
            }
        }
        return prepared;
    }

    /**
     * {@link #CLIENTS} clients through the coordinator's Service, each paced to its share of {@link #RATE}: half of
     * them commit a row on each worker per transaction (Citus's two-phase commit), the others single rows in
     * autocommit. Transaction ids are unique across the clients.
     */
    private static final class Load {
        private final PatroniCluster coordinator;
        private final int[] keys;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Tx> txs = Collections.synchronizedList(new ArrayList<>());
        private final List<Thread> threads = new ArrayList<>();
        long startedNanos;
        long endedNanos;

        Load(PatroniCluster coordinator, int[] keys) {
            this.coordinator = coordinator;
            this.keys = keys;
        }

        void start() {
            startedNanos = System.nanoTime();
            for (int i = 0; i < CLIENTS; i++) {
                boolean distributed = i % 2 == 0;
                threads.add(new Thread(() -> write(distributed), "restore-load-" + i));
            }
            threads.forEach(Thread::start);
        }

        List<Tx> stop() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join(30_000);
            }
            endedNanos = System.nanoTime();
            return List.copyOf(txs);
        }

        private void write(boolean distributed) {
            long pace = 1_000_000_000L * CLIENTS / RATE;
            long next = System.nanoTime();
            Connection c = null;
            while (running.get()) {
                long id = IDS.incrementAndGet();
                long began = System.nanoTime();
                long acked = 0;
                try {
                    if (c == null) {
                        c = coordinator.connect("postgres");
                    }
                    if (distributed) {
                        c.setAutoCommit(false);
                        try (PreparedStatement p =
                                c.prepareStatement("INSERT INTO pairs (k, txn, side) VALUES (?, ?, ?)")) {
                            for (int side = 0; side < 2; side++) {
                                p.setInt(1, keys[side]);
                                p.setLong(2, id);
                                p.setString(3, side == 0 ? "a" : "b");
                                p.executeUpdate();
                            }
                        }
                        c.commit();
                    } else {
                        try (PreparedStatement p = c.prepareStatement("INSERT INTO singles (k, n) VALUES (?, ?)")) {
                            p.setInt(1, ThreadLocalRandom.current().nextInt(1, 10_000));
                            p.setLong(2, id);
                            p.executeUpdate();
                        }
                    }
                    acked = System.nanoTime();
                } catch (SQLException e) {
                    try {
                        if (c != null) {
                            c.close();
                        }
                    } catch (SQLException ignored) {
                        // the connection is dropped either way
                    }
                    c = null;
                }
                txs.add(new Tx(distributed, id, began, acked));
                next += pace;
                long sleep = next - System.nanoTime();
                if (sleep > 0) {
                    try {
                        Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
            try {
                if (c != null) {
                    c.close();
                }
            } catch (SQLException ignored) {
                // closing at the end
            }
        }
    }
}
