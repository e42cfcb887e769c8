package io.citus.pgvector.cluster;

/**
 * The figures of one configuration and one query mode.
 *
 * @param indexBuildSeconds how long CREATE INDEX took on the table this configuration used; NaN when an earlier
 *                          configuration or run built it
 * @param recall mean recall@k over the queries, each run once
 * @param meanRows mean rows a query returned (k unless the search stops short)
 * @param shortQueries queries that returned fewer than k rows (fewer than the rows that qualify)
 * @param qps queries completed per second by all clients together, after the warm-up
 */
public record BenchResult(
        String config,
        String configuration,
        int shards,
        double indexBuildSeconds,
        String mode,
        int k,
        int queries,
        double recall,
        double meanRows,
        int shortQueries,
        int clients,
        double seconds,
        double qps,
        Percentiles latency) {}
