package io.citus.pgvector.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads {@code pg_stat_activity.query} of every other backend of one server in a tight loop on its own connection and
 * thread, keeping each distinct text: what bg_mon serves without authentication and {@code pg_read_all_stats} reads.
 * A backend shows its running statement and, while idle, its last one, so a statement that runs for less than the
 * sampling interval is still seen unless the same backend runs another before the next sample. Raise the server's
 * {@code track_activity_query_size} (a restart) to see long statements whole.
 */
public final class StatementTextSampler implements AutoCloseable {

    /** What a sampler saw: the distinct statement texts, how many samples it took and over how long. */
    public record Samples(Set<String> texts, long samples, Duration elapsed, Duration longestGap) {

        /** The average time between two samples. */
        public Duration interval() {
            return samples == 0 ? elapsed : elapsed.dividedBy(samples);
        }
    }

    private final Set<String> texts = ConcurrentHashMap.newKeySet();
    private final Connection connection;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long samples;
    private volatile long longestGapNanos;
    private volatile SQLException failure;
    private final long startNanos = System.nanoTime();
    private long endNanos;

    private StatementTextSampler(Connection connection, String name) {
        this.connection = connection;
        this.thread = new Thread(this::sample, "statement-text-sampler-" + name);
        this.thread.setDaemon(true);
    }

    /** Starts sampling {@code server}'s backends (every database) through {@code database}. */
    public static StatementTextSampler start(LocalPostgres server, String database) throws SQLException {
        StatementTextSampler sampler = new StatementTextSampler(server.connect(database), server.name());
        sampler.thread.start();
        return sampler;
    }

    private void sample() {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT query FROM pg_catalog.pg_stat_activity WHERE pid <> pg_catalog.pg_backend_pid() AND query <> ''")) {
            long last = System.nanoTime();
            while (running) {
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        texts.add(rows.getString(1));
                    }
                }
                long now = System.nanoTime();
                longestGapNanos = Math.max(longestGapNanos, now - last);
                last = now;
                samples++;
            }
        } catch (SQLException e) {
            failure = e;
        }
    }

    /** Stops sampling and returns what was seen; fails when sampling itself failed. */
    public Samples finish() {
        running = false;
        try {
            thread.join(Duration.ofSeconds(10).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        endNanos = System.nanoTime();
        close();
        if (failure != null) {
            throw new IllegalStateException("sampling pg_stat_activity failed: " + failure, failure);
        }
        return new Samples(
                Set.copyOf(texts), samples, Duration.ofNanos(endNanos - startNanos), Duration.ofNanos(longestGapNanos));
    }

    @Override
    public void close() {
        running = false;
        try {
            connection.close();
        } catch (SQLException e) {
            // Closing after the sampler stopped; nothing is left to read.
        }
    }
}
