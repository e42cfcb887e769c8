package io.citus.pgvector.model;

import java.util.List;
import java.util.Map;

/**
 * The chart's values: what a platform engineer tunes at install time. Each value's built-in default is written beside
 * it ({@link Default}); the generator writes them into the chart's values.yaml, derives values.schema.json from these
 * types, and validates every values file against them. Component names are the YAML keys.
 */
public record Values(
        @Doc("Overrides the chart name in labels.") @Formatted(value = Format.DNS_LABEL, optional = true)
        String nameOverride,

        @Doc("Prefix of every resource name instead of the release name: release `citus` gives `citus-coordinator`,"
                + " `citus-worker-1`, ... At most 39 characters so the operator's suffixes fit in 63.")
        @Formatted(value = Format.DNS_LABEL, optional = true)
        String fullnameOverride,

        @Doc("Labels added to every object the chart renders (the operator copies a `postgresql` resource's labels"
                + " to its pods only for the keys in its `inherited_labels`).")
        Map<String, String> commonLabels,

        @Doc("Labels added to the pods the chart itself runs: the hook Jobs' and the `helm test` pod.")
        Map<String, String> podLabels,

        @Doc("Names of Secrets (type kubernetes.io/dockerconfigjson) in the release namespace to pull images with,"
                + " for the hook Jobs and the `helm test` pod. The clusters' pods pull with the operator's pod service"
                + " account (`pod_service_account_name`): give that account the same `imagePullSecrets`.")
        @Formatted(Format.DNS_SUBDOMAIN)
        List<String> imagePullSecrets,

        @Doc("Team ID written to every `postgresql` resource (`spec.teamId`).")
        @Formatted(Format.DNS_LABEL)
        @Default("citus")
        String teamId,

        @Doc("The Zalando Postgres Operator that runs the clusters.")
        Operator operator,

        @Doc("The Spilo image with Citus and pgvector (built from docker/Dockerfile.spilo-citus-pgvector).")
        Image image,

        @Doc("PostgreSQL settings shared by the coordinator and the workers.")
        Postgresql postgresql,

        @Doc("Patroni's timing on every cluster (`spec.patroni`): how fast a lost primary is replaced.")
        Patroni patroni,

        @Doc("The database that holds the distributed tables.")
        Database database,

        @Doc("Superuser credentials, identical on every cluster because Citus nodes connect to each other as it.")
        Superuser superuser,

        @Doc("Roles your applications log in as. The registrars create each on the coordinator and every worker"
                + " with LOGIN and nothing else (grant what it needs yourself: see Application roles in docs/user-guide.md),"
                + " keep its password the one of its Secret, and store it in `pg_dist_authinfo` on every node, where"
                + " Citus looks for it when it runs the role's distributed queries on the workers. Not in the"
                + " operator's `users`, which would give the role another password per cluster. For example"
                + " `[{name: app}, {name: search, existingSecret: {name: search-db}}]`.")
        List<ApplicationRole> applicationRoles,

        @Doc("Citus settings applied on every node.") Citus citus,

        @Doc("pgvector settings applied on every node, so distributed kNN queries return k rows at high recall.")
        Vector vector,

        @Doc("The coordinator cluster: receives queries and holds Citus metadata.")
        Coordinator coordinator,

        @Doc("The worker clusters: each holds a share of the shards.")
        Workers workers,

        @Doc("The registrar sidecar in every worker pod: registers the worker with the coordinator and keeps it"
                + " registered.")
        Registrar registrar,

        @Doc("Logical backups, WAL archiving (off by default) and Citus restore points.")
        Backup backup,

        @Doc("Create this release as a copy of another release's clusters at one Citus restore point: every"
                + " `postgresql` resource is rendered as a clone (`spec.clone`) of its source cluster, recovered from"
                + " the source's WAL archive to that node's recovery target of the point. See docs/backup-restore.md.")
        Restore restore,

        @Doc("An optional operator ConfigMap. The operator reads it only when its `CONFIG_MAP_NAME` points at it;"
                + " the clusters work without it.")
        OperatorConfigMap operatorConfigMap,

        @Doc("Hook Jobs that keep every row when `workers.count` changes or the release is uninstalled.")
        Scaling scaling,

        @Doc("The `helm test` pod: proves the cluster answers router and fan-out kNN queries on every worker.")
        HelmTest helmTest,

        @Doc("The operator's connection pooler (PgBouncer) in front of the coordinator; workers never get one.")
        Pooler pooler,

        @Doc("A postgres_exporter sidecar on every cluster, Prometheus Operator scrape config and alerts, and a Grafana"
                + " dashboard.")
        Metrics metrics,

        @Doc("Your own server certificates through the operator's `spec.tls`, and server verification by the chart's"
                + " scripts (`sslmode=verify-full`) when a CA is given.")
        Tls tls,

        @Doc("NetworkPolicies that let only the release, the operator, the pooler and the sources listed here reach"
                + " PostgreSQL, and only the release and the operator reach Patroni's REST API (off by default).")
        NetworkPolicy networkPolicy,

        @Doc("Access from outside Kubernetes to the coordinator (and its pooler) through the operator's own Service"
                + " fields; workers are never exposed.")
        ExternalAccess externalAccess) {

    /** Longest release-derived prefix: "-coordinator-pooler-repl" and "-worker-NNN-pooler-repl" must still fit in 63. */
    public static final int MAX_FULLNAME_LENGTH = 39;

    public record Operator(
            @Doc("Its release line: `2.0` for v2.x, `1.15` for v1.15.x. The two accept different `postgresql`"
                    + " fields, and the API server silently drops a field the installed line does not know.")
            @OneOf({"2.0", "1.15"})
            @Default("2.0")
            String line) {}

    public record Image(
            @Doc("Image repository.")
            @Formatted(Format.IMAGE_REPOSITORY)
            @Default("ghcr.io/citus-pgvector/spilo-citus-pgvector")
            String repository,

            @Doc("Image tag; empty means the chart's appVersion.") @Formatted(value = Format.IMAGE_TAG, optional = true)
            String tag,

            @Doc("CPU architecture the image is built for (Citus publishes amd64 packages only): every pod of the"
                    + " release needs a node labelled `kubernetes.io/arch` with it, a rule added to each term of the"
                    + " roles' `nodeAffinity` that names no `kubernetes.io/arch` itself. Empty adds no rule (an image"
                    + " built for several architectures).")
            @Formatted(value = Format.DNS_LABEL, optional = true)
            @Default("amd64")
            String architecture) {}

    public record Postgresql(
            @Doc("PostgreSQL major version; the image must ship it (the default image: 17; the PostgreSQL 18 build"
                    + " with Citus 14: 18).")
            @OneOf({"17", "18"})
            @Default("17")
            String version,

            @Doc("Extra PostgreSQL parameters for every cluster; they override the chart's own.")
            Map<String, String> parameters) {}

    public record Database(
            @Doc("Name of the database where the `citus` and `vector` extensions are created.")
            @Formatted(Format.DNS_LABEL)
            @Default("postgres")
            String name) {}

    public record Superuser(
            @Doc("Superuser password for every cluster. Empty: `existingSecret`'s, else keep the one the clusters"
                    + " have, else (first install) generate one; a render without a cluster (GitOps) needs this or"
                    + " `existingSecret`. A `helm upgrade` that would change the password the clusters have is"
                    + " refused: see Rotating the superuser password in docs/user-guide.md.")
            String password,

            @Doc("A Secret in the release namespace that holds the superuser password, kept out of the values (GitOps:"
                    + " renders need no cluster). A pre-install/pre-upgrade hook Job copies it into each cluster's"
                    + " credentials Secret before the operator creates the cluster, and fails, changing nothing, when"
                    + " one holds another password.")
            ExistingSecret existingSecret) {}

    public record ApplicationRole(
            @Doc("Role name: a lowercase PostgreSQL identifier (a-z, 0-9, '_', not starting with a digit, at most 63"
                    + " characters), not starting with `pg_` and not one of the roles of PostgreSQL, Spilo and the"
                    + " operator (" + ApplicationRole.RESERVED_TEXT + ").")
            @Formatted(Format.ROLE_NAME)
            String name,

            @Doc("A Secret in the release namespace that holds the role's password, mounted into the registrars: a"
                    + " changed password is applied within a few minutes, with no restart. Empty name: the chart"
                    + " generates a password and keeps it across upgrades in Secret `<release>-application-roles`"
                    + " (under the role's name), like the superuser's.")
            ExistingSecret existingSecret,

            @Doc(
                    "Replica reads: the role may set `citus.use_secondary_nodes` when it connects (`options=-c"
                            + " citus.use_secondary_nodes=always` in its connection string), so its queries read each worker's"
                            + " standby (its Citus secondary) instead of its primary, and its transactions are read-only"
                            + " (`default_transaction_read_only`). Reads may lag the primary: see Replica reads in docs/user-guide.md.")
            @Default("false")
            Boolean replicaReads) {

        /**
         * Roles an application role must not be, for the documentation (an annotation takes constants only):
         * PostgreSQL's pseudo-roles, the operator's superuser, replication, pooler and team roles, Spilo's first-boot
         * roles. Any name starting with {@link #RESERVED_PREFIX} is PostgreSQL's too.
         */
        static final String RESERVED_TEXT = "postgres, standby, pooler, zalandos, admin, robot_zmon, cron_admin,"
                + " public, none, current_role, current_user, session_user";

        public static final List<String> RESERVED = List.of(RESERVED_TEXT.split(", "));

        /** PostgreSQL reserves role names with this prefix. */
        public static final String RESERVED_PREFIX = "pg_";
    }

    public record ExistingSecret(
            @Doc("Name of the Secret; empty for none.") @Formatted(value = Format.DNS_SUBDOMAIN, optional = true)
            String name,

            @Doc("Key of the password in it.") @Formatted(Format.FILE_NAME) @Default("password")
            String key) {}

    public record Patroni(
            @Doc("`ttl`: seconds the primary's leader lock lasts without renewal; a lost primary is replaced after"
                    + " about this long. At least `loopWait` + 2 x `retryTimeout`, and at least 20 (the image's"
                    + " Patroni 4 silently raises anything lower to 20). See docs/reliability.md.")
            @Range(min = 20, max = 600)
            @Default("30")
            Integer ttl,

            @Doc("`loop_wait`: seconds between two runs of Patroni's loop.") @Range(min = 1, max = 300) @Default("10")
            Integer loopWait,

            @Doc("`retry_timeout`: seconds Patroni retries the Kubernetes API and PostgreSQL before it demotes"
                    + " the primary: a Kubernetes API outage longer than this stops writes on every cluster of the"
                    + " release at once. At least 3 (Patroni 4's minimum).")
            @Range(min = 3, max = 300)
            @Default("10")
            Integer retryTimeout) {}

    public record ClusterPatroni(
            @Doc("`synchronous_mode`: with 2 or more instances, a commit returns only once a replica has it, so a"
                    + " failover loses no acknowledged write (asynchronous replication can lose a worker's part of a"
                    + " distributed transaction the coordinator reported committed). Costs write latency and"
                    + " throughput: see docs/reliability.md. Off with 1 instance.")
            @Default("true")
            Boolean synchronousMode,

            @Doc("`synchronous_mode_strict`: with `synchronousMode`, block writes while no replica is in sync instead"
                    + " of going on unreplicated.")
            @Default("false")
            Boolean synchronousModeStrict) {}

    public record Citus(
            @Doc("Shards of a new distributed table (`citus.shard_count`); 0 derives workers.count x"
                    + " `shardsPerWorker`.")
            @Range(min = 0, max = 4096)
            @Default("0")
            Integer shardCount,

            @Doc("Shards per worker when `shardCount` is 0. Every shard of a fan-out kNN query runs its own HNSW"
                    + " search, which costs about as much on a small shard as on a large one, so more shards multiply"
                    + " the CPU of every fan-out query: 1 is the cheapest (docs/performance.md). Raise it when most"
                    + " queries filter on the distribution column (tenants): a router query searches one shard, and"
                    + " smaller shards hold fewer other tenants' rows for its filtered scan to skip.")
            @Range(min = 1, max = 64)
            @Default("1")
            Integer shardsPerWorker,

            @Doc("Cached connections per worker (`citus.max_cached_conns_per_worker`); 0 derives the shards per"
                    + " worker, so fan-out queries reuse connections.")
            @Range(min = 0, max = 1024)
            @Default("0")
            Integer maxCachedConnsPerWorker) {}

    public record Vector(
            @Doc("`hnsw.ef_search`: candidates an HNSW scan keeps; higher gives better recall, lower faster queries.")
            @Range(min = 1, max = 1000)
            @Default("100")
            Integer hnswEfSearch,

            @Doc("`hnsw.iterative_scan`: lets filtered HNSW queries scan on until they find k rows.")
            @OneOf({"off", "relaxed_order", "strict_order"})
            @Default("relaxed_order")
            String hnswIterativeScan) {}

    public record Coordinator(
            @Doc("Pods of the coordinator's Patroni cluster (1 primary + replicas).")
            @Range(min = 1, max = 10)
            @Default("2")
            Integer instances,

            @Doc("Pod resources of the coordinator.")
            @Default("{requests: {cpu: '1', memory: 2Gi}, limits: {cpu: '2', memory: 4Gi}}")
            Resources resources,

            @Doc("Volume of each coordinator pod.") @Default("{size: 10Gi}")
            Volume volume,

            @Doc("PostgreSQL parameters only for the coordinator.")
            Map<String, String> parameters,

            @Doc("Replication of the coordinator's Patroni cluster.")
            ClusterPatroni patroni,

            @Doc("Scheduling of the coordinator pods.") Scheduling scheduling) {}

    public record Workers(
            @Doc("Number of worker clusters. Scale with `helm upgrade --set workers.count=N`.")
            @Range(min = 1, max = 256)
            @Default("2")
            Integer count,

            @Doc("Pods of each worker's Patroni cluster (1 primary + replicas).")
            @Range(min = 1, max = 10)
            @Default("2")
            Integer instances,

            @Doc("Pod resources of each worker.")
            @Default("{requests: {cpu: '2', memory: 4Gi}, limits: {cpu: '4', memory: 8Gi}}")
            Resources resources,

            @Doc("Volume of each worker pod.") @Default("{size: 50Gi}")
            Volume volume,

            @Doc("PostgreSQL parameters only for the workers.")
            Map<String, String> parameters,

            @Doc("Replication of each worker's Patroni cluster.")
            ClusterPatroni patroni,

            @Doc("Scheduling of the worker pods.") Scheduling scheduling) {}

    public record Registrar(
            @Doc("Registrar image; empty repository or tag means the clusters' image, which has bash and psql.")
            ImageOverride image,

            @Doc("Seconds between two checks of the worker's registration.") @Range(min = 5, max = 3600) @Default("30")
            Integer intervalSeconds,

            @Doc("Seconds the registrar leaves the operator to create the `citus` and `vector` extensions"
                    + " (`preparedDatabases`) on a cluster before it creates them itself; creating them at the same"
                    + " moment as the operator would make the operator's attempt fail until its next sync.")
            @Range(min = 0, max = 3600)
            @Default("300")
            Integer extensionGraceSeconds,

            @Doc("Resources of the registrar container.")
            @Default("{requests: {cpu: 10m, memory: 32Mi}, limits: {cpu: 200m, memory: 64Mi}}")
            Resources resources) {}

    /** An image that defaults, part by part, to the clusters' image. */
    public record ImageOverride(
            @Doc("Image repository; empty for `image.repository`.")
            @Formatted(value = Format.IMAGE_REPOSITORY, optional = true)
            String repository,

            @Doc("Image tag; empty for the clusters' tag.") @Formatted(value = Format.IMAGE_TAG, optional = true)
            String tag) {}

    public record Resources(
            @Doc("Guaranteed resources.") ResourceList requests,
            @Doc("Upper bounds.") ResourceList limits) {}

    public record ResourceList(
            @Doc("CPU, e.g. 500m or 2.") @Formatted(Format.CPU)
            String cpu,

            @Doc("Memory, e.g. 512Mi or 8Gi.") @Formatted(Format.MEMORY)
            String memory) {}

    public record Volume(
            @Doc("Size of the data volume.") @Formatted(Format.MEMORY)
            String size,

            @Doc("Storage class; empty uses the cluster's default.")
            @Formatted(value = Format.DNS_SUBDOMAIN, optional = true)
            String storageClass) {}

    public record Scheduling(
            @Doc("Tolerations of the pods.") List<Map<String, Object>> tolerations,

            @Doc("Node affinity of the pods (`spec.nodeAffinity` of the operator).")
            Map<String, Object> nodeAffinity,

            @Doc("Topology spread constraints of the pods.") List<Map<String, Object>> topologySpreadConstraints,

            @Doc("Priority class of the pods; empty for none.")
            String priorityClassName,

            @Doc("Annotations of the pods.") Map<String, String> podAnnotations) {}

    public record Backup(
            @Doc("The operator's logical backups (`pg_dumpall` to the bucket set in the operator configuration).")
            LogicalBackup logical,

            @Doc("Continuous WAL archiving and base backups with WAL-G, for point-in-time recovery.")
            WalBackup wal,

            @Doc("A CronJob that takes Citus restore points (`citus_create_restore_point`): the points a restore of the"
                    + " whole cluster can reach consistently. Runs only with `backup.wal.enabled`.")
            RestorePoints restorePoints) {}

    public record RestorePoints(
            @Doc("Take restore points on the schedule (with `backup.wal.enabled`).") @Default("true")
            Boolean enabled,

            @Doc("When, as 5-field cron in UTC. The interval is what a consistent restore of the whole cluster can"
                    + " lose: a restore goes back to the latest point before the time wanted.")
            @Formatted(Format.CRON)
            @Default("*/15 * * * *")
            String schedule,

            @Doc("Restore points kept in `citus_pgvector.restore_points` on the coordinator (the oldest are deleted;"
                    + " the points stay in the WAL archive). Keep at least as many as the base backups cover.")
            @Range(min = 1, max = 100000)
            @Default("2000")
            Integer retain) {}

    public record Restore(
            @Doc("Render every cluster as a clone of its source cluster at the restore point chosen below.")
            @Default("false")
            Boolean enabled,

            @Doc("The release whose WAL archive is restored.")
            RestoreSource source,

            @Doc("Name of the restore point to reach (one of `restore.points`); or set `restore.time`.")
            @Formatted(value = Format.RESTORE_POINT_NAME, optional = true)
            String pointName,

            @Doc("A time: the restore reaches the latest restore point of `restore.points` taken at or before it.")
            @Formatted(value = Format.TIMESTAMP, optional = true)
            String time,

            @Doc(
                    "Restore points of the source, as the restore point job logs them or `files/sql/restore-points-values.sql`"
                            + " prints them on the source's coordinator: each a name and every node's recovery target.")
            List<RestorePoint> points) {}

    public record RestoreSource(
            @Doc("Name prefix of the source's clusters: `<fullname>-coordinator`, `<fullname>-worker-N`.")
            @Formatted(value = Format.DNS_LABEL, optional = true)
            String fullname,

            @Doc("Namespace of the source. The restored coordinator's Citus metadata names the source's workers by"
                    + " their Service names, which must not reach the source: restore into another namespace.")
            @Formatted(value = Format.DNS_LABEL, optional = true)
            String namespace,

            @Doc("Workers of the source: must be `workers.count` (each restored worker is a copy of one).")
            @Range(min = 0, max = 256)
            @Default("0")
            Integer workers,

            @Doc("Bucket of the source's WAL archive; empty: `backup.wal.bucket`.")
            @Formatted(value = Format.S3_BUCKET, optional = true)
            String bucket,

            @Doc("Path of the source's archive in the bucket (each cluster below `<prefix>/<cluster>`); empty:"
                    + " `backup.wal.prefix`.")
            @Formatted(value = Format.OBJECT_PREFIX, optional = true)
            String prefix,

            @Doc("UIDs of the source's `postgresql` resources by cluster name (`spec.clone.uid`), optional.")
            Map<String, String> uids,

            @Doc("Time of the oldest base backup the source's archive still holds (`wal-g backup-list`); a restore"
                    + " point before it is refused. Empty: not checked.")
            @Formatted(value = Format.TIMESTAMP, optional = true)
            String oldestBaseBackup) {}

    public record RestorePoint(
            @Doc("Name of the restore point.") @Formatted(Format.RESTORE_POINT_NAME)
            String name,

            @Doc("Recovery target of every node, by source cluster name (the coordinator and each worker).")
            Map<String, String> nodes) {}

    public record LogicalBackup(
            @Doc("Run logical backups of every cluster.") @Default("false")
            Boolean enabled,

            @Doc("When, as 5-field cron in UTC.") @Formatted(Format.CRON) @Default("30 0 * * *")
            String schedule,

            @Doc("How long the operator keeps them, e.g. \"3 months\"; empty keeps the operator's setting.")
            String retention) {}

    public record WalBackup(
            @Doc("Archive WAL and take base backups with WAL-G.") @Default("false")
            Boolean enabled,

            @Doc("Object store.") @OneOf({"s3", "gcs"}) @Default("s3")
            String provider,

            @Doc("Bucket.") @Formatted(value = Format.S3_BUCKET, optional = true)
            String bucket,

            @Doc("Path inside the bucket; each cluster writes below `<prefix>/<cluster name>`.")
            @Formatted(value = Format.OBJECT_PREFIX, optional = true)
            @Default("citus-pgvector")
            String prefix,

            @Doc("S3 region (`AWS_REGION`).") String region,

            @Doc("S3 endpoint for S3-compatible stores such as MinIO; empty for AWS.")
            String endpoint,

            @Doc("Use path-style S3 URLs on AWS (no `endpoint`). With an `endpoint` Spilo forces path style"
                    + " whatever this says (configure_spilo.py), which S3-compatible stores such as MinIO need.")
            @Default("false")
            Boolean forcePathStyle,

            @Doc("When to take a base backup, as 5-field cron in UTC.") @Formatted(Format.CRON) @Default("0 1 * * *")
            String schedule,

            @Doc("Base backups to keep.") @Range(min = 1, max = 365) @Default("5")
            Integer retain,

            @Doc("Secret with the store's credentials.") CredentialsSecret credentialsSecret) {}

    public record CredentialsSecret(
            @Doc("Name of the Secret, in the release namespace.") @Formatted(value = Format.DNS_LABEL, optional = true)
            String name,

            @Doc("S3: key holding the access key ID.") @Default("AWS_ACCESS_KEY_ID")
            String accessKeyIdKey,

            @Doc("S3: key holding the secret access key.") @Default("AWS_SECRET_ACCESS_KEY")
            String secretAccessKeyKey,

            @Doc("GCS: key holding the service account JSON.") @Default("key.json")
            String serviceAccountKey) {}

    public record Scaling(
            @Doc("Run the scaling hooks. Before `helm upgrade` deletes workers (lower `workers.count`), a Job drains"
                    + " them and removes them from Citus, and stops the upgrade if it cannot; after an upgrade, a Job"
                    + " waits until all `workers.count` workers are active and rebalances. Off: lowering"
                    + " `workers.count` deletes the workers with their volumes and shards.")
            @Default("true")
            Boolean hooks,

            @Doc("Seconds a hook Job may run (drain, wait for workers, rebalance). `helm upgrade --timeout` must be"
                    + " at least as long, or Helm gives up first.")
            @Range(min = 60, max = 86400)
            @Default("1800")
            Integer timeoutSeconds,

            @Doc("After an upgrade, move shards onto new workers (`citus_rebalance_start`) and wait for the moves.")
            @Default("true")
            Boolean rebalanceOnScaleUp,

            @Doc("After an upgrade, split shards online (`citus_split_shard_by_split_points`) until every colocation"
                    + " group holds the layout's shards per worker (`citus.shard_count` / `workers.count`) on every"
                    + " worker, so tables that existed before a scale-up reach the new workers; the pieces go straight"
                    + " to the workers that lack them. `layout`: groups created with a shard count the chart set;"
                    + " `all`: also tables given their own `shard_count`; `off`: no split (the rebalance moves whole"
                    + " shards, and a table with fewer shards than workers stays off the new ones).")
            @OneOf({"layout", "all", "off"})
            @Default("layout")
            String splitShards,

            @Doc("How shards move: `auto` (logical replication; tables need a primary key or replica identity),"
                    + " `force_logical`, or `block_writes` (blocks writes to a shard while it moves).")
            @OneOf({"auto", "force_logical", "block_writes"})
            @Default("auto")
            String shardTransferMode,

            @Doc("A pre-delete hook refuses `helm uninstall` while the coordinator's database holds user data (a"
                    + " Citus table, or another table with a row), because the operator deletes every cluster's"
                    + " volumes with it. Drop the Citus tables and empty the others (or set this to false) to"
                    + " uninstall on purpose.")
            @Default("true")
            Boolean guardUninstall,

            @Doc("Image of the hook Jobs and the `helm test` pod; empty repository or tag means the clusters' image,"
                    + " which has bash and psql.")
            ImageOverride image,

            @Doc("Resources of the hook and test containers.")
            @Default("{requests: {cpu: 10m, memory: 32Mi}, limits: {cpu: 500m, memory: 128Mi}}")
            Resources resources) {}

    public record HelmTest(
            @Doc("Render the `helm test` pod (`helm test <release>`).") @Default("true")
            Boolean enabled) {}

    public record OperatorConfigMap(
            @Doc("Render the ConfigMap.") @Default("false") Boolean create,

            @Doc("Its name: what the operator's `CONFIG_MAP_NAME` names. Must differ from the operator Helm"
                    + " chart's own objects.")
            @Formatted(Format.DNS_LABEL)
            @Default("postgres-operator-citus")
            String name,

            @Doc("Its namespace; empty for the release namespace.")
            @Formatted(value = Format.DNS_LABEL, optional = true)
            String namespace,

            @Doc("Extra operator settings (snake_case keys) merged over the chart's.")
            Map<String, String> data) {}

    public record Pooler(
            @Doc(
                    "Run the pooler (`spec.enableConnectionPooler` of the coordinator): Service"
                            + " `<release>-coordinator-pooler`, port 5432. Read docs/user-guide.md (Connection pooler) on what transaction mode allows.")
            @Default("false")
            Boolean enabled,

            @Doc("Pooler pods.") @Range(min = 1, max = 10) @Default("2")
            Integer instances,

            @Doc("`transaction`: a server connection per transaction, session settings do not persist; `session`: one"
                    + " per client connection.")
            @OneOf({"transaction", "session"})
            @Default("transaction")
            String mode,

            @Doc("Server connections of all pooler pods together to the coordinator, split over the pods; 0 keeps the"
                    + " operator's `connection_pooler_max_db_connections` (60).")
            @Range(min = 0, max = 100000)
            @Default("0")
            Integer maxDBConnections,

            @Doc("Pooler image; empty keeps the operator's `connection_pooler_image`.")
            @Formatted(value = Format.IMAGE_REFERENCE, optional = true)
            String image,

            @Doc("Resources of each pooler pod.")
            @Default("{requests: {cpu: 500m, memory: 100Mi}, limits: {cpu: '1', memory: 100Mi}}")
            Resources resources) {}

    public record Metrics(
            @Doc("Run a postgres_exporter sidecar (port 9187, named `metrics`) in every pod of every cluster, with the"
                    + " chart's Citus and pgvector queries (files/metrics/queries.yaml).")
            @Default("false")
            Boolean enabled,

            @Doc("The exporter image.") ExporterImage image,

            @Doc("Resources of the exporter container.")
            @Default("{requests: {cpu: 10m, memory: 32Mi}, limits: {cpu: 200m, memory: 128Mi}}")
            Resources resources,

            @Doc("Prometheus Operator objects (a PodMonitor and the PrometheusRule alerts): `auto` renders them when"
                    + " the cluster serves monitoring.coreos.com/v1, `always` also without (renders for GitOps),"
                    + " `never`.")
            @OneOf({"auto", "always", "never"})
            @Default("auto")
            String prometheusOperator,

            @Doc("Scrape interval of the PodMonitor.") @Formatted(Format.DURATION) @Default("30s")
            String interval,

            @Doc("Labels of the PodMonitor and PrometheusRule, for your Prometheus's selectors.")
            Map<String, String> labels,

            @Doc("Alert thresholds of the PrometheusRule.") Alerts alerts,
            @Doc("The Grafana dashboard ConfigMap.") Dashboard dashboard) {}

    public record ExporterImage(
            @Doc("Image repository.")
            @Formatted(Format.IMAGE_REPOSITORY)
            @Default("quay.io/prometheuscommunity/postgres-exporter")
            String repository,

            @Doc("Image tag: v0.17.0 or later for PostgreSQL 17 (earlier releases' default `stat_bgwriter` collector"
                    + " reads columns PostgreSQL 17 moved to `pg_stat_checkpointer` and fails at every scrape).")
            @Formatted(Format.IMAGE_TAG)
            @Default("v0.17.1")
            String tag) {}

    public record Alerts(
            @Doc("Seconds a replica may lag behind its primary before `CitusPgvectorReplicationLag` fires.")
            @Range(min = 1, max = 86400)
            @Default("60")
            Integer replicationLagSeconds,

            @Doc("Seconds a prepared (two-phase) transaction may wait before `CitusPgvectorPreparedTransactionStuck`"
                    + " fires.")
            @Range(min = 60, max = 86400)
            @Default("300")
            Integer preparedTransactionSeconds,

            @Doc("Percent of a data volume in use at which `CitusPgvectorVolumeNearlyFull` fires.")
            @Range(min = 50, max = 99)
            @Default("85")
            Integer volumeUsedPercent,

            @Doc("Seconds since the newest restore point (`backup.restorePoints`) before"
                    + " `CitusPgvectorRestorePointStale` fires: the restore point job keeps failing.")
            @Range(min = 300, max = 604800)
            @Default("3600")
            Integer restorePointAgeSeconds) {}

    public record Dashboard(
            @Doc("Render the dashboard ConfigMap.") @Default("true")
            Boolean enabled,

            @Doc("Labels of the ConfigMap; Grafana's dashboard sidecar looks for `grafana_dashboard`.")
            @Default("{grafana_dashboard: '1'}")
            Map<String, String> labels) {}

    public record Tls(
            @Doc("Secret with the server certificate (`tls.crt`, `tls.key`) of every cluster and the pooler"
                    + " (`spec.tls.secretName`); empty keeps Spilo's self-signed certificate. With"
                    + " `tls.certManager.enabled`, empty means `<release>-tls`.")
            @Formatted(value = Format.DNS_SUBDOMAIN, optional = true)
            String secretName,

            @Doc("Secret holding the CA certificate when it is not in `tls.secretName` (`spec.tls.caSecretName`).")
            @Formatted(value = Format.DNS_SUBDOMAIN, optional = true)
            String caSecretName,

            @Doc("Key of the CA certificate in that Secret (`spec.tls.caFile`), e.g. `ca.crt`. Set, the registrar,"
                    + " hooks and test pod verify the server with `sslmode=verify-full`; empty, they only encrypt"
                    + " (`sslmode=require`). Set it only when the Secret has that key: PostgreSQL does not start"
                    + " with a missing CA file.")
            @Formatted(value = Format.FILE_NAME, optional = true)
            String caFile,

            @Doc("Issue the certificate with cert-manager (needs its CRDs): one Certificate for every cluster's"
                    + " Services.")
            CertManager certManager) {

        /**
         * Volumes every pod of a cluster may have: the operator's (data, shared memory, socket directory) and the
         * chart's (additionalVolumes); the chart's helper citus-pgvector.podVolumeNames lists the same. The operator
         * adds a volume named after tls.secretName (and tls.caSecretName) without checking names.
         */
        public static final List<String> POD_VOLUME_NAMES = List.of(
                "pgdata",
                "dshm",
                "postgresql-run",
                "citus-worker-registrar",
                "application-roles",
                "tls-ca",
                "wal-gcs-credentials",
                "postgres-exporter-queries");
    }

    public record CertManager(
            @Doc("Render a cert-manager `Certificate` into `tls.secretName`.") @Default("false")
            Boolean enabled,

            @Doc("Name of the issuer.") @Formatted(value = Format.DNS_SUBDOMAIN, optional = true)
            String issuerName,

            @Doc("Kind of the issuer.") @OneOf({"Issuer", "ClusterIssuer"}) @Default("Issuer")
            String issuerKind,

            @Doc("Lifetime of the certificate.") @Formatted(Format.DURATION) @Default("2160h")
            String duration,

            @Doc("Renew this long before it expires.") @Formatted(Format.DURATION) @Default("360h")
            String renewBefore,

            @Doc("More DNS names in the certificate besides the Services' own, e.g. the name clients outside reach an"
                    + " exposed coordinator or pooler by (`externalAccess`), so they can verify it (`verify-full`).")
            @Formatted(Format.DNS_SUBDOMAIN)
            List<String> extraDnsNames,

            @Doc("IP addresses in the certificate, e.g. the load balancer's or node's address clients outside connect"
                    + " to (`externalAccess`), so they can verify it (`verify-full`).")
            @Formatted(Format.IP_ADDRESS)
            List<String> ipAddresses) {}

    public record NetworkPolicy(
            @Doc("Render the NetworkPolicies (ingress). Off, or on a cluster whose network plugin does not enforce"
                    + " NetworkPolicies, every pod that can route to the clusters reaches PostgreSQL (5432), Patroni's"
                    + " unauthenticated REST API (8008) and bg_mon's unauthenticated status page (8080).")
            @Default("true")
            Boolean enabled,

            @Doc("Namespace of the Postgres Operator, which connects to every cluster and calls Patroni's API. With"
                    + " `operatorConfigMap.create` and its `namespace` set, that namespace is admitted too.")
            @Formatted(Format.DNS_LABEL)
            @Default("postgres-operator")
            String operatorNamespace,

            @Doc("Label sets of the operator's pods: a pod with every label of one set is admitted. The defaults are"
                    + " the operator Helm chart's and the operator's plain manifests' labels.")
            @Default("[{app.kubernetes.io/name: postgres-operator}, {name: postgres-operator}]")
            List<Map<String, String>> operatorPodLabels,

            @Doc("More namespaces whose pods may connect to the coordinator and its pooler (applications).")
            @Formatted(Format.DNS_LABEL)
            List<String> allowedNamespaces,

            @Doc("More source address ranges (CIDR) that may connect to the coordinator and its pooler.")
            @Formatted(Format.CIDR)
            List<String> allowedCidrs,

            @Doc("Namespaces whose pods may scrape the exporter port 9187 (your Prometheus's); at least one when"
                    + " `metrics.enabled`.")
            @Formatted(Format.DNS_LABEL)
            List<String> metricsNamespaces) {}

    public record ExternalAccess(
            @Doc("Expose the coordinator (and, with `externalAccess.pooler`, its pooler) outside Kubernetes. The"
                    + " workers and the replicas are never exposed.")
            @Default("false")
            Boolean enabled,

            @Doc("`LoadBalancer` (`enableMasterLoadBalancer`) or, on operator line 2.0 only, `NodePort`"
                    + " (`enableMasterNodePort`).")
            @OneOf({"LoadBalancer", "NodePort"})
            @Default("LoadBalancer")
            String type,

            @Doc("Expose the coordinator's primary Service.") @Default("true")
            Boolean coordinator,

            @Doc("Expose the pooler's Service (needs `pooler.enabled`).") @Default("false")
            Boolean pooler,

            @Doc("Node port of the coordinator with `NodePort`; 0 lets Kubernetes choose.")
            @Range(min = 0, max = 65535)
            @Default("0")
            Integer coordinatorNodePort,

            @Doc("Node port of the pooler with `NodePort`; 0 lets Kubernetes choose.")
            @Range(min = 0, max = 65535)
            @Default("0")
            Integer poolerNodePort,

            @Doc("Source ranges allowed through the load balancer (`allowedSourceRanges`; operator line 1.15 takes"
                    + " IPv4 only). Empty: the operator's default, which lets nobody in until you list ranges.")
            @Formatted(Format.CIDR)
            List<String> allowedSourceRanges,

            @Doc("Annotations of the exposed coordinator's and pooler's Services (`masterServiceAnnotations`: the"
                    + " operator puts them on both), e.g. for an internal load balancer.")
            Map<String, String> serviceAnnotations) {}
}
