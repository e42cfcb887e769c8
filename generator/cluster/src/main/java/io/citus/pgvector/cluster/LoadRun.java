package io.citus.pgvector.cluster;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Concurrent clients running the queries round-robin, each from its own offset, each in its own {@link SearchSession};
 * only queries that start after the warm-up and end before the deadline count.
 */
final class LoadRun {

    /** Runs query {@code index} once in the session. */
    interface Query {
        void run(SearchSession session, int index) throws SQLException;
    }

    /** Completed queries, the measured seconds and every counted latency. */
    record Result(long completed, double seconds, long[] latencies) {
        double qps() {
            return completed / seconds;
        }

        Percentiles latency() {
            return Percentiles.ofNanos(latencies);
        }
    }

    /**
     * What the clients run: the statement, the settings of its sessions and the queries; the first
     * {@code secondaryClients} clients read through the read endpoint of replica reads (the workers' secondaries).
     */
    record Work(
            String sql, Map<String, String> settings, boolean wrap, int queries, Query query, int secondaryClients) {

        Work(String sql, Map<String, String> settings, boolean wrap, int queries, Query query) {
            this(sql, settings, wrap, queries, query, 0);
        }
    }

    private LoadRun() {}

    static Result run(
            ConnectionSettings target,
            Work work,
            int clients,
            Duration warmup,
            Duration duration,
            Progress progress,
            Interruption interruption)
            throws SQLException {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long start = System.nanoTime();
        long measureFrom = start + warmup.toNanos();
        long measureTo = measureFrom + duration.toNanos();
        try {
            List<Future<long[]>> futures = new ArrayList<>();
            for (int client = 0; client < clients; client++) {
                int offset = client * work.queries() / clients;
                boolean secondaries = client < work.secondaryClients();
                futures.add(pool.submit(() -> {
                    long[] latencies = new long[1024];
                    int count = 0;
                    try (SearchSession session = SearchSession.open(
                            target, secondaries, work.settings(), work.wrap(), work.sql(), interruption)) {
                        for (int i = offset; ; i++) {
                            long before = System.nanoTime();
                            if (before >= measureTo) {
                                break;
                            }
                            work.query().run(session, i % work.queries());
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
            for (Future<long[]> future : futures) {
                while (!future.isDone()) {
                    long now = System.nanoTime();
                    if (now - lastReport > 1_000_000_000L) {
                        progress.update("measuring", Math.min(1.0, (double) (now - start) / (measureTo - start)));
                        lastReport = now;
                    }
                    Thread.sleep(100);
                }
                long[] latencies = future.get();
                int from = all.length;
                all = Arrays.copyOf(all, from + latencies.length);
                System.arraycopy(latencies, 0, all, from, latencies.length);
            }
            return new Result(all.length, duration.toNanos() / 1e9, all);
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
