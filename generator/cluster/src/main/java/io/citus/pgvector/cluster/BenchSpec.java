package io.citus.pgvector.cluster;

import java.time.Duration;
import java.util.List;
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

    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,40}");

    public BenchSpec {
        modes = List.copyOf(modes);
        configs = List.copyOf(configs);
        if (!IDENTIFIER.matcher(table).matches()) {
            throw new IllegalArgumentException("the table prefix must be a lowercase SQL identifier of at most 41"
                    + " characters, got \"" + table + "\"");
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

    /** What a kept table must have been built from to be reused. */
    String tableSignature() {
        return dataset.signature() + " hnsw_m=" + hnswM + " hnsw_ef_construction=" + hnswEfConstruction;
    }
}
