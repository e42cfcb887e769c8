package io.citus.pgvector.model;

import java.util.List;
import java.util.Map;

/**
 * The chart's values: what a platform engineer tunes at install time. The generator writes these defaults into the
 * chart's values.yaml, derives values.schema.json from these types, and validates every values file against them.
 * Component names are the YAML keys.
 */
public record Values(
        @Doc("Overrides the chart name in labels.") @Formatted(value = Format.DNS_LABEL, optional = true)
        String nameOverride,
        @Doc("Prefix of every resource name instead of the release name: release `citus` gives `citus-coordinator`,"
                + " `citus-worker-1`, ... At most 39 characters so the operator's suffixes fit in 63.")
        @Formatted(value = Format.DNS_LABEL, optional = true)
        String fullnameOverride,
        @Doc("Team ID written to every `postgresql` resource (`spec.teamId`).") @Formatted(Format.DNS_LABEL)
        String teamId,
        @Doc("The Zalando Postgres Operator that runs the clusters.")
        Operator operator,
        @Doc("The Spilo image with Citus and pgvector (built from docker/Dockerfile.spilo-citus-pgvector).")
        Image image,
        @Doc("PostgreSQL settings shared by the coordinator and the workers.")
        Postgresql postgresql,
        @Doc("The database that holds the distributed tables.")
        Database database,
        @Doc("Superuser credentials, identical on every cluster because Citus nodes connect to each other as it.")
        Superuser superuser,
        @Doc("Citus settings applied on every node.")
        Citus citus,
        @Doc("pgvector settings applied on every node, so distributed kNN queries return k rows at high recall.")
        Vector vector,
        @Doc("The coordinator cluster: receives queries and holds Citus metadata.")
        Coordinator coordinator,
        @Doc("The worker clusters: each holds a share of the shards.")
        Workers workers,
        @Doc("The registrar sidecar in every worker pod: registers the worker with the coordinator and keeps it"
                + " registered.")
        Registrar registrar,
        @Doc("Logical backups and WAL archiving (off by default).")
        Backup backup,
        @Doc("An optional operator ConfigMap. The operator reads it only when its `CONFIG_MAP_NAME` points at it;"
                + " the clusters work without it.")
        OperatorConfigMap operatorConfigMap,
        @Doc("Hook Jobs that keep every row when `workers.count` changes or the release is uninstalled.")
        Scaling scaling,
        @Doc("The `helm test` pod: proves the cluster answers router and fan-out kNN queries on every worker.")
        HelmTest helmTest) {

    /** Longest release-derived prefix: "-coordinator-pooler-repl" and "-worker-NNN-pooler-repl" must still fit in 63. */
    public static final int MAX_FULLNAME_LENGTH = 39;

    public record Operator(
            @Doc("Its release line: `2.0` for v2.x, `1.15` for v1.15.x. The two accept different `postgresql`"
                    + " fields, and the API server silently drops a field the installed line does not know.")
            @OneOf({"2.0", "1.15"})
            String line) {
    }

    public record Image(
            @Doc("Image repository.") @Formatted(Format.IMAGE_REPOSITORY)
            String repository,
            @Doc("Image tag; empty means the chart's appVersion.") @Formatted(value = Format.IMAGE_TAG, optional = true)
            String tag) {
    }

    public record Postgresql(
            @Doc("PostgreSQL major version; the image must ship it (the default image: 17; the PostgreSQL 18 build"
                    + " with Citus 14: 18).")
            @OneOf({"17", "18"})
            String version,
            @Doc("Extra PostgreSQL parameters for every cluster; they override the chart's own.")
            Map<String, String> parameters) {
    }

    public record Database(
            @Doc("Name of the database where the `citus` and `vector` extensions are created.")
            @Formatted(Format.DNS_LABEL)
            String name) {
    }

    public record Superuser(
            @Doc("Superuser password for every cluster. Empty generates one at install and keeps it on upgrades.")
            String password) {
    }

    public record Citus(
            @Doc("Shards of a new distributed table (`citus.shard_count`); 0 derives workers.count x the workers'"
                    + " CPU request, so each worker CPU serves one shard of a fan-out query.")
            @Range(min = 0, max = 4096)
            Integer shardCount,
            @Doc("Cached connections per worker (`citus.max_cached_conns_per_worker`); 0 derives the shards per"
                    + " worker, so fan-out queries reuse connections.")
            @Range(min = 0, max = 1024)
            Integer maxCachedConnsPerWorker) {
    }

    public record Vector(
            @Doc("`hnsw.ef_search`: candidates an HNSW scan keeps; higher gives better recall, lower faster queries.")
            @Range(min = 1, max = 1000)
            Integer hnswEfSearch,
            @Doc("`hnsw.iterative_scan`: lets filtered HNSW queries scan on until they find k rows.")
            @OneOf({"off", "relaxed_order", "strict_order"})
            String hnswIterativeScan) {
    }

    public record Coordinator(
            @Doc("Pods of the coordinator's Patroni cluster (1 primary + replicas).") @Range(min = 1, max = 10)
            Integer instances,
            @Doc("Pod resources of the coordinator.")
            Resources resources,
            @Doc("Volume of each coordinator pod.")
            Volume volume,
            @Doc("PostgreSQL parameters only for the coordinator.")
            Map<String, String> parameters,
            @Doc("Scheduling of the coordinator pods.")
            Scheduling scheduling) {
    }

    public record Workers(
            @Doc("Number of worker clusters. Scale with `helm upgrade --set workers.count=N`.")
            @Range(min = 1, max = 256)
            Integer count,
            @Doc("Pods of each worker's Patroni cluster (1 primary + replicas).") @Range(min = 1, max = 10)
            Integer instances,
            @Doc("Pod resources of each worker.")
            Resources resources,
            @Doc("Volume of each worker pod.")
            Volume volume,
            @Doc("PostgreSQL parameters only for the workers.")
            Map<String, String> parameters,
            @Doc("Scheduling of the worker pods.")
            Scheduling scheduling) {
    }

    public record Registrar(
            @Doc("Registrar image; empty repository or tag means the clusters' image, which has bash and psql.")
            ImageOverride image,
            @Doc("Seconds between two checks of the worker's registration.") @Range(min = 5, max = 3600)
            Integer intervalSeconds,
            @Doc("Resources of the registrar container.") Resources resources) {
    }

    /** An image that defaults, part by part, to the clusters' image. */
    public record ImageOverride(
            @Doc("Image repository; empty for `image.repository`.")
            @Formatted(value = Format.IMAGE_REPOSITORY, optional = true)
            String repository,
            @Doc("Image tag; empty for the clusters' tag.") @Formatted(value = Format.IMAGE_TAG, optional = true)
            String tag) {
    }

    public record Resources(
            @Doc("Guaranteed resources.") ResourceList requests,
            @Doc("Upper bounds.") ResourceList limits) {
    }

    public record ResourceList(
            @Doc("CPU, e.g. 500m or 2.") @Formatted(Format.CPU) String cpu,
            @Doc("Memory, e.g. 512Mi or 8Gi.") @Formatted(Format.MEMORY) String memory) {
    }

    public record Volume(
            @Doc("Size of the data volume.") @Formatted(Format.MEMORY) String size,
            @Doc("Storage class; empty uses the cluster's default.") String storageClass) {
    }

    public record Scheduling(
            @Doc("Tolerations of the pods.") List<Map<String, Object>> tolerations,
            @Doc("Node affinity of the pods (`spec.nodeAffinity` of the operator).") Map<String, Object> nodeAffinity,
            @Doc("Topology spread constraints of the pods.") List<Map<String, Object>> topologySpreadConstraints,
            @Doc("Priority class of the pods; empty for none.") String priorityClassName,
            @Doc("Annotations of the pods.") Map<String, String> podAnnotations) {
    }

    public record Backup(
            @Doc("The operator's logical backups (`pg_dumpall` to the bucket set in the operator configuration).")
            LogicalBackup logical,
            @Doc("Continuous WAL archiving and base backups with WAL-G, for point-in-time recovery.")
            WalBackup wal) {
    }

    public record LogicalBackup(
            @Doc("Run logical backups of every cluster.") Boolean enabled,
            @Doc("When, as 5-field cron in UTC.") @Formatted(Format.CRON) String schedule,
            @Doc("How long the operator keeps them, e.g. \"3 months\"; empty keeps the operator's setting.")
            String retention) {
    }

    public record WalBackup(
            @Doc("Archive WAL and take base backups with WAL-G.") Boolean enabled,
            @Doc("Object store.") @OneOf({"s3", "gcs"}) String provider,
            @Doc("Bucket.") @Formatted(value = Format.S3_BUCKET, optional = true) String bucket,
            @Doc("Path inside the bucket; each cluster writes below `<prefix>/<cluster name>`.")
            @Formatted(value = Format.OBJECT_PREFIX, optional = true)
            String prefix,
            @Doc("S3 region (`AWS_REGION`).") String region,
            @Doc("S3 endpoint for S3-compatible stores such as MinIO; empty for AWS.") String endpoint,
            @Doc("Use path-style S3 URLs (most S3-compatible stores need it).") Boolean forcePathStyle,
            @Doc("When to take a base backup, as 5-field cron in UTC.") @Formatted(Format.CRON) String schedule,
            @Doc("Base backups to keep.") @Range(min = 1, max = 365) Integer retain,
            @Doc("Secret with the store's credentials.") CredentialsSecret credentialsSecret) {
    }

    public record CredentialsSecret(
            @Doc("Name of the Secret, in the release namespace.") @Formatted(value = Format.DNS_LABEL, optional = true)
            String name,
            @Doc("S3: key holding the access key ID.") String accessKeyIdKey,
            @Doc("S3: key holding the secret access key.") String secretAccessKeyKey,
            @Doc("GCS: key holding the service account JSON.") String serviceAccountKey) {
    }

    public record Scaling(
            @Doc("Run the scaling hooks. Before `helm upgrade` deletes workers (lower `workers.count`), a Job drains"
                    + " them and removes them from Citus, and stops the upgrade if it cannot; after an upgrade, a Job"
                    + " waits until all `workers.count` workers are active and rebalances. Off: lowering"
                    + " `workers.count` deletes the workers with their volumes and shards.")
            Boolean hooks,
            @Doc("Seconds a hook Job may run (drain, wait for workers, rebalance). `helm upgrade --timeout` must be"
                    + " at least as long, or Helm gives up first.")
            @Range(min = 60, max = 86400)
            Integer timeoutSeconds,
            @Doc("After an upgrade, move shards onto new workers (`citus_rebalance_start`) and wait for the moves.")
            Boolean rebalanceOnScaleUp,
            @Doc("How shards move: `auto` (logical replication; tables need a primary key or replica identity),"
                    + " `force_logical`, or `block_writes` (blocks writes to a shard while it moves).")
            @OneOf({"auto", "force_logical", "block_writes"})
            String shardTransferMode,
            @Doc("A pre-delete hook refuses `helm uninstall` while the coordinator's database holds tables, because"
                    + " the operator deletes every cluster's volumes with it. Drop the tables (or set this to false)"
                    + " to uninstall on purpose.")
            Boolean guardUninstall,
            @Doc("Image of the hook Jobs and the `helm test` pod; empty repository or tag means the clusters' image,"
                    + " which has bash and psql.")
            ImageOverride image,
            @Doc("Resources of the hook and test containers.")
            Resources resources) {
    }

    public record HelmTest(
            @Doc("Render the `helm test` pod (`helm test <release>`).") Boolean enabled) {
    }

    public record OperatorConfigMap(
            @Doc("Render the ConfigMap.") Boolean create,
            @Doc("Its name: what the operator's `CONFIG_MAP_NAME` names. Must differ from the operator Helm"
                    + " chart's own objects.")
            @Formatted(Format.DNS_LABEL)
            String name,
            @Doc("Its namespace; empty for the release namespace.") @Formatted(value = Format.DNS_LABEL, optional = true)
            String namespace,
            @Doc("Extra operator settings (snake_case keys) merged over the chart's.") Map<String, String> data) {
    }
}
