package io.citus.pgvector.cluster;

import java.util.Arrays;

/** Latency percentiles by the nearest-rank method: the p-th percentile is the ceil(p/100 * n)-th smallest value. */
public record Percentiles(long count, double meanMs, double p50Ms, double p95Ms, double p99Ms, double maxMs) {

    public static Percentiles ofNanos(long[] nanos) {
        if (nanos.length == 0) {
            return new Percentiles(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        double sum = 0;
        for (long n : sorted) {
            sum += n;
        }
        return new Percentiles(
                sorted.length,
                sum / sorted.length / 1e6,
                nearestRank(sorted, 50) / 1e6,
                nearestRank(sorted, 95) / 1e6,
                nearestRank(sorted, 99) / 1e6,
                sorted[sorted.length - 1] / 1e6);
    }

    /** The p-th percentile (0 < p <= 100) of ascending values. */
    public static long nearestRank(long[] ascending, double p) {
        if (ascending.length == 0 || p <= 0 || p > 100) {
            throw new IllegalArgumentException("need values and 0 < p <= 100");
        }
        int rank = (int) Math.ceil(p * ascending.length / 100);
        return ascending[Math.max(rank, 1) - 1];
    }
}
