package io.citus.pgvector.ha;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the operator and Spilo make of one rendered {@code postgresql} resource, as the Patroni configuration of its
 * members (design.md, "Facts: Zalando Postgres Operator" and "Facts: Spilo image"):
 * <ul>
 *   <li>the operator's parameter split (k8sres.go, {@code isBootstrapOnlyParameter}): the 20 names below go into the
 *       member's own {@code postgresql.parameters} (SPILO_CONFIGURATION), every other parameter into
 *       {@code bootstrap.dcs.postgresql.parameters};</li>
 *   <li>{@code spec.patroni} into {@code bootstrap.dcs} the way the operator copies it (only the keys it copies, a
 *       synchronous mode only when true), over Spilo's defaults (ttl 30, loop_wait 10, retry_timeout 10,
 *       maximum_lag_on_failover 32 MiB), which are also Patroni's timing defaults;</li>
 *   <li>Spilo's own settings: SSL on in every member's own parameters, its csvlog files, {@code use_pg_rewind} and
 *       {@code use_slots}, initdb with data checksums, and its access rules: {@code local all all trust},
 *       non-TLS TCP rejected, TLS TCP with a password (scram-sha-256, operator v2), replication for {@code standby};</li>
 *   <li>WAL archiving and the clone bootstrap, with a folder standing in for the bucket ({@code bucketRoot}/bucket/path
 *       for {@code s3://bucket/path}): a cluster whose {@code spec.env} has {@code WALG_S3_PREFIX} or
 *       {@code WALG_GS_PREFIX} archives every WAL segment there (Spilo's WAL-G {@code wal-push} as PostgreSQL's own
 *       {@code archive_command}); a resource with {@code spec.clone} and a timestamp bootstraps the way the operator's
 *       clone environment (k8sres.go {@code generateCloneEnvironment}: {@code CLONE_TARGET_TIME} from
 *       {@code timestamp}, {@code CLONE_WALE_S3_PREFIX} from {@code s3_wal_path}) makes Spilo's template do it
 *       (configure_spilo.py, method {@code clone_with_wale}): the latest base backup finished before the target
 *       (clone_with_wale.py {@code choose_backup}), then recovery with {@code restore_command} from the source's
 *       archive, {@code recovery_target_time} = the timestamp, {@code recovery_target_action: promote},
 *       {@code recovery_target_timeline: latest}, and {@code recovery_target_inclusive: false} exactly when the env
 *       sets {@code CLONE_TARGET_INCLUSIVE} to a false value for the template (the empty string).</li>
 * </ul>
 * Where this machine differs from the image, the difference is explicit: libraries of {@code shared_preload_libraries}
 * that are not installed here (bg_mon, pgextwlist, pg_auth_mon, set_user, pg_cron, pg_stat_kcache; Citus where it is
 * missing) are left out and listed in {@link #droppedLibraries()}; memory settings are small.
 */
record SpiloConfiguration(
        String clusterName,
        int instances,
        Map<String, Object> localParameters,
        Map<String, Object> dcs,
        List<String> pgHba,
        List<String> droppedLibraries,
        Map<String, PreparedDatabase> preparedDatabases,
        Path archive,
        Clone cloneFrom) {

    /** Spilo's clone bootstrap of this cluster: where the source archived, the target, inclusive or not. */
    record Clone(String sourceCluster, Path sourceArchive, String targetTime, boolean inclusive) {}

    /** The folder standing in for an object store URL ({@code s3://bucket/path}, {@code gs://...}). */
    static Path bucketFolder(Path bucketRoot, String url) {
        return bucketRoot.resolve(url.substring(url.indexOf("://") + 3).replaceAll("/+$", ""));
    }

    static SpiloConfiguration of(JsonNode postgresql, Set<String> installedLibraries) {
        return of(postgresql, installedLibraries, null);
    }

    /** The operator's local (not DCS) parameter names: its map in {@code isBootstrapOnlyParameter}. */
    static final Set<String> LOCAL_PARAMETER_NAMES = Set.of(
            "archive_command",
            "shared_buffers",
            "logging_collector",
            "log_destination",
            "log_directory",
            "log_filename",
            "log_file_mode",
            "log_rotation_age",
            "log_truncate_on_rotation",
            "ssl",
            "ssl_ca_file",
            "ssl_crl_file",
            "ssl_cert_file",
            "ssl_key_file",
            "shared_preload_libraries",
            "bg_mon.listen_address",
            "bg_mon.history_buckets",
            "pg_stat_statements.track_utility",
            "extwlist.extensions",
            "extwlist.custom_path");

    /** The {@code spec.patroni} keys the operator copies into {@code bootstrap.dcs} (generateSpiloJSONConfiguration). */
    static final List<String> DCS_KEYS = List.of(
            "ttl",
            "loop_wait",
            "retry_timeout",
            "maximum_lag_on_failover",
            "synchronous_mode",
            "synchronous_mode_strict",
            "synchronous_node_count",
            "failsafe_mode",
            "slots");

    /** Spilo's bootstrap.dcs defaults (its configure_spilo.py template). */
    static final Map<String, Object> SPILO_DCS_DEFAULTS =
            Map.of("ttl", 30, "loop_wait", 10, "retry_timeout", 10, "maximum_lag_on_failover", 33554432);

    /** Where Spilo puts the PostgreSQL socket, and where the chart's citus.local_hostname points. */
    static final String SOCKET_DIRECTORY = "/var/run/postgresql";

    static final String REPLICATION_USER = "standby";

    /** One {@code preparedDatabases} entry: extensions (name to schema) and whether the default roles are made. */
    record PreparedDatabase(Map<String, String> extensions, boolean defaultRoles) {}

    /**
     * Translates a rendered resource.
     *
     * @param installedLibraries the libraries of this PostgreSQL installation ({@link #installedLibraries(Path)})
     */
    static SpiloConfiguration of(JsonNode postgresql, Set<String> installedLibraries, Path bucketRoot) {
        JsonNode spec = postgresql.path("spec");
        Map<String, JsonNode> env = new LinkedHashMap<>();
        spec.path("env").forEach(e -> env.put(e.path("name").asText(), e));
        String name = postgresql.at("/metadata/name").asText();
        Map<String, Object> local = new LinkedHashMap<>();
        Map<String, Object> dcsParameters = new LinkedHashMap<>();
        // Spilo's DCS parameters that shape replication and failover.
        dcsParameters.put("hot_standby", "on");
        dcsParameters.put("max_wal_senders", "10");
        dcsParameters.put("max_replication_slots", "10");
        dcsParameters.put("wal_keep_size", "128MB");
        dcsParameters.put("archive_mode", "on");
        // Spilo's own local parameters: SSL in every member's own configuration, csvlog files (read by the
        // postgres_log foreign tables), the socket folder.
        Path archive = null;
        for (String prefix : List.of("WALG_S3_PREFIX", "WALG_GS_PREFIX")) {
            if (bucketRoot != null && env.containsKey(prefix)) {
                archive = bucketFolder(bucketRoot, env.get(prefix).path("value").asText());
            }
        }
        // WAL-G's wal-push stands in as a copy that appears whole (a partly written file is never restored).
        local.put(
                "archive_command",
                archive == null
                        ? "/bin/true"
                        : "cp %p " + archive + "/%f.part && mv " + archive + "/%f.part " + archive + "/%f");
        local.put("ssl", "on");
        local.put("logging_collector", "on");
        local.put("log_destination", "csvlog,stderr");
        local.put("log_directory", "../pg_log");
        local.put("log_filename", "postgresql-%u.log");
        local.put("log_file_mode", "0644");
        local.put("log_rotation_age", "1d");
        local.put("log_truncate_on_rotation", "on");
        local.put("unix_socket_directories", SOCKET_DIRECTORY);
        local.put("shared_buffers", "32MB");

        List<String> dropped = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it =
                        spec.at("/postgresql/parameters").fields();
                it.hasNext(); ) {
            Map.Entry<String, JsonNode> parameter = it.next();
            String value = parameter.getValue().asText();
            if (parameter.getKey().equals("shared_preload_libraries")) {
                List<String> kept = new ArrayList<>();
                for (String library : value.split(",")) {
                    (installedLibraries.contains(library.strip()) ? kept : dropped).add(library.strip());
                }
                value = String.join(",", kept);
            }
            if (LOCAL_PARAMETER_NAMES.contains(parameter.getKey())) {
                local.put(parameter.getKey(), value);
            } else {
                dcsParameters.put(parameter.getKey(), value);
            }
        }

        Map<String, Object> dcs = new LinkedHashMap<>(SPILO_DCS_DEFAULTS);
        JsonNode patroni = spec.path("patroni");
        for (String key : DCS_KEYS) {
            JsonNode value = patroni.path(key);
            if (value.isMissingNode() || value.isNull()) {
                continue;
            }
            if (value.isBoolean()) {
                // The operator copies synchronous_mode(_strict) only when true.
                if (value.asBoolean()) {
                    dcs.put(key, true);
                }
            } else if (value.isNumber()) {
                if (value.asLong() != 0 || key.equals("maximum_lag_on_failover")) {
                    dcs.put(key, value.isIntegralNumber() ? (Object) value.asLong() : value.asDouble());
                }
            } else {
                dcs.put(key, value);
            }
        }
        Map<String, Object> dcsPostgresql = new LinkedHashMap<>();
        dcsPostgresql.put("use_pg_rewind", true);
        dcsPostgresql.put("use_slots", true);
        dcsPostgresql.put("parameters", dcsParameters);
        dcs.put("postgresql", dcsPostgresql);

        List<String> hba = new ArrayList<>();
        if (patroni.path("pg_hba").isArray() && !patroni.path("pg_hba").isEmpty()) {
            patroni.path("pg_hba").forEach(line -> hba.add(line.asText()));
        } else {
            hba.addAll(List.of(
                    "local all all trust",
                    "local replication " + REPLICATION_USER + " trust",
                    "hostssl replication " + REPLICATION_USER + " all scram-sha-256",
                    "hostnossl all all all reject",
                    "hostssl all all all scram-sha-256"));
        }

        Map<String, PreparedDatabase> prepared = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it =
                        spec.path("preparedDatabases").fields();
                it.hasNext(); ) {
            Map.Entry<String, JsonNode> database = it.next();
            Map<String, String> extensions = new LinkedHashMap<>();
            database.getValue()
                    .path("extensions")
                    .fields()
                    .forEachRemaining(
                            e -> extensions.put(e.getKey(), e.getValue().asText()));
            prepared.put(
                    database.getKey(),
                    new PreparedDatabase(
                            extensions, database.getValue().path("defaultRoles").asBoolean(true)));
        }
        Clone clone = null;
        JsonNode cloneSpec = spec.path("clone");
        if (bucketRoot != null && cloneSpec.hasNonNull("timestamp")) {
            String source = cloneSpec.path("s3_wal_path").asText("");
            if (source.isEmpty() && env.containsKey("CLONE_WALG_GS_PREFIX")) {
                source = env.get("CLONE_WALG_GS_PREFIX").path("value").asText();
            }
            // Spilo's template: the inverted section {{^CLONE_TARGET_INCLUSIVE}} renders for a false value, which
            // from the environment is only the empty string; unset, its default is True.
            boolean inclusive = !(env.containsKey("CLONE_TARGET_INCLUSIVE")
                    && env.get("CLONE_TARGET_INCLUSIVE")
                            .path("value")
                            .asText("")
                            .isEmpty());
            clone = new Clone(
                    cloneSpec.path("cluster").asText(),
                    bucketFolder(bucketRoot, source),
                    cloneSpec.path("timestamp").asText(),
                    inclusive);
        }
        return new SpiloConfiguration(
                name, spec.path("numberOfInstances").asInt(1), local, dcs, hba, dropped, prepared, archive, clone);
    }

    /** Names of the shared libraries in {@code pkglibdir}, without {@code .so}. */
    static Set<String> installedLibraries(Path pkglibdir) {
        try (var files = Files.list(pkglibdir)) {
            return Set.copyOf(files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".so"))
                    .map(n -> n.substring(0, n.length() - 3))
                    .toList());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A DCS setting with Spilo's default where the chart sets none. */
    long timing(String key) {
        return ((Number) dcs.get(key)).longValue();
    }

    boolean synchronousMode() {
        return Boolean.TRUE.equals(dcs.get("synchronous_mode"));
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> dcsParameters() {
        return (Map<String, Object>) ((Map<String, Object>) dcs.get("postgresql")).get("parameters");
    }
}
