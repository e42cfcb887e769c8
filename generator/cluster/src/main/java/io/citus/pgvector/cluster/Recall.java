package io.citus.pgvector.cluster;

import io.citus.pgvector.cluster.GroundTruth.Neighbor;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongToDoubleFunction;

/**
 * recall@k of one query: the share of the exact top-k that a search returned. A returned row whose exact distance
 * ties the k-th nearest (within {@link #TOLERANCE}, pgvector computes in single precision) counts as a hit too, so an
 * exact search scores 1 whichever of two equidistant rows it returns. Rows returned twice count once; a search that
 * returns fewer than k rows loses the missing ones.
 */
public final class Recall {

    /** Distances closer than this are ties. */
    public static final double TOLERANCE = 1e-6;

    private Recall() {}

    /**
     * @param returned ids in the order the search returned them
     * @param exact the exact nearest neighbors, nearest first (at most k; fewer when fewer rows qualify)
     * @param exactDistance the exact distance of any row to the query, +infinity for a row that does not qualify
     */
    public static double of(List<Long> returned, List<Neighbor> exact, int k, LongToDoubleFunction exactDistance) {
        int expected = Math.min(k, exact.size());
        if (expected == 0) {
            return 1.0;
        }
        double kth = exact.get(expected - 1).distance();
        Set<Long> truth = new HashSet<>();
        exact.stream().limit(expected).forEach(n -> truth.add(n.id()));
        Set<Long> seen = new HashSet<>();
        int hits = 0;
        for (long id : returned) {
            if (seen.add(id) && (truth.contains(id) || exactDistance.applyAsDouble(id) <= kth + TOLERANCE)) {
                hits++;
            }
        }
        return (double) Math.min(hits, expected) / expected;
    }

    /** The mean of per-query recalls. */
    public static double mean(double[] recalls) {
        if (recalls.length == 0) {
            throw new IllegalArgumentException("no queries");
        }
        double sum = 0;
        for (double recall : recalls) {
            sum += recall;
        }
        return sum / recalls.length;
    }
}
