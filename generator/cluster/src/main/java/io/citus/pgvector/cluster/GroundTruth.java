package io.citus.pgvector.cluster;

import io.citus.pgvector.cluster.SyntheticDataset.Item;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.stream.IntStream;

/**
 * Exact top-k neighbors of every query by cosine distance, computed in Java from the generated vectors, independent
 * of the database: over all rows (fan-out) and over the rows of the query's channel (router).
 */
public record GroundTruth(int k, List<List<Neighbor>> fanOut, List<List<Neighbor>> router) {

    /** A row and its exact distance to a query. */
    public record Neighbor(long id, double distance) {}

    private static final int CHUNK = 4096;

    public static GroundTruth compute(SyntheticDataset dataset, List<Item> queries, int k, Progress progress) {
        List<PriorityQueue<Neighbor>> fanOut = new ArrayList<>();
        List<PriorityQueue<Neighbor>> router = new ArrayList<>();
        Comparator<Neighbor> farthestFirst =
                Comparator.comparingDouble(Neighbor::distance).reversed();
        for (int q = 0; q < queries.size(); q++) {
            fanOut.add(new PriorityQueue<>(farthestFirst));
            router.add(new PriorityQueue<>(farthestFirst));
        }
        for (long first = 1; first <= dataset.rows(); first += CHUNK) {
            long last = Math.min(dataset.rows(), first + CHUNK - 1);
            List<Item> chunk = new ArrayList<>();
            for (long id = first; id <= last; id++) {
                chunk.add(dataset.row(id));
            }
            IntStream.range(0, queries.size()).parallel().forEach(q -> {
                Item query = queries.get(q);
                for (Item row : chunk) {
                    double distance = SyntheticDataset.cosineDistance(query.vector(), row.vector());
                    offer(fanOut.get(q), new Neighbor(row.id(), distance), k);
                    if (row.channel() == query.channel()) {
                        offer(router.get(q), new Neighbor(row.id(), distance), k);
                    }
                }
            });
            progress.update("exact neighbors", (double) last / dataset.rows());
        }
        return new GroundTruth(
                k,
                fanOut.stream().map(GroundTruth::sorted).toList(),
                router.stream().map(GroundTruth::sorted).toList());
    }

    private static void offer(PriorityQueue<Neighbor> heap, Neighbor neighbor, int k) {
        if (heap.size() < k) {
            heap.add(neighbor);
        } else if (neighbor.distance() < heap.peek().distance()) {
            heap.poll();
            heap.add(neighbor);
        }
    }

    private static List<Neighbor> sorted(PriorityQueue<Neighbor> heap) {
        return heap.stream()
                .sorted(Comparator.comparingDouble(Neighbor::distance).thenComparingLong(Neighbor::id))
                .toList();
    }
}
