package io.citus.pgvector.ha;

import io.citus.pgvector.cluster.Percentiles;
import io.citus.pgvector.testing.LocalPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A client writing one row per transaction ({@code INSERT} in autocommit) through a Service, as an application does:
 * on an error it drops the connection, reconnects and goes on with the next id, so a row whose commit was cut off
 * is in doubt, never counted as acknowledged. It keeps every acknowledgement with its time; whether those rows
 * survived is checked by reading the table afterwards ({@link #lost(Set)}), independently of this bookkeeping.
 */
final class Writer implements AutoCloseable {

    static final String TABLE = "ha_writes";
    /** Ids are unique across every writer of the JVM, so writers of one tenant never collide. */
    private static final java.util.concurrent.atomic.AtomicLong IDS = new java.util.concurrent.atomic.AtomicLong();

    /** An acknowledged row: its id, when the commit returned, and how long the statement took. */
    record Ack(long id, long atNanos, long latencyNanos) {}

    /** A failed attempt: when, and what the driver said. */
    record Failure(long atNanos, String message) {}

    private final String jdbcUrl;
    private final String password;
    private final int tenant;
    private final long pauseMillis;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Ack> acks = new ArrayList<>();
    private final List<Failure> failures = new ArrayList<>();
    private final Set<Long> attempted = new java.util.HashSet<>();
    private final Thread thread;

    private Writer(String jdbcUrl, String password, int tenant, long pauseMillis) {
        this.jdbcUrl = jdbcUrl;
        this.password = password;
        this.tenant = tenant;
        this.pauseMillis = pauseMillis;
        this.thread = new Thread(this::run, "writer-" + tenant);
        this.thread.setDaemon(true);
    }

    /**
     * Starts writing rows of {@code tenant} into {@link #TABLE}.
     *
     * @param pause time between two writes (0: as fast as one client can)
     */
    static Writer start(String jdbcUrl, String password, int tenant, Duration pause) {
        Writer writer = new Writer(jdbcUrl, password, tenant, pause.toMillis());
        writer.thread.start();
        return writer;
    }

    /** Creates {@link #TABLE}, distributed by tenant when {@code citus}. */
    static void createTable(Connection connection, boolean citus) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("CREATE TABLE " + TABLE + " (tenant int NOT NULL, id bigint NOT NULL,"
                    + " written_at timestamptz NOT NULL DEFAULT clock_timestamp(), PRIMARY KEY (tenant, id))");
            if (citus) {
                s.execute("SELECT create_distributed_table('" + TABLE + "', 'tenant')");
            }
        }
    }

    private void run() {
        Connection connection = null;
        PreparedStatement insert = null;
        while (running.get()) {
            long id = IDS.incrementAndGet();
            synchronized (this) {
                attempted.add(id);
            }
            long started = System.nanoTime();
            try {
                if (connection == null) {
                    connection = DriverManager.getConnection(jdbcUrl, LocalPostgres.SUPERUSER, password);
                    insert = connection.prepareStatement("INSERT INTO " + TABLE + " (tenant, id) VALUES (?, ?)");
                }
                insert.setInt(1, tenant);
                insert.setLong(2, id);
                insert.executeUpdate();
                long now = System.nanoTime();
                synchronized (this) {
                    acks.add(new Ack(id, now, now - started));
                }
            } catch (SQLException e) {
                synchronized (this) {
                    failures.add(new Failure(System.nanoTime(), e.getMessage()));
                }
                closeQuietly(connection);
                connection = null;
                pause(100);
            }
            if (pauseMillis > 0) {
                pause(pauseMillis);
            }
        }
        closeQuietly(connection);
    }

    private static void closeQuietly(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // The connection is gone already.
            }
        }
    }

    private void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            running.set(false);
        }
    }

    /** Stops after the write in flight, bounded by the driver's socket timeout. */
    void stop() {
        running.set(false);
        try {
            thread.join(Duration.ofSeconds(30).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            thread.interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }

    int tenant() {
        return tenant;
    }

    synchronized List<Ack> acks() {
        return List.copyOf(acks);
    }

    synchronized List<Failure> failures() {
        return List.copyOf(failures);
    }

    synchronized Set<Long> ackedIds() {
        Set<Long> ids = new LinkedHashSet<>();
        acks.forEach(a -> ids.add(a.id()));
        return ids;
    }

    /** Acknowledged ids missing from {@code present}: acknowledged writes lost. */
    List<Long> lost(Set<Long> present) {
        return ackedIds().stream().filter(id -> !present.contains(id)).toList();
    }

    /** Rows of this writer present that were never acknowledged: commits whose answer was cut off (allowed). */
    synchronized long inDoubt(Set<Long> present) {
        Set<Long> acked = ackedIds();
        return present.stream()
                .filter(id -> attempted.contains(id) && !acked.contains(id))
                .count();
    }

    /** Waits until at least {@code count} more writes than now were acknowledged. */
    void awaitAcks(int count, Duration timeout) {
        int target = acks().size() + count;
        io.citus.pgvector.testing.Waits.until(
                timeout,
                count + " acknowledged writes",
                () -> acks().size() >= target,
                () -> "failures: "
                        + failures().stream()
                                .skip(Math.max(0, failures().size() - 3))
                                .map(Failure::message)
                                .toList());
    }

    /** Whether writes succeed again after {@code sinceNanos}: one acknowledged in the last second, none failed in 2. */
    synchronized boolean writingSteadily(long sinceNanos) {
        long now = System.nanoTime();
        boolean recentAck =
                !acks.isEmpty() && acks.get(acks.size() - 1).atNanos() > Math.max(sinceNanos, now - 1_000_000_000L);
        boolean recentFailure =
                !failures.isEmpty() && failures.get(failures.size() - 1).atNanos() > now - 2_000_000_000L;
        return recentAck && !recentFailure;
    }

    synchronized long failuresAfter(long nanos) {
        return failures.stream().filter(f -> f.atNanos() >= nanos).count();
    }

    /**
     * Seconds from {@code eventNanos} until writes succeed again: the first acknowledgement after the last failure
     * that followed the event or, when nothing failed (writes only stalled), the acknowledgement that ended the
     * longest pause between acknowledgements after the event. Empty if no write succeeded after the event.
     */
    synchronized OptionalDouble secondsToWritesAgain(long eventNanos) {
        long lastFailure = failures.stream()
                .mapToLong(Failure::atNanos)
                .filter(t -> t >= eventNanos)
                .max()
                .orElse(Long.MIN_VALUE);
        if (lastFailure != Long.MIN_VALUE) {
            return acks.stream().mapToLong(Ack::atNanos).filter(t -> t > lastFailure).findFirst().stream()
                    .mapToDouble(t -> (t - eventNanos) / 1e9)
                    .findFirst();
        }
        long previous = eventNanos;
        for (Ack ack : acks) {
            if (ack.atNanos() <= eventNanos) {
                previous = ack.atNanos();
            }
        }
        long longestGap = -1;
        long recovered = -1;
        for (Ack ack : acks) {
            if (ack.atNanos() > eventNanos) {
                if (ack.atNanos() - previous > longestGap) {
                    longestGap = ack.atNanos() - previous;
                    recovered = ack.atNanos();
                }
                previous = ack.atNanos();
            }
        }
        return recovered < 0 ? OptionalDouble.empty() : OptionalDouble.of((recovered - eventNanos) / 1e9);
    }

    /** The latencies of the writes acknowledged between two instants. */
    synchronized long[] latencies(long fromNanos, long toNanos) {
        return acks.stream()
                .filter(a -> a.atNanos() >= fromNanos && a.atNanos() < toNanos)
                .mapToLong(Ack::latencyNanos)
                .toArray();
    }

    /** Acknowledged writes per second and their latency percentiles, over several writers. */
    record Throughput(int clients, double perSecond, Percentiles latency) {

        static Throughput of(List<Writer> writers, long fromNanos, long toNanos) {
            long[] all = writers.stream()
                    .flatMapToLong(w -> java.util.Arrays.stream(w.latencies(fromNanos, toNanos)))
                    .toArray();
            return new Throughput(writers.size(), all.length / ((toNanos - fromNanos) / 1e9), Percentiles.ofNanos(all));
        }
    }
}
