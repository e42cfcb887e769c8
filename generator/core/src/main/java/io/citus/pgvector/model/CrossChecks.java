package io.citus.pgvector.model;

import java.util.ArrayList;
import java.util.List;

/** Rules that involve more than one value; run after every single value is known to be well-formed. */
final class CrossChecks {

    private CrossChecks() {}

    static List<ValuesProblem> of(Values v) {
        List<ValuesProblem> problems = new ArrayList<>();
        if (v.fullnameOverride().length() > Values.MAX_FULLNAME_LENGTH) {
            problems.add(new ValuesProblem(
                    "fullnameOverride",
                    "must be at most " + Values.MAX_FULLNAME_LENGTH
                            + " characters so the operator's name suffixes fit, got "
                            + v.fullnameOverride().length()));
        }
        operatorLine(v, problems);
        Values.Patroni patroni = v.patroni();
        if (patroni.loopWait() + 2 * patroni.retryTimeout() > patroni.ttl()) {
            problems.add(new ValuesProblem(
                    "patroni.ttl",
                    "must be at least patroni.loopWait + 2 x"
                            + " patroni.retryTimeout = " + (patroni.loopWait() + 2 * patroni.retryTimeout())
                            + " (Patroni's rule, or a slow loop loses the leader lock), got " + patroni.ttl()));
        }
        Values.Superuser superuser = v.superuser();
        if (!superuser.password().isEmpty()
                && !superuser.existingSecret().name().isEmpty()) {
            problems.add(new ValuesProblem(
                    "superuser.existingSecret.name",
                    "must be empty when superuser.password" + " is set (one source of the password), got \""
                            + superuser.existingSecret().name() + "\""));
        }
        applicationRoles(v.applicationRoles(), problems);
        limitsCoverRequests(v.coordinator().resources(), "coordinator", problems);
        limitsCoverRequests(v.workers().resources(), "workers", problems);
        limitsCoverRequests(v.registrar().resources(), "registrar", problems);
        limitsCoverRequests(v.scaling().resources(), "scaling", problems);
        limitsCoverRequests(v.pooler().resources(), "pooler", problems);
        limitsCoverRequests(v.metrics().resources(), "metrics", problems);
        tls(v.tls(), problems);
        externalAccess(v, problems);
        pooler(v.pooler(), problems);
        if (v.networkPolicy().enabled()
                && v.metrics().enabled()
                && v.networkPolicy().metricsNamespaces().isEmpty()) {
            problems.add(new ValuesProblem(
                    "networkPolicy.metricsNamespaces",
                    "must list your Prometheus's namespace when metrics.enabled and networkPolicy.enabled are true:"
                            + " the policy admits port 9187 only from these namespaces, so nothing could scrape it"));
        }
        Values.WalBackup wal = v.backup().wal();
        if (wal.enabled()) {
            if (wal.bucket().isEmpty()) {
                problems.add(new ValuesProblem("backup.wal.bucket", "must be set when backup.wal.enabled is true"));
            }
            Values.CredentialsSecret secret = wal.credentialsSecret();
            if (!secret.name().isEmpty()) {
                String prefix = "backup.wal.credentialsSecret.";
                if (wal.provider().equals("gcs")) {
                    requireKey(secret, secret.serviceAccountKey(), prefix + "serviceAccountKey", wal, problems);
                } else {
                    requireKey(secret, secret.accessKeyIdKey(), prefix + "accessKeyIdKey", wal, problems);
                    requireKey(secret, secret.secretAccessKeyKey(), prefix + "secretAccessKeyKey", wal, problems);
                }
            }
        }
        restore(v, problems);
        return problems;
    }

    /**
     * A restore needs a complete source: one source cluster per restored cluster, a point that names a recovery
     * target for each, and (where the archive's oldest base backup is given) a point the archive still reaches.
     */
    private static void restore(Values v, List<ValuesProblem> problems) {
        Values.Restore restore = v.restore();
        if (!restore.enabled()) {
            return;
        }
        Values.RestoreSource source = restore.source();
        if (!v.backup().wal().enabled()) {
            problems.add(new ValuesProblem(
                    "backup.wal.enabled",
                    "must be true with restore.enabled: the clones read the source's archive with its credentials"
                            + " and the restored release archives its own WAL"));
        }
        if (source.fullname().isEmpty()) {
            problems.add(new ValuesProblem("restore.source.fullname", "must name the source's clusters' prefix"));
        }
        if (source.namespace().isEmpty()) {
            problems.add(new ValuesProblem(
                    "restore.source.namespace", "must name the source's namespace (the restore must go elsewhere)"));
        }
        if (!source.workers().equals(v.workers().count())) {
            problems.add(new ValuesProblem(
                    "restore.source.workers",
                    "must equal workers.count " + v.workers().count()
                            + ": each restored worker is the copy of one source worker, got " + source.workers()));
        }
        if (!source.fullname().isEmpty()
                && source.fullname().equals(v.fullnameOverride())
                && source.bucket().isEmpty()
                && source.prefix().isEmpty()) {
            problems.add(new ValuesProblem(
                    "backup.wal.prefix",
                    "must differ from the source's when the restored release keeps the source's names, or its"
                            + " clusters would archive into the source's archive, got \""
                            + v.backup().wal().prefix()
                            + "\""));
        }
        source.uids().forEach((cluster, uid) -> {
            if (!uid.matches("^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")) {
                problems.add(new ValuesProblem("restore.source.uids." + cluster, "must be a UID, got \"" + uid + "\""));
            }
        });
        List<Values.RestorePoint> points = restore.points();
        for (int i = 0; i < points.size(); i++) {
            String at = "restore.points[" + i + "].nodes.";
            for (var node : points.get(i).nodes().entrySet()) {
                Format.TIMESTAMP
                        .check(node.getValue())
                        .ifPresent(why -> problems.add(
                                new ValuesProblem(at + node.getKey(), why + ", got \"" + node.getValue() + "\"")));
            }
        }
        if (!problems.isEmpty()) {
            return;
        }
        int chosen = RestorePlan.choose(restore, problems);
        if (chosen < 0) {
            return;
        }
        Values.RestorePoint point = points.get(chosen);
        String path = "restore.points[" + chosen + "].nodes";
        List<String> clusters = RestorePlan.sourceClusters(source);
        List<String> missing =
                clusters.stream().filter(c -> !point.nodes().containsKey(c)).toList();
        if (!missing.isEmpty()) {
            problems.add(new ValuesProblem(
                    path,
                    "restore point " + point.name() + " has no recovery target for " + String.join(", ", missing)
                            + ": the source is incomplete (a cluster of the source missing from the point)"));
        }
        List<String> extra = point.nodes().keySet().stream()
                .filter(c -> !clusters.contains(c))
                .sorted()
                .toList();
        if (!extra.isEmpty()) {
            problems.add(new ValuesProblem(
                    path,
                    "restore point " + point.name() + " was taken with node(s) " + String.join(", ", extra)
                            + " that restore.source (" + source.workers() + " workers) does not have: a different"
                            + " worker count"));
        }
        if (!source.oldestBaseBackup().isEmpty()
                && RestorePlan.pointTime(point, source)
                        .map(t -> t.isBefore(RestorePlan.parse(source.oldestBaseBackup())))
                        .orElse(false)) {
            problems.add(new ValuesProblem(
                    restore.pointName().isEmpty() ? "restore.time" : "restore.pointName",
                    "restore point " + point.name() + " is older than the oldest base backup ("
                            + source.oldestBaseBackup() + ", restore.source.oldestBaseBackup): the archive no"
                            + " longer reaches it"));
        }
    }

    /** What the operator line the clusters run on would drop or refuse. */
    private static void operatorLine(Values v, List<ValuesProblem> problems) {
        if (!v.operator().line().equals("1.15")) {
            return;
        }
        if (!v.postgresql().version().equals("17")) {
            problems.add(new ValuesProblem(
                    "postgresql.version",
                    "must be at most 17 with operator.line 1.15 (its"
                            + " postgresql resources accept PostgreSQL 13 to 17), got "
                            + v.postgresql().version()));
        }
        topologySpreadOnV115(v.coordinator().scheduling(), "coordinator", problems);
        topologySpreadOnV115(v.workers().scheduling(), "workers", problems);
    }

    private static void topologySpreadOnV115(Values.Scheduling scheduling, String role, List<ValuesProblem> problems) {
        if (!scheduling.topologySpreadConstraints().isEmpty()) {
            problems.add(new ValuesProblem(
                    role + ".scheduling.topologySpreadConstraints",
                    "must be empty with"
                            + " operator.line 1.15: that operator's postgresql resources have no topologySpreadConstraints"
                            + " and the API server would drop them silently; remove them or run operator v2 (operator.line"
                            + " 2.0)"));
        }
    }

    /** Roles that are PostgreSQL's, Spilo's or the operator's would lose their password to the Secret's. */
    private static void applicationRoles(List<Values.ApplicationRole> roles, List<ValuesProblem> problems) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < roles.size(); i++) {
            String name = roles.get(i).name();
            String path = "applicationRoles[" + i + "].name";
            if (Values.ApplicationRole.RESERVED.contains(name)
                    || name.startsWith(Values.ApplicationRole.RESERVED_PREFIX)) {
                problems.add(new ValuesProblem(
                        path,
                        "must not be a role of PostgreSQL, Spilo or the operator (names starting with "
                                + Values.ApplicationRole.RESERVED_PREFIX + ", "
                                + String.join(", ", Values.ApplicationRole.RESERVED) + "), got \"" + name + "\""));
            } else if (!seen.add(name)) {
                problems.add(new ValuesProblem(path, "names a role listed before it, got \"" + name + "\""));
            }
        }
    }

    private static void tls(Values.Tls tls, List<ValuesProblem> problems) {
        if (!tls.caSecretName().isEmpty() && tls.caFile().isEmpty()) {
            problems.add(new ValuesProblem(
                    "tls.caFile",
                    "must name the CA key of Secret \"" + tls.caSecretName() + "\" when tls.caSecretName is set"));
        }
        boolean certificate = !tls.secretName().isEmpty() || tls.certManager().enabled();
        if (!certificate && (!tls.caFile().isEmpty() || !tls.caSecretName().isEmpty())) {
            problems.add(new ValuesProblem(
                    tls.caFile().isEmpty() ? "tls.caSecretName" : "tls.caFile",
                    "needs tls.secretName or tls.certManager.enabled: the operator takes a CA only with a server"
                            + " certificate"));
        }
        for (String key : List.of("secretName", "caSecretName")) {
            String name = key.equals("secretName") ? tls.secretName() : tls.caSecretName();
            if (Values.Tls.POD_VOLUME_NAMES.contains(name)) {
                problems.add(new ValuesProblem(
                        "tls." + key,
                        "must not be the name of a volume the pods already have (the operator names its TLS"
                                + " volume after the Secret): " + String.join(", ", Values.Tls.POD_VOLUME_NAMES)
                                + ", got \"" + name + "\""));
            }
        }
        if (!tls.caSecretName().isEmpty() && tls.caSecretName().equals(tls.secretName())) {
            problems.add(new ValuesProblem(
                    "tls.caSecretName",
                    "must differ from tls.secretName (leave it empty when the CA is in that Secret: the operator"
                            + " would mount two volumes of one name), got \"" + tls.caSecretName() + "\""));
        }
        if (tls.certManager().enabled() && tls.certManager().issuerName().isEmpty()) {
            problems.add(new ValuesProblem(
                    "tls.certManager.issuerName", "must be set when tls.certManager.enabled is true"));
        }
    }

    /** Exposure goes through the operator's fields, which differ per line; the workers are never exposed. */
    private static void externalAccess(Values v, List<ValuesProblem> problems) {
        Values.ExternalAccess access = v.externalAccess();
        if (!access.enabled()) {
            return;
        }
        boolean line115 = v.operator().line().equals("1.15");
        if (access.type().equals("NodePort") && line115) {
            problems.add(new ValuesProblem(
                    "externalAccess.type",
                    "NodePort needs operator line 2.0"
                            + " (enableMasterNodePort); operator.line 1.15 has only LoadBalancer, got \"NodePort\""));
        }
        if (!access.coordinator() && !access.pooler()) {
            problems.add(new ValuesProblem(
                    "externalAccess",
                    "enabled, but neither externalAccess.coordinator nor externalAccess.pooler is true"));
        }
        if (access.pooler() && !v.pooler().enabled()) {
            problems.add(new ValuesProblem("externalAccess.pooler", "needs pooler.enabled: true"));
        }
        boolean nodePortGiven = access.coordinatorNodePort() != 0 || access.poolerNodePort() != 0;
        if (access.type().equals("LoadBalancer") && nodePortGiven) {
            problems.add(new ValuesProblem(
                    access.coordinatorNodePort() != 0
                            ? "externalAccess.coordinatorNodePort"
                            : "externalAccess.poolerNodePort",
                    "applies only to externalAccess.type NodePort"));
        }
        if (line115) {
            List<String> ranges = access.allowedSourceRanges();
            for (int i = 0; i < ranges.size(); i++) {
                if (!Format.isIpv4Range(ranges.get(i))) {
                    problems.add(new ValuesProblem(
                            "externalAccess.allowedSourceRanges[" + i + "]",
                            "operator line 1.15 accepts IPv4 ranges only, got \"" + ranges.get(i) + "\""));
                }
            }
        }
    }

    /**
     * The operator sizes PgBouncer's pools from maxDBConnections in integers: per pod maxDBConnections / instances,
     * half of that as the pool of each database and role, so fewer than 2 per pod give a pool of 0.
     */
    private static void pooler(Values.Pooler pooler, List<ValuesProblem> problems) {
        int max = pooler.maxDBConnections();
        if (pooler.enabled() && max != 0 && max / pooler.instances() / 2 == 0) {
            problems.add(new ValuesProblem(
                    "pooler.maxDBConnections",
                    "must be 0 (the operator's default) or at least 2 x pooler.instances = " + 2 * pooler.instances()
                            + " (the operator gives each pod maxDBConnections / instances and pools half of that, in"
                            + " integers: less is a pool of 0), got " + max));
        }
    }

    private static void requireKey(
            Values.CredentialsSecret secret,
            String key,
            String path,
            Values.WalBackup wal,
            List<ValuesProblem> problems) {
        if (key.isBlank()) {
            problems.add(new ValuesProblem(
                    path, "must name a key of Secret \"" + secret.name() + "\" for provider " + wal.provider()));
        }
    }

    private static void limitsCoverRequests(Values.Resources resources, String path, List<ValuesProblem> problems) {
        Values.ResourceList requests = resources.requests();
        Values.ResourceList limits = resources.limits();
        if (Quantity.parse(limits.cpu()).compareTo(Quantity.parse(requests.cpu())) < 0) {
            problems.add(new ValuesProblem(
                    path + ".resources.limits.cpu",
                    "must not be below the request " + requests.cpu() + ", got " + limits.cpu()));
        }
        if (Quantity.parse(limits.memory()).compareTo(Quantity.parse(requests.memory())) < 0) {
            problems.add(new ValuesProblem(
                    path + ".resources.limits.memory",
                    "must not be below the request " + requests.memory() + ", got " + limits.memory()));
        }
    }
}
