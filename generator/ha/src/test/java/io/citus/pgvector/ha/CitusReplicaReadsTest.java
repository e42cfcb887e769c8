package io.citus.pgvector.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.citus.pgvector.scaling.ShippedHooks;
import io.citus.pgvector.testing.LocalPostgres;
import io.citus.pgvector.testing.Waits;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replica reads on the rendered default chart (a coordinator and two workers, two Patroni members each) with Citus and
 * pgvector, run by {@link PatroniRelease}, whose HAProxy plays each cluster's replica Service ({@code /replica}
 * check). Reads go through the read endpoint: the coordinator's Service with {@code citus.use_secondary_nodes =
 * 'always'} set at connection start. Every row a read returns carries the port and recovery state of the node that
 * scanned its shard ({@code inet_server_port()}, {@code pg_is_in_recovery()} are evaluated on the worker), so the test
 * sees which node answered each read.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 20, unit = TimeUnit.MINUTES)
@DisplayName("HA tier with Citus: kNN reads on the workers' standbys, through a switchover and a standby loss")
class CitusReplicaReadsTest {

    private static final int INTERVAL_SECONDS = 5;
    /**
     * How long reads may fail after a node loss: the bound. What it takes here: the HAProxy check (down after 2
     * failed checks a second apart), the registrar's next pass (every {@link #INTERVAL_SECONDS}; a pass runs several
     * psql sessions, each slow on a loaded machine) with its probe of the replica Service (HAProxy holds a connection
     * to a backend with no server up for its 3 s connect timeout before it closes it, where a Kubernetes Service
     * without endpoints refuses at once), and the reader's read in flight, which waits the same 3 s.
     */
    private static final Duration READS_AGAIN = Duration.ofSeconds(30);

    private static final Duration CONVERGE = Duration.ofSeconds(180);
    private static final String READ_OPTIONS = "&options=-c%20citus.use_secondary_nodes%3Dalways";
    private static final String VECTOR =
            "(SELECT array_agg(cos(d * 0.7)::real ORDER BY d)" + " FROM generate_series(1, 16) d)::vector";
    private static final String FAN_OUT = "SELECT channel, id, inet_server_port(), pg_is_in_recovery() FROM "
            + CitusState.ITEMS + " ORDER BY embedding <-> " + VECTOR + " LIMIT 10";
    private static final String ROUTER = "SELECT channel, id, inet_server_port(), pg_is_in_recovery() FROM "
            + CitusState.ITEMS + " WHERE channel = 7 ORDER BY embedding <-> " + VECTOR + " LIMIT 10";

    @TempDir
    static Path dir;

    private PatroniRelease release;
    /** The worker cluster holding each channel's shard. */
    private final Map<Long, PatroniCluster> workerOfChannel = new HashMap<>();
    /** Every row a read returned, checked against the members' roles. */
    private final List<String> wrongNodes = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    void start() throws Exception {
        Optional<String> unavailable = PatroniRelease.unavailableReason().or(LocalPostgres::citusUnavailableReason);
        Assumptions.assumeTrue(unavailable.isEmpty(), () -> unavailable.orElse(""));
        release = PatroniRelease.start(
                dir,
                ShippedHooks.render(dir, Map.of("registrar.intervalSeconds", Integer.toString(INTERVAL_SECONDS))),
                true);
    }

    @AfterAll
    void stop() {
        if (release != null) {
            release.close();
        }
    }

    @Test
    @Order(1)
    @DisplayName("each worker's secondary is its replica Service; kNN through the read endpoint returns the primary's"
            + " ids, answered by standbys only; writes there fail clearly; helm test and verify pass")
    void readsOnStandbys() throws Exception {
        release.awaitRegistrarsFor("registered", CONVERGE);
        awaitSecondaries(true, CONVERGE);
        CitusState.createItems(release, 2000);
        for (long channel = 0; channel < 20; channel++) {
            for (String row : CitusState.column(
                    release,
                    "SELECT n.nodeport FROM pg_dist_placement p JOIN pg_dist_node n USING (groupid)"
                            + " WHERE n.noderole = 'primary' AND p.shardid = get_shard_id_for_distribution_column('"
                            + CitusState.ITEMS + "', " + channel + ")")) {
                int port = Integer.parseInt(row);
                workerOfChannel.put(
                        channel,
                        release.workers().stream()
                                .filter(w -> w.servicePort() == port)
                                .findFirst()
                                .orElseThrow());
            }
        }
        List<List<Long>> primary = CitusState.knn(release);
        // Synchronous replication acknowledges a commit once the standby has flushed it; replay follows.
        List<List<List<Long>>> replicas = new ArrayList<>();
        Waits.until(Duration.ofSeconds(30), "the standbys to answer the kNN queries", () -> {
            try {
                replicas.add(0, List.of(readIds(ROUTER), readIds(FAN_OUT)));
                return replicas.get(0).get(0).size() == 10
                        && replicas.get(0).get(1).size() == 10;
            } catch (SQLException e) {
                return false;
            }
        });
        assertThat(replicas.get(0)).isEqualTo(primary);
        List<Hit> hits = new ArrayList<>(read(ROUTER));
        hits.addAll(read(FAN_OUT));
        assertThat(hits)
                .allSatisfy(hit -> assertThat(hit.standby())
                        .as("row %s answered by a standby", hit)
                        .isTrue());
        checkNodes(hits);
        assertThat(wrongNodes).isEmpty();

        try (Connection c = readEndpoint();
                Statement s = c.createStatement()) {
            assertThat(catchThrowable(
                            () -> s.execute("INSERT INTO " + CitusState.ITEMS + " VALUES (7, 100000, " + VECTOR + ")")))
                    .hasMessageContaining("writing to worker nodes is not currently allowed");
        }
        ShippedHooks.Run test =
                release.startHook("Pod", "citus-test-vector-queries", Map.of()).await(300);
        assertThat(test.exitCode()).as(test.output()).isZero();
        assertThat(test.output()).contains("each from a standby").contains("passed");
        PatroniRelease.VerifyRun verify = release.verify(release.workers().size());
        assertThat(verify.exitCode()).as(verify.output()).isZero();
        assertThat(verify.output()).contains("secondar");
    }

    @Test
    @Order(2)
    @DisplayName("worker switchover under reads: reads answer again within 30 s, and no row comes from a node that is"
            + " neither a standby nor the primary of its worker")
    void switchover() throws Exception {
        PatroniCluster worker = release.workers().get(0);
        Duration outage = underReads(worker::switchover);
        System.out.printf(
                "figures: replica reads after a worker switchover: longest gap %.1f s%n", outage.toMillis() / 1e3);
        assertThat(outage).as(release.registrarDiagnostics()).isLessThanOrEqualTo(READS_AGAIN);
        release.awaitAllHealthy(CONVERGE);
        awaitSecondaries(true, CONVERGE);
        assertThat(wrongNodes).isEmpty();
    }

    @Test
    @Order(3)
    @DisplayName("a worker's standby lost under reads: the registrar moves the secondary to the primary, reads answer"
            + " again within 30 s, and the secondary moves back to the replica Service when the standby returns")
    void standbyLoss() throws Exception {
        PatroniCluster worker = release.workers().get(1);
        PatroniMember standby = worker.replica();
        Duration outage = underReads(() -> {
            release.losePod(standby);
            Waits.until(
                    Duration.ofSeconds(INTERVAL_SECONDS * 4L + 30),
                    "the secondary of " + worker.name() + " to name its primary",
                    () -> secondaryOf(worker).equals("localhost:" + worker.servicePort()),
                    release::registrarDiagnostics);
            return null;
        });
        System.out.printf(
                "figures: replica reads after a worker's standby is lost: longest gap %.1f s%n",
                outage.toMillis() / 1e3);
        assertThat(outage).as(release.registrarDiagnostics()).isLessThanOrEqualTo(READS_AGAIN);
        release.startPod(standby);
        release.awaitAllHealthy(CONVERGE);
        awaitSecondaries(true, CONVERGE);
        assertThat(read(FAN_OUT)).allSatisfy(hit -> assertThat(hit.standby()).isTrue());
        assertThat(wrongNodes).isEmpty();
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    record Hit(long channel, long id, int port, boolean standby) {}

    private interface Action {
        Object run() throws Exception;
    }

    /**
     * Runs {@code action} while a reader sends fan-out kNN queries through the read endpoint back to back (a new
     * connection after a failure), and keeps reading 10 s after it; returns the longest time between two answered
     * reads.
     */
    private Duration underReads(Action action) throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        List<Long> answered = Collections.synchronizedList(new ArrayList<>());
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        Thread reader = new Thread(() -> {
            while (running.get()) {
                try {
                    checkNodes(read(FAN_OUT));
                    answered.add(System.nanoTime());
                } catch (SQLException e) {
                    failures.add(e.getMessage());
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException interrupted) {
                        return;
                    }
                }
            }
        });
        long started = System.nanoTime();
        reader.start();
        try {
            Thread.sleep(1000);
            action.run();
            Thread.sleep(10_000);
        } finally {
            running.set(false);
            reader.join(30_000);
        }
        List<Long> times = new ArrayList<>(answered);
        assertThat(times).as("reads answered; failures: %s", failures).isNotEmpty();
        long longest = times.get(0) - started;
        for (int i = 1; i < times.size(); i++) {
            longest = Math.max(longest, times.get(i) - times.get(i - 1));
        }
        System.out.printf(
                "%d reads answered, %d failed (first failures: %s)%n",
                times.size(),
                failures.size(),
                failures.stream().distinct().limit(3).toList());
        return Duration.ofNanos(longest);
    }

    /** Records every row answered by a node that is not a member of its shard's worker, or a standby-less primary. */
    private void checkNodes(List<Hit> hits) {
        for (Hit hit : hits) {
            PatroniCluster worker = workerOfChannel.get(hit.channel());
            Optional<PatroniMember> member = worker.members().stream()
                    .filter(m -> m.postgresPort() == hit.port())
                    .findFirst();
            if (member.isEmpty()) {
                wrongNodes.add(hit + ": not a member of " + worker.name());
            }
            // A node not in recovery is a primary: only the worker's current leader may be one.
            if (!hit.standby() && member.isPresent() && !member.get().isLeader()) {
                wrongNodes.add(hit + ": a primary that is not the leader of " + worker.name());
            }
        }
    }

    private void awaitSecondaries(boolean onReplicaService, Duration timeout) {
        Waits.until(
                timeout,
                "each worker's secondary to be its " + (onReplicaService ? "replica Service" : "primary"),
                () -> {
                    for (PatroniCluster worker : release.workers()) {
                        String expected = onReplicaService
                                ? "127.0.0.1:" + release.replicaServicePort(worker.name())
                                : "localhost:" + worker.servicePort();
                        if (!secondaryOf(worker).equals(expected)) {
                            return false;
                        }
                    }
                    return true;
                },
                release::registrarDiagnostics);
    }

    private String secondaryOf(PatroniCluster worker) {
        try {
            List<String> all = CitusState.secondaries(release);
            List<String> mine = all.stream()
                    .filter(s -> s.startsWith(worker.servicePort() + ">"))
                    .map(s -> s.substring(s.indexOf('>') + 1))
                    .toList();
            return mine.size() == 1 ? mine.get(0) : mine.toString();
        } catch (SQLException e) {
            return e.getMessage();
        }
    }

    private Connection readEndpoint() throws SQLException {
        return DriverManager.getConnection(
                release.coordinator().jdbcUrl("postgres") + READ_OPTIONS,
                LocalPostgres.SUPERUSER,
                release.superuserPassword(release.coordinator().name()));
    }

    private List<Hit> read(String sql) throws SQLException {
        try (Connection c = readEndpoint();
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery(sql)) {
            List<Hit> hits = new ArrayList<>();
            while (r.next()) {
                hits.add(new Hit(r.getLong(1), r.getLong(2), r.getInt(3), r.getBoolean(4)));
            }
            return hits;
        }
    }

    private List<Long> readIds(String sql) throws SQLException {
        return read(sql).stream().map(Hit::id).sorted().toList();
    }
}
