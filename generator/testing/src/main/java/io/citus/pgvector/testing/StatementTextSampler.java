package io.citus.pgvector.testing;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/**
 * Reads {@code pg_stat_activity.query} of every other backend of one server in a tight loop, keeping each distinct
 * text: what bg_mon serves without authentication and {@code pg_read_all_stats} reads. The loop runs inside the server
 * (a DO block on the sampler's own connection, one second at a time, clearing the statistics snapshot before each
 * sample), so a sample costs no round trip and no scheduling of a client: on a busy machine a client-side loop waits
 * for the CPU twice per sample. A backend shows its running statement and, while idle, its last one, so a statement
 * shorter than the sampling interval is still seen unless the same backend runs another before the next sample.
 * Raise the server's {@code track_activity_query_size} (a restart) to see long statements whole.
 */
public final class StatementTextSampler implements AutoCloseable {

    /** What a sampler saw: the distinct statement texts, how many samples it took and over how long. */
    public record Samples(Set<String> texts, long samples, Duration elapsed, Duration longestGap) {

        /** The average time between two samples. */
        public Duration interval() {
            return samples == 0 ? elapsed : elapsed.dividedBy(samples);
        }
    }

    /** One second of sampling; the texts go to a temporary table, the count and the longest gap are returned. */
    private static final String CHUNK = """
            DO $sample$
            DECLARE
              started timestamptz := pg_catalog.clock_timestamp();
              previous timestamptz := started;
              now timestamptz;
              taken bigint := 0;
              gap interval := '0';
            BEGIN
              LOOP
                PERFORM pg_catalog.pg_stat_clear_snapshot();
                INSERT INTO pg_temp.sampled_statements
                SELECT DISTINCT query FROM pg_catalog.pg_stat_get_activity(NULL::integer)
                 WHERE pid <> pg_catalog.pg_backend_pid() AND query <> ''
                ON CONFLICT DO NOTHING;
                taken := taken + 1;
                now := pg_catalog.clock_timestamp();
                gap := greatest(gap, now - previous);
                previous := now;
                EXIT WHEN now - started > interval '1 second';
              END LOOP;
              UPDATE pg_temp.sampler_progress SET samples = samples + taken, longest_gap = greatest(longest_gap, gap);
            END
            $sample$""";

    private final Connection connection;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile SQLException failure;
    private final long startNanos = System.nanoTime();

    private StatementTextSampler(Connection connection, String name) {
        this.connection = connection;
        this.thread = new Thread(this::sample, "statement-text-sampler-" + name);
        this.thread.setDaemon(true);
    }

    /** Starts sampling {@code server}'s backends (every database) through {@code database}. */
    public static StatementTextSampler start(LocalPostgres server, String database) throws SQLException {
        Connection connection = server.connect(database);
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TEMPORARY TABLE sampled_statements (query text PRIMARY KEY)");
            statement.execute("CREATE TEMPORARY TABLE sampler_progress (samples bigint, longest_gap interval)");
            statement.execute("INSERT INTO sampler_progress VALUES (0, '0')");
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
        StatementTextSampler sampler = new StatementTextSampler(connection, server.name());
        sampler.thread.start();
        return sampler;
    }

    private void sample() {
        try (Statement statement = connection.createStatement()) {
            while (running) {
                statement.execute(CHUNK);
            }
        } catch (SQLException e) {
            failure = e;
        }
    }

    /** Stops sampling (after the running second) and returns what was seen; fails when sampling itself failed. */
    public Samples finish() {
        running = false;
        try {
            thread.join(Duration.ofSeconds(30).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
        try {
            if (failure != null) {
                throw new IllegalStateException("sampling pg_stat_activity failed: " + failure, failure);
            }
            Set<String> texts = new HashSet<>();
            long samples;
            Duration longestGap;
            try (Statement statement = connection.createStatement()) {
                try (ResultSet rows = statement.executeQuery("SELECT query FROM sampled_statements")) {
                    while (rows.next()) {
                        texts.add(rows.getString(1));
                    }
                }
                try (ResultSet rows = statement.executeQuery(
                        "SELECT samples, (extract(epoch FROM longest_gap) * 1000000)::bigint FROM sampler_progress")) {
                    rows.next();
                    samples = rows.getLong(1);
                    longestGap = Duration.ofNanos(rows.getLong(2) * 1000);
                }
            } catch (SQLException e) {
                throw new IllegalStateException("cannot read what the sampler saw: " + e, e);
            }
            return new Samples(Set.copyOf(texts), samples, elapsed, longestGap);
        } finally {
            close();
        }
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
