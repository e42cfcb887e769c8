package io.citus.pgvector.cluster;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What {@code bench} measures: the dataset, the HNSW index, the query load and the configurations to compare.
 *
 * @param table prefix of the tables the run creates: {@code <table>_<shards>} per shard count, {@code <table>_queries}
 * @param keep leave the tables (and reuse them in a later run with the same dataset) instead of dropping them
 * @param secondaryClients how many of the clients read through the read endpoint of replica reads (the workers'
 *     secondaries); with any, recall is measured through it too
 */
public record BenchSpec(
        SyntheticDataset dataset,
        int hnswM,
        int hnswEfConstruction,
        int k,
        int queries,
        int clients,
        Duration warmup,
        Duration duration,
        List<Mode> modes,
        List<BenchConfig> configs,
        String table,
        boolean keep,
        int secondaryClients) {

    /** Router kNN filters on the distribution column and runs on one shard; fan-out kNN runs on every shard. */
    public enum Mode {
        ROUTER("router"),
        FAN_OUT("fan-out");

        private final String label;

        Mode(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        public static Mode parse(String text) {
            for (Mode mode : values()) {
                if (mode.label.equals(text)) {
                    return mode;
                }
            }
            throw new IllegalArgumentException("a mode is router or fan-out, got \"" + text + "\"");
        }
    }

    /** The largest dimension of a {@code vector} column that pgvector's HNSW index accepts. */
    public static final int MAX_HNSW_DIMENSION = 2000;

    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,40}");

    public BenchSpec {
        modes = List.copyOf(modes);
        configs = List.copyOf(configs);
        if (!IDENTIFIER.matcher(table).matches()) {
            throw new IllegalArgumentException("the table prefix must be a lowercase SQL identifier of at most 41"
                    + " characters, got \"" + table + "\"");
        }
        if (dataset.dimension() > MAX_HNSW_DIMENSION) {
            throw new IllegalArgumentException("the dimension must be at most " + MAX_HNSW_DIMENSION
                    + ", the most pgvector's HNSW index takes for a vector column, got " + dataset.dimension());
        }
        if (k < 1 || queries < 1 || clients < 1 || hnswM < 2 || hnswEfConstruction < 4) {
            throw new IllegalArgumentException(
                    "k, queries and clients must be positive, hnsw m at least 2 and ef_construction at least 4");
        }
        if (secondaryClients < 0 || secondaryClients > clients) {
            throw new IllegalArgumentException(
                    "--secondary-clients must be between 0 and the clients (" + clients + "), got " + secondaryClients);
        }
        if (modes.isEmpty() || configs.isEmpty()) {
            throw new IllegalArgumentException("at least one mode and one configuration");
        }
        if (configs.stream().map(BenchConfig::name).distinct().count() != configs.size()) {
            throw new IllegalArgumentException("configuration names must differ");
        }
        if (duration.isNegative() || duration.isZero() || warmup.isNegative()) {
            throw new IllegalArgumentException("the duration must be positive and the warm-up not negative");
        }
    }

    /** The dataset and index, for reports. */
    BenchReport.Workload workload() {
        SyntheticDataset d = dataset;
        Map<String, Object> dataset = new LinkedHashMap<>();
        dataset.put("rows", d.rows());
        dataset.put("dimension", d.dimension());
        dataset.put("channels", d.channels());
        dataset.put("centers", d.centers());
        dataset.put("latent_dimension", d.latentDimension());
        dataset.put("noise", d.noise());
        dataset.put("channel_affinity", d.channelAffinity());
        dataset.put("query_affinity", d.queryAffinity());
        dataset.put("seed", d.seed());
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("type", "hnsw");
        index.put("opclass", "vector_cosine_ops");
        index.put("m", hnswM);
        index.put("ef_construction", hnswEfConstruction);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("dataset", dataset);
        json.put("index", index);
        return new BenchReport.Workload(
                d.signature() + ", HNSW m=" + hnswM + " ef_construction=" + hnswEfConstruction + ", cosine, " + queries
                        + " queries (query_affinity=" + d.queryAffinity() + ")",
                json);
    }

    /** What a kept table must have been built from to be reused. */
    String tableSignature() {
        return dataset.signature() + " hnsw_m=" + hnswM + " hnsw_ef_construction=" + hnswEfConstruction;
    }
}
