package io.citus.pgvector.cluster;

import io.citus.pgvector.model.ManagedSetting;
import io.citus.pgvector.model.ManagedSetting.Purpose;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One configuration of the cluster to measure: a shard count for the table and settings that reach every node in the
 * transaction of each query ({@link SearchSession}), no node's configuration changed. Settings a configuration does
 * not name keep the values the cluster has.
 *
 * @param shards shards of the table; null for the cluster's {@code citus.shard_count}
 */
public record BenchConfig(String name, Integer shards, Map<String, String> settings) {

    /**
     * Stock Citus, PostgreSQL and pgvector: Citus's default shard count and the stock default of every tuning setting
     * the chart changes.
     */
    public static final BenchConfig STOCK =
            new BenchConfig("stock", Integer.valueOf(ManagedSetting.CITUS_SHARD_COUNT.stockDefault()), stockSettings());

    /** The cluster as it is configured: on a cluster installed by the chart, the chart's defaults. */
    public static final BenchConfig CLUSTER = new BenchConfig("cluster", null, Map.of());

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+");
    private static final Pattern SETTING = Pattern.compile("[a-z_][a-z0-9_]*(\\.[a-z_][a-z0-9_]*)?");

    public BenchConfig {
        settings = Map.copyOf(settings);
        if (shards != null && (shards < 1 || shards > 4096)) {
            throw new IllegalArgumentException("shards must be between 1 and 4096, got " + shards);
        }
    }

    /** The shard count is the table's, not a setting: it is {@link #shards}. */
    private static Map<String, String> stockSettings() {
        Map<String, String> stock = new LinkedHashMap<>();
        for (ManagedSetting setting : ManagedSetting.of(Purpose.TUNING)) {
            if (setting != ManagedSetting.CITUS_SHARD_COUNT) {
                stock.put(setting.guc(), setting.stockDefault());
            }
        }
        return stock;
    }

    /**
     * Parses {@code stock}, {@code cluster}, or {@code NAME:shards=N,setting=value,...} (e.g.
     * {@code ef200:hnsw.ef_search=200}).
     */
    public static BenchConfig parse(String text) {
        if (text.equals(STOCK.name())) {
            return STOCK;
        }
        if (text.equals(CLUSTER.name())) {
            return CLUSTER;
        }
        int colon = text.indexOf(':');
        if (colon < 1 || !NAME.matcher(text.substring(0, colon)).matches()) {
            throw new IllegalArgumentException(
                    "a configuration is stock, cluster or NAME:shards=N,setting=value,... got \"" + text + "\"");
        }
        String name = text.substring(0, colon);
        Integer shards = null;
        Map<String, String> settings = new LinkedHashMap<>();
        for (String pair : text.substring(colon + 1).split(",")) {
            String[] kv = pair.split("=", 2);
            if (kv.length != 2 || kv[1].isEmpty()) {
                throw new IllegalArgumentException(
                        "configuration " + name + ": expected setting=value, got \"" + pair + "\"");
            }
            String key = kv[0].strip();
            if (key.equals("shards")) {
                try {
                    shards = Integer.parseInt(kv[1].strip());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(
                            "configuration " + name + ": shards must be a number, got \"" + kv[1] + "\"");
                }
            } else if (SETTING.matcher(key).matches()) {
                settings.put(key, kv[1].strip());
            } else {
                throw new IllegalArgumentException("configuration " + name + ": not a setting name: \"" + key + "\"");
            }
        }
        return new BenchConfig(name, shards, settings);
    }

    /** shards and settings, for reports. */
    public String describe() {
        StringBuilder text = new StringBuilder(shards == null ? "shards=cluster" : "shards=" + shards);
        settings.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> text.append(' ').append(e.getKey()).append('=').append(e.getValue()));
        return text.toString();
    }
}
