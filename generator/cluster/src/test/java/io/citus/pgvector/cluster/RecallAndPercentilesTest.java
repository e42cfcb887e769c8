package io.citus.pgvector.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.citus.pgvector.cluster.GroundTruth.Neighbor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The arithmetic behind bench's figures. */
class RecallAndPercentilesTest {

    /** Neighbors 1..n at distances 0.1, 0.2, ... */
    private static List<Neighbor> exact(int n) {
        return LongStream.rangeClosed(1, n)
                .mapToObj(id -> new Neighbor(id, id / 10.0))
                .toList();
    }

    private static double distance(long id) {
        return id / 10.0;
    }

    @Nested
    @DisplayName("recall@k")
    class RecallAtK {

        @Test
        @DisplayName("the exact top-k in any order is 1, half of it 0.5")
        void share() {
            assertThat(Recall.of(List.of(3L, 1L, 2L, 4L), exact(4), 4, RecallAndPercentilesTest::distance))
                    .isEqualTo(1.0);
            assertThat(Recall.of(List.of(1L, 2L, 9L, 8L), exact(4), 4, RecallAndPercentilesTest::distance))
                    .isEqualTo(0.5);
        }

        @Test
        @DisplayName("missing rows count as misses and duplicates count once")
        void shortAndDuplicates() {
            assertThat(Recall.of(List.of(1L, 2L, 3L), exact(10), 10, RecallAndPercentilesTest::distance))
                    .isEqualTo(0.3);
            assertThat(Recall.of(List.of(1L, 1L, 1L, 2L), exact(4), 4, RecallAndPercentilesTest::distance))
                    .isEqualTo(0.5);
        }

        @Test
        @DisplayName("a row tied with the k-th nearest is a hit; a row that does not qualify never is")
        void ties() {
            List<Neighbor> truth = List.of(new Neighbor(1, 0.1), new Neighbor(2, 0.2));
            Map<Long, Double> distances = Map.of(
                    1L,
                    0.1,
                    2L,
                    0.2,
                    7L,
                    0.2 + Recall.TOLERANCE / 2,
                    8L,
                    Double.POSITIVE_INFINITY,
                    9L,
                    0.2 + 2 * Recall.TOLERANCE);
            assertThat(Recall.of(List.of(1L, 7L), truth, 2, distances::get)).isEqualTo(1.0);
            assertThat(Recall.of(List.of(1L, 9L), truth, 2, distances::get)).isEqualTo(0.5);
            assertThat(Recall.of(List.of(8L, 1L), truth, 2, distances::get)).isEqualTo(0.5);
        }

        @Test
        @DisplayName("with fewer qualifying rows than k, returning all of them is 1")
        void fewerRowsThanK() {
            assertThat(Recall.of(List.of(1L, 2L, 3L), exact(3), 10, RecallAndPercentilesTest::distance))
                    .isEqualTo(1.0);
            assertThat(Recall.of(List.of(), List.of(), 10, id -> 0)).isEqualTo(1.0);
        }

        @Test
        @DisplayName("the mean over queries")
        void mean() {
            assertThat(Recall.mean(new double[] {1.0, 0.5, 0.9, 0.6})).isCloseTo(0.75, within(1e-12));
        }
    }

    @Nested
    @DisplayName("latency percentiles (nearest rank)")
    class LatencyPercentiles {

        @Test
        @DisplayName("1..100 ms in any order: p50 = 50, p95 = 95, p99 = 99, mean 50.5")
        void hundred() {
            List<Long> values =
                    new ArrayList<>(LongStream.rangeClosed(1, 100).boxed().toList());
            values.sort(Comparator.comparingLong(v -> (v * 37) % 101));
            long[] nanos = values.stream().mapToLong(ms -> ms * 1_000_000).toArray();
            Percentiles p = Percentiles.ofNanos(nanos);
            assertThat(p.count()).isEqualTo(100);
            assertThat(p.p50Ms()).isEqualTo(50.0);
            assertThat(p.p95Ms()).isEqualTo(95.0);
            assertThat(p.p99Ms()).isEqualTo(99.0);
            assertThat(p.maxMs()).isEqualTo(100.0);
            assertThat(p.meanMs()).isCloseTo(50.5, within(1e-9));
        }

        @Test
        @DisplayName("small samples round the rank up: of 10 values p95 and p99 are the largest, p50 the 5th")
        void ranksRoundUp() {
            long[] ten = LongStream.rangeClosed(1, 10).toArray();
            assertThat(Percentiles.nearestRank(ten, 50)).isEqualTo(5);
            assertThat(Percentiles.nearestRank(ten, 95)).isEqualTo(10);
            assertThat(Percentiles.nearestRank(ten, 99)).isEqualTo(10);
            assertThat(Percentiles.nearestRank(new long[] {7}, 50)).isEqualTo(7);
            assertThat(Percentiles.nearestRank(ten, 100)).isEqualTo(10);
        }

        @Test
        @DisplayName("no samples give no figures")
        void empty() {
            assertThat(Percentiles.ofNanos(new long[0]).p50Ms()).isNaN();
        }
    }

    @Test
    @DisplayName("the exact neighbors equal a sort of every row by distance, over all rows and within the channel")
    void groundTruthIsASort() {
        SyntheticDataset dataset = new SyntheticDataset(7, 3000, 8, 5, 20, 4, 0.5, 0.5, 0.5);
        List<SyntheticDataset.Item> queries = List.of(dataset.query(0), dataset.query(1));
        GroundTruth truth = GroundTruth.compute(dataset, queries, 10, Progress.NONE);
        for (int q = 0; q < queries.size(); q++) {
            SyntheticDataset.Item query = queries.get(q);
            List<SyntheticDataset.Item> rows =
                    LongStream.rangeClosed(1, 3000).mapToObj(dataset::row).toList();
            Comparator<SyntheticDataset.Item> byDistance =
                    Comparator.comparingDouble(r -> SyntheticDataset.cosineDistance(query.vector(), r.vector()));
            assertThat(truth.fanOut().get(q).stream().map(Neighbor::id).toList())
                    .isEqualTo(rows.stream()
                            .sorted(byDistance)
                            .limit(10)
                            .map(SyntheticDataset.Item::id)
                            .toList());
            assertThat(truth.router().get(q).stream().map(Neighbor::id).toList())
                    .isEqualTo(rows.stream()
                            .filter(r -> r.channel() == query.channel())
                            .sorted(byDistance)
                            .limit(10)
                            .map(SyntheticDataset.Item::id)
                            .toList());
        }
        assertThat(dataset.row(17).vector())
                .isEqualTo(new SyntheticDataset(7, 3000, 8, 5, 20, 4, 0.5, 0.5, 0.5)
                        .row(17)
                        .vector());
    }

    @Test
    @DisplayName("the query affinity moves only the queries' channels: a query then asks the channel holding its topic")
    void queryAffinityPicksTheTopicsChannel() {
        // channel affinity 1: a row's channel is its topic's, so the channel of a query's nearest row is its topic's
        SyntheticDataset topical = new SyntheticDataset(11, 2000, 16, 7, 40, 0, 0.05, 1, 1);
        SyntheticDataset scattered = new SyntheticDataset(11, 2000, 16, 7, 40, 0, 0.05, 1, 0);
        List<SyntheticDataset.Item> rows =
                LongStream.rangeClosed(1, 2000).mapToObj(topical::row).toList();
        int differentChannels = 0;
        for (int q = 0; q < 50; q++) {
            SyntheticDataset.Item query = topical.query(q);
            SyntheticDataset.Item nearest = rows.stream()
                    .min(Comparator.comparingDouble(r -> SyntheticDataset.cosineDistance(query.vector(), r.vector())))
                    .orElseThrow();
            assertThat(query.channel()).as("query %d", q).isEqualTo(nearest.channel());
            SyntheticDataset.Item scatteredQuery = scattered.query(q);
            assertThat(scatteredQuery.vector()).isEqualTo(query.vector());
            differentChannels += scatteredQuery.channel() == query.channel() ? 0 : 1;
        }
        assertThat(differentChannels)
                .as("queries of affinity 0 whose channel is not their topic's")
                .isGreaterThan(30);
        assertThat(scattered.row(1234).vector()).isEqualTo(topical.row(1234).vector());
        assertThat(scattered.row(1234).channel()).isEqualTo(topical.row(1234).channel());
    }

    @Test
    @DisplayName("a latent dimension grades the topics: each has near neighbors; independent centers are all far apart")
    void latentDimensionGradesTopics() {
        assertThat(nearestToMedianTopicDistance(8)).isLessThan(0.3);
        assertThat(nearestToMedianTopicDistance(16)).isLessThan(0.5);
        assertThat(nearestToMedianTopicDistance(0)).isGreaterThan(0.7);
    }

    /** Mean over topics of (distance to the nearest other topic / median distance to the others), rows ~ centers. */
    private static double nearestToMedianTopicDistance(int latentDimension) {
        SyntheticDataset dataset = new SyntheticDataset(3, 400, 128, 1, 100, latentDimension, 1e-4, 0, 0);
        List<float[]> topics = new ArrayList<>();
        for (long id = 1; id <= dataset.rows(); id++) {
            float[] vector = dataset.row(id).vector();
            if (topics.stream().allMatch(t -> SyntheticDataset.cosineDistance(t, vector) > 1e-3)) {
                topics.add(vector);
            }
        }
        assertThat(topics).hasSizeGreaterThan(50);
        double sum = 0;
        for (float[] topic : topics) {
            double[] distances = topics.stream()
                    .filter(t -> t != topic)
                    .mapToDouble(t -> SyntheticDataset.cosineDistance(topic, t))
                    .sorted()
                    .toArray();
            sum += distances[0] / distances[distances.length / 2];
        }
        return sum / topics.size();
    }
}
