package io.citus.pgvector.ha;

import io.citus.pgvector.testing.Waits;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * One fault injected into the leader of a cluster while a {@link Writer} writes through a Service, measured: the
 * seconds until writes succeed again, the failed attempts, and the acknowledged rows that are gone afterwards, read
 * from the table itself (on Citus directly from the shard on the worker's current leader, not through the
 * coordinator). The cluster is brought back to health (stopped or killed pods started again) before the rows are
 * counted, so a row that only an old primary held (discarded by pg_rewind when it rejoins) counts as lost.
 */
final class FailoverScenario {

    /** The ways the leader goes away. */
    enum Fault {
        POSTMASTER_KILL("postmaster SIGKILL, Patroni restarts it"),
        PATRONI_STOP("Patroni stopped (pod deleted)"),
        NODE_LOSS("node lost (Patroni and PostgreSQL SIGKILL)"),
        SWITCHOVER("planned switchover (Patroni API)");

        final String description;

        Fault(String description) {
            this.description = description;
        }
    }

    /** What a scenario measured. */
    record Outcome(
            String cluster,
            Fault fault,
            boolean synchronous,
            boolean stalled,
            OptionalDouble writesAgainAfter,
            long failedAttempts,
            long acknowledged,
            long lost,
            long inDoubt) {

        String line() {
            return String.format(
                    Locale.ROOT,
                    "%-16s %-44s %-5s %s writes again after %s, %d failed attempts,"
                            + " %d acknowledged, %d lost, %d in doubt",
                    cluster,
                    fault.description,
                    synchronous ? "sync" : "async",
                    stalled ? "(replication stalled 2 s)" : "",
                    writesAgainAfter.isPresent()
                            ? String.format(Locale.ROOT, "%.1f s", writesAgainAfter.getAsDouble())
                            : "never",
                    failedAttempts,
                    acknowledged,
                    lost,
                    inDoubt);
        }
    }

    static final Duration STALL = Duration.ofSeconds(2);
    private static final Duration WARM_UP = Duration.ofSeconds(30);
    private static final Duration RECOVERY = Duration.ofSeconds(240);

    private FailoverScenario() {}

    /**
     * Injects {@code fault} into {@code target}'s leader while a writer writes rows of {@code tenant} through
     * {@code writeThrough}'s Service.
     *
     * @param stall stop the leader's walsender for {@link #STALL} before the fault (only with
     *              {@link Fault#NODE_LOSS}): the replica falls behind by what was written meanwhile
     */
    static Outcome run(
            PatroniRelease release,
            PatroniCluster target,
            Fault fault,
            boolean stall,
            PatroniCluster writeThrough,
            int tenant,
            Duration pace)
            throws SQLException {
        return run(release, target, fault, stall, writeThrough, tenant, pace, () -> {});
    }

    /** Like {@link #run(PatroniRelease, PatroniCluster, Fault, boolean, PatroniCluster, int, Duration)}, running
     * {@code afterFault} right after the fault (a hook started during the outage). */
    static Outcome run(
            PatroniRelease release,
            PatroniCluster target,
            Fault fault,
            boolean stall,
            PatroniCluster writeThrough,
            int tenant,
            Duration pace,
            Runnable afterFault)
            throws SQLException {
        if (stall && fault != Fault.NODE_LOSS) {
            throw new IllegalArgumentException("a stalled walsender dies only with the node");
        }
        boolean synchronous = target.synchronousStandbys() > 0;
        PatroniMember leader = target.requireLeader();
        PatroniMember replica = target.replica();
        long eventNanos;
        Writer writer = Writer.start(
                writeThrough.jdbcUrl("postgres"), release.superuserPassword(writeThrough.name()), tenant, pace);
        try {
            writer.awaitAcks(20, WARM_UP);
            if (stall) {
                long walsender = target.walsenderPid(leader, replica);
                BackgroundProcess.signal(walsender, "STOP");
                Waits.sleep(STALL.toMillis());
            }
            eventNanos = System.nanoTime();
            switch (fault) {
                case POSTMASTER_KILL -> leader.killPostmaster();
                case PATRONI_STOP -> release.deletePod(leader);
                case NODE_LOSS -> release.losePod(leader);
                case SWITCHOVER -> target.switchover();
                default -> throw new IllegalStateException();
            }
            afterFault.run();
            Waits.until(
                    RECOVERY,
                    "writes through " + writeThrough.name() + " to succeed again after " + fault.description + " of "
                            + leader.name(),
                    () -> writer.writingSteadily(eventNanos),
                    release::diagnostics);
            writer.awaitAcks(20, WARM_UP);
        } finally {
            writer.stop();
        }
        release.awaitAllHealthy(RECOVERY);
        Set<Long> present = presentIds(release, writeThrough, tenant);
        return new Outcome(
                target.name(),
                fault,
                synchronous,
                stall,
                writer.secondsToWritesAgain(eventNanos),
                writer.failuresAfter(eventNanos),
                writer.ackedIds().size(),
                writer.lost(present).size(),
                writer.inDoubt(present));
    }

    /**
     * The ids of {@code tenant}'s rows, read where they are stored: on Citus from the shard table on the current
     * leader of the worker that holds it (the coordinator only says which shard and worker), otherwise from the
     * current leader of the written cluster. Both directly, not through a Service.
     */
    static Set<Long> presentIds(PatroniRelease release, PatroniCluster writeThrough, int tenant) throws SQLException {
        if (!release.citus()) {
            return ids(writeThrough.requireLeader(), "SELECT id FROM " + Writer.TABLE + " WHERE tenant = ?", tenant);
        }
        String shard;
        int port;
        try (Connection c = release.coordinator().connect("postgres");
                PreparedStatement s = c.prepareStatement("SELECT shard_name, nodeport FROM citus_shards"
                        + " WHERE table_name = '" + Writer.TABLE + "'::regclass"
                        + " AND shardid = get_shard_id_for_distribution_column('" + Writer.TABLE + "', ?)")) {
            s.setInt(1, tenant);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    throw new AssertionError("no shard of " + Writer.TABLE + " for tenant " + tenant);
                }
                shard = r.getString(1);
                port = r.getInt(2);
            }
        }
        PatroniCluster worker = release.workers().stream()
                .filter(w -> w.servicePort() == port)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no worker cluster behind port " + port));
        return ids(worker.requireLeader(), "SELECT id FROM " + shard + " WHERE tenant = ?", tenant);
    }

    private static Set<Long> ids(PatroniMember member, String sql, int tenant) throws SQLException {
        Set<Long> ids = new HashSet<>();
        try (Connection c = member.connect("postgres");
                PreparedStatement s = c.prepareStatement(sql)) {
            s.setInt(1, tenant);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    ids.add(r.getLong(1));
                }
            }
        }
        return ids;
    }

    /** A tenant whose rows the coordinator places on {@code worker}. */
    static int tenantOn(PatroniRelease release, PatroniCluster worker) throws SQLException {
        try (Connection c = release.coordinator().connect("postgres");
                PreparedStatement s = c.prepareStatement("SELECT t FROM generate_series(1, 1000) t"
                        + " JOIN citus_shards cs ON cs.shardid = get_shard_id_for_distribution_column('"
                        + Writer.TABLE + "', t) WHERE cs.table_name = '" + Writer.TABLE + "'::regclass"
                        + " AND cs.nodeport = ? ORDER BY t LIMIT 1")) {
            s.setInt(1, worker.servicePort());
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    throw new AssertionError("no shard of " + Writer.TABLE + " on " + worker.name());
                }
                return r.getInt(1);
            }
        }
    }
}
