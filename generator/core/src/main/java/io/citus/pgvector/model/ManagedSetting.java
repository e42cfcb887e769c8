package io.citus.pgvector.model;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The catalog of every PostgreSQL setting the chart writes into the nodes' {@code postgresql.parameters} (the
 * {@code citus-pgvector.parameters} helper in {@code _helpers.tpl}; a test proves the two agree): its GUC name, the
 * value that sets it, the roles that get it, how the chart derives it, and the default a node has without the chart.
 * {@code verify}, {@code bench}'s {@code stock} configuration and the tests read the settings from here.
 */
public enum ManagedSetting {
    SHARED_PRELOAD_LIBRARIES(
            "shared_preload_libraries",
            Origin.POSTGRESQL,
            Purpose.PLATFORM,
            "",
            "",
            "fixed: citus first, then the libraries Spilo's first boot needs (pg_auth_mon, pg_cron, ...)",
            Role.EVERY),
    WAL_LEVEL(
            "wal_level",
            Origin.POSTGRESQL,
            Purpose.PLATFORM,
            "",
            "replica",
            "fixed, so shards move online by logical replication",
            Role.EVERY),
    MAX_PREPARED_TRANSACTIONS(
            "max_prepared_transactions",
            Origin.POSTGRESQL,
            Purpose.PLATFORM,
            "",
            "0",
            "fixed, above 0 for Citus's two-phase commits across nodes",
            Role.EVERY),
    CITUS_LOCAL_HOSTNAME(
            "citus.local_hostname",
            Origin.CITUS,
            Purpose.PLATFORM,
            "",
            "localhost",
            "fixed: Spilo's socket folder, so a node reaches itself without TLS or a password",
            Role.EVERY),
    CITUS_SHARD_COUNT(
            "citus.shard_count",
            Origin.CITUS,
            Purpose.TUNING,
            "citus.shardCount",
            "32",
            "the value, or 0: workers.count x citus.shardsPerWorker (1: each shard of a fan-out kNN query is a whole"
                    + " HNSW search, so one shard per worker is the cheapest layout; docs/performance.md)",
            Role.EVERY),
    CITUS_MAX_CACHED_CONNS_PER_WORKER(
            "citus.max_cached_conns_per_worker",
            Origin.CITUS,
            Purpose.TUNING,
            "citus.maxCachedConnsPerWorker",
            "1",
            "the value, or 0: the shards on the busiest worker, ceil(shard count / workers.count)",
            Role.EVERY),
    CITUS_MAX_ADAPTIVE_EXECUTOR_POOL_SIZE(
            "citus.max_adaptive_executor_pool_size",
            Origin.CITUS,
            Purpose.TUNING,
            "",
            "16",
            "citus.max_cached_conns_per_worker: a multi-shard query uses at most the connections a worker keeps"
                    + " cached, never opening one it closes afterwards",
            Role.EVERY),
    HNSW_EF_SEARCH(
            "hnsw.ef_search", Origin.PGVECTOR, Purpose.TUNING, "vector.hnswEfSearch", "40", "the value", Role.EVERY),
    HNSW_ITERATIVE_SCAN(
            "hnsw.iterative_scan",
            Origin.PGVECTOR,
            Purpose.TUNING,
            "vector.hnswIterativeScan",
            "off",
            "the value",
            Role.EVERY),
    MAINTENANCE_WORK_MEM(
            "maintenance_work_mem",
            Origin.POSTGRESQL,
            Purpose.TUNING,
            "",
            "64MB",
            "a quarter of the role's memory request shared by the index builds that run at once (a worker: one per"
                    + " shard it holds; the coordinator: one), between 64MB and 8GB",
            Role.EVERY),
    MAX_PARALLEL_MAINTENANCE_WORKERS(
            "max_parallel_maintenance_workers",
            Origin.POSTGRESQL,
            Purpose.TUNING,
            "",
            "2",
            "the role's CPU request (cores, rounded up), at most 8",
            Role.EVERY),
    MAX_WORKER_PROCESSES(
            "max_worker_processes",
            Origin.POSTGRESQL,
            Purpose.PLATFORM,
            "",
            "8",
            "unless set in the parameters: 5 background workers that always run (bg_mon, pg_cron, the logical"
                    + " replication launcher, Citus's maintenance daemon and task queue monitor) +"
                    + " citus.max_background_task_executors_per_node (1) + max_logical_replication_workers (4) +"
                    + " max_parallel_workers (8), each as the parameters set it: 18 by default",
            Role.EVERY);

    /** Who defines the setting, and so its stock default. */
    public enum Origin {
        POSTGRESQL,
        CITUS,
        PGVECTOR
    }

    /** Why the chart sets it. */
    public enum Purpose {
        /** What Citus needs on Spilo; a node without it does not work as part of the cluster. */
        PLATFORM,
        /** Sizing and query behaviour: a node without it works, slower or with lower recall. */
        TUNING
    }

    /** The chart's {@code postgresql} resources of one kind, named as their values key. */
    public enum Role {
        COORDINATOR("coordinator"),
        WORKERS("workers");

        public static final Set<Role> EVERY = Set.of(values());

        private final String valuesKey;

        Role(String valuesKey) {
            this.valuesKey = valuesKey;
        }

        public String valuesKey() {
            return valuesKey;
        }
    }

    private final String guc;
    private final Origin origin;
    private final Purpose purpose;
    private final String valuesKey;
    private final String stockDefault;
    private final String derivation;
    private final Set<Role> roles;

    ManagedSetting(
            String guc,
            Origin origin,
            Purpose purpose,
            String valuesKey,
            String stockDefault,
            String derivation,
            Set<Role> roles) {
        this.roles = roles;
        this.guc = guc;
        this.origin = origin;
        this.purpose = purpose;
        this.valuesKey = valuesKey;
        this.stockDefault = stockDefault;
        this.derivation = derivation;
    }

    /** The parameter name, as in postgresql.conf and {@code SHOW}. */
    public String guc() {
        return guc;
    }

    public Origin origin() {
        return origin;
    }

    public Purpose purpose() {
        return purpose;
    }

    /** The values key that sets it, or "" when the chart fixes or derives it from sizes alone. */
    public String valuesKey() {
        return valuesKey;
    }

    /** The value a node has without the chart: PostgreSQL's, Citus's or pgvector's built-in default. */
    public String stockDefault() {
        return stockDefault;
    }

    /** How the chart computes the value. */
    public String derivation() {
        return derivation;
    }

    /** The roles whose {@code postgresql} resources carry it. */
    public Set<Role> roles() {
        return roles;
    }

    public static List<ManagedSetting> all() {
        return List.of(values());
    }

    public static List<ManagedSetting> of(Origin origin) {
        return Arrays.stream(values()).filter(s -> s.origin == origin).toList();
    }

    public static List<ManagedSetting> of(Purpose purpose) {
        return Arrays.stream(values()).filter(s -> s.purpose == purpose).toList();
    }

    public static List<String> gucs(List<ManagedSetting> settings) {
        return settings.stream().map(ManagedSetting::guc).toList();
    }
}
