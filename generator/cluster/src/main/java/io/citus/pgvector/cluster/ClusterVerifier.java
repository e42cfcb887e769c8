package io.citus.pgvector.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.citus.pgvector.Failure;
import io.citus.pgvector.Failure.Kind;
import io.citus.pgvector.cluster.Coordinator.WorkerResult;
import io.citus.pgvector.cluster.VerifyReport.Check;
import io.citus.pgvector.cluster.VerifyReport.Status;
import io.citus.pgvector.model.ManagedSetting;
import io.citus.pgvector.model.ManagedSetting.Origin;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Checks a running Citus + pgvector cluster through its coordinator: workers, extensions, shard balance, vector
 * indexes on every shard, and that the pgvector settings reach the workers (all but the shard balance with the
 * chart's own health checks, {@link HealthCheck}, which {@code helm test} runs too). Given what the chart renders
 * ({@link ChartIntent}), it also checks the nodes against it: the workers by name, every parameter on every node, the
 * Citus version of the image.
 */
public final class ClusterVerifier {

    /** The pgvector settings the chart puts into every node's postgresql.conf; queries on workers depend on them. */
    public static final List<String> VECTOR_SETTINGS = ManagedSetting.gucs(ManagedSetting.of(Origin.PGVECTOR));

    private final OptionalInt expectedWorkers;
    private final Map<String, String> expectedSettings;
    private final Optional<ChartIntent> intent;

    /**
     * @param expectedWorkers fail unless exactly this many workers are active
     * @param expectedSettings settings every node must have (name to value), besides agreeing with the coordinator
     * @param intent what the chart renders for this cluster; its workers are the expected ones
     */
    public ClusterVerifier(
            OptionalInt expectedWorkers, Map<String, String> expectedSettings, Optional<ChartIntent> intent) {
        this.expectedWorkers =
                intent.map(i -> OptionalInt.of(i.workers().size())).orElse(expectedWorkers);
        this.expectedSettings = Map.copyOf(expectedSettings);
        this.intent = intent;
    }

    /**
     * Connects to the coordinator and runs every check.
     *
     * @throws ClusterUnreachableException when the coordinator cannot be reached
     * @throws Failure (environment) when the coordinator fails during the checks
     */
    public VerifyReport verify(ConnectionSettings connection) throws Failure {
        try (Coordinator coordinator = Coordinator.connect(connection)) {
            return verify(coordinator);
        } catch (SQLException e) {
            throw new Failure(Kind.ENVIRONMENT, "the coordinator failed during the checks: " + e.getMessage(), e);
        }
    }

    public VerifyReport verify(Coordinator coordinator) throws SQLException {
        String target = coordinator.settings().describe();
        if (!coordinator.hasCitus()) {
            return new VerifyReport(
                    target,
                    List.of(new Check(
                            "citus",
                            Status.FAIL,
                            "the citus extension is not installed in database "
                                    + coordinator.settings().database() + ": not a Citus coordinator",
                            List.of())));
        }
        List<Check> checks = new ArrayList<>();
        checks.add(workers(coordinator));
        Map<String, String> clusters = intent.isPresent() ? workerClusters(coordinator) : Map.of();
        if (intent.isPresent()) {
            checks.add(chartNodes(coordinator, intent.get(), clusters));
        }
        checks.add(extensions(coordinator));
        checks.add(shardBalance(coordinator));
        checks.add(HealthCheck.VECTOR_INDEXES.run(coordinator, Map.of()));
        checks.add(settings(coordinator));
        checks.add(secondaries(coordinator));
        if (intent.isPresent()) {
            checks.add(chartSettings(coordinator, intent.get(), clusters));
        }
        return new VerifyReport(target, checks);
    }

    private Check workers(Coordinator coordinator) throws SQLException {
        return HealthCheck.WORKERS.run(
                coordinator,
                expectedWorkers.isPresent()
                        ? Map.of("citus_pgvector.expected_workers", Integer.toString(expectedWorkers.getAsInt()))
                        : Map.of());
    }

    /** The chart's health check, plus the Citus version the chart's image tag names. */
    private Check extensions(Coordinator coordinator) throws SQLException {
        Check check = HealthCheck.EXTENSIONS.run(coordinator, Map.of());
        if (intent.isEmpty() || intent.get().citusVersion().isEmpty()) {
            return check;
        }
        String wanted = intent.get().citusVersion().get();
        String citus = coordinator.queryString("SELECT extversion FROM pg_extension WHERE extname = 'citus'");
        if (citus.equals(wanted) || citus.startsWith(wanted + ".") || citus.startsWith(wanted + "-")) {
            return check;
        }
        List<String> details = new ArrayList<>(check.details());
        details.add(0, "coordinator: citus " + citus + ", the chart's image carries citus " + wanted);
        return new Check(check.name(), Status.FAIL, check.summary(), details);
    }

    /** Within each colocation group, Citus spreads shards round-robin: a spread above one shard needs a rebalance. */
    private Check shardBalance(Coordinator coordinator) throws SQLException {
        Map<String, Long> totals = new TreeMap<>();
        Map<Integer, Map<String, Long>> groups = new TreeMap<>();
        try (PreparedStatement s = coordinator.connection().prepareStatement("""
                SELECT g.colocationid, n.nodename || ':' || n.nodeport AS node,
                       count(p.placementid) FILTER (WHERE sh.colocationid = g.colocationid)
                FROM pg_dist_node n
                CROSS JOIN (SELECT DISTINCT colocationid FROM pg_dist_partition WHERE partmethod = 'h') g
                LEFT JOIN pg_dist_placement p ON p.groupid = n.groupid
                LEFT JOIN (SELECT s.shardid, t.colocationid FROM pg_dist_shard s
                           JOIN pg_dist_partition t USING (logicalrelid) WHERE t.partmethod = 'h') sh
                       ON sh.shardid = p.shardid
                WHERE n.noderole = 'primary' AND n.groupid <> 0 AND n.isactive AND n.shouldhaveshards
                GROUP BY 1, 2 ORDER BY 1, 2""");
                ResultSet r = s.executeQuery()) {
            while (r.next()) {
                groups.computeIfAbsent(r.getInt(1), g -> new TreeMap<>()).put(r.getString(2), r.getLong(3));
                totals.merge(r.getString(2), r.getLong(3), Long::sum);
            }
        }
        List<String> problems = new ArrayList<>();
        groups.forEach((group, perNode) -> {
            long max =
                    perNode.values().stream().mapToLong(Long::longValue).max().orElse(0);
            long min =
                    perNode.values().stream().mapToLong(Long::longValue).min().orElse(0);
            if (max - min > 1) {
                problems.add("colocation group " + group + " is unbalanced (" + perNode
                        + "): run SELECT citus_rebalance_start()");
            }
        });
        String summary = groups.isEmpty()
                ? "no distributed tables"
                : "shard placements per worker " + totals + " in " + groups.size() + " colocation "
                        + plural(groups.size(), "group");
        return new Check("shard balance", problems.isEmpty() ? Status.OK : Status.FAIL, summary, problems);
    }

    /**
     * The pgvector settings and the expected ones must be the same on every node: a session on a worker (as Citus
     * opens it for a query) sees the value the coordinator sees.
     */
    private Check settings(Coordinator coordinator) throws SQLException {
        if (coordinator
                .queryStrings("SELECT 1 FROM pg_extension WHERE extname = 'vector'")
                .isEmpty()) {
            return new Check(
                    "settings",
                    Status.FAIL,
                    "cannot read the pgvector settings",
                    List.of("the vector extension is not installed in database "
                            + coordinator.settings().database()));
        }
        List<String> names = new ArrayList<>(VECTOR_SETTINGS);
        expectedSettings.keySet().stream()
                .filter(n -> !names.contains(n))
                .sorted()
                .forEach(names::add);
        String expected;
        try {
            expected = new ObjectMapper().writeValueAsString(expectedSettings);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return HealthCheck.SETTINGS.run(
                coordinator,
                Map.of(
                        "citus_pgvector.settings",
                        String.join(",", names),
                        "citus_pgvector.expected_settings",
                        expected));
    }

    /**
     * The Citus secondaries (replica reads): each must be a streaming standby of its group's primary (the same system
     * identifier, in recovery, its WAL receiver streaming), or that primary itself under a second name (the registrar's
     * choice while a worker has no standby). Every node is asked through the coordinator (master_run_on_worker) with
     * the chart's node-identity.sql.
     */
    private Check secondaries(Coordinator coordinator) throws SQLException {
        record Secondary(String name, int port, String primaryName, int primaryPort) {}
        List<Secondary> secondaries = new ArrayList<>();
        try (PreparedStatement s = coordinator.connection().prepareStatement("""
                SELECT s.nodename, s.nodeport, p.nodename, p.nodeport FROM pg_dist_node s
                LEFT JOIN pg_dist_node p ON p.groupid = s.groupid AND p.noderole = 'primary'
                WHERE s.noderole = 'secondary' ORDER BY p.nodename, p.nodeport, s.nodename, s.nodeport""");
                ResultSet r = s.executeQuery()) {
            while (r.next()) {
                secondaries.add(new Secondary(r.getString(1), r.getInt(2), r.getString(3), r.getInt(4)));
            }
        }
        if (secondaries.isEmpty()) {
            return new Check("secondaries", Status.OK, "no secondaries: replica reads have nothing to read", List.of());
        }
        Map<String, String> identities = new LinkedHashMap<>();
        List<String> names = new ArrayList<>();
        List<Integer> ports = new ArrayList<>();
        for (Secondary secondary : secondaries) {
            names.add(secondary.name());
            ports.add(secondary.port());
            if (secondary.primaryName() != null) {
                names.add(secondary.primaryName());
                ports.add(secondary.primaryPort());
            }
        }
        String identity = "SELECT concat_ws(E'\\t', i.a, i.b, i.c, i.d) FROM ("
                + HealthCheck.chartSql("node-identity.sql")
                        .lines()
                        .filter(l -> !l.startsWith("--"))
                        .reduce("", (a, b) -> a + "\n" + b)
                + ") i(a, b, c, d)";
        try (PreparedStatement s = coordinator
                .connection()
                .prepareStatement("SELECT node_name || ':' || node_port,"
                        + " success, result FROM master_run_on_worker(?, ?, ?, true)")) {
            s.setArray(1, coordinator.connection().createArrayOf("text", names.toArray()));
            s.setArray(2, coordinator.connection().createArrayOf("int4", ports.toArray()));
            s.setArray(
                    3,
                    coordinator
                            .connection()
                            .createArrayOf(
                                    "text", names.stream().map(n -> identity).toArray()));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    identities.put(r.getString(1), (r.getBoolean(2) ? "" : "!") + r.getString(3));
                }
            }
        }
        List<String> problems = new ArrayList<>();
        List<String> listed = new ArrayList<>();
        for (Secondary secondary : secondaries) {
            String node = secondary.name() + ":" + secondary.port();
            if (secondary.primaryName() == null) {
                problems.add("secondary " + node + " is in a group without a primary");
                continue;
            }
            String primaryNode = secondary.primaryName() + ":" + secondary.primaryPort();
            String[] mine = identities.getOrDefault(node, "!no answer").split("\t", -1);
            String[] its = identities.getOrDefault(primaryNode, "!no answer").split("\t", -1);
            if (mine[0].startsWith("!") || its[0].startsWith("!")) {
                problems.add("secondary " + node + " of " + primaryNode + ": cannot ask "
                        + (mine[0].startsWith("!")
                                ? node + " (" + mine[0].substring(1) + ")"
                                : primaryNode + " (" + its[0].substring(1) + ")"));
            } else if (!mine[0].equals(its[0])) {
                problems.add("secondary " + node + " is not a standby of its primary " + primaryNode
                        + ": system identifier " + mine[0] + ", the primary's " + its[0]);
            } else if (mine[1].equals("t") && !mine[2].equals("streaming")) {
                problems.add("secondary " + node + " is a standby of " + primaryNode + " but not streaming (WAL"
                        + " receiver: " + (mine[2].isEmpty() ? "none" : mine[2]) + ")");
            } else if (mine[1].equals("f") && !mine[3].equals(its[3])) {
                problems.add("secondary " + node + " is not a standby of its primary " + primaryNode
                        + ": it is a primary itself (" + mine[3] + ", the primary answers on " + its[3] + ")");
            } else {
                listed.add(primaryNode + " -> " + node
                        + (mine[1].equals("t") ? " (standby, streaming)" : " (the primary itself: no standby)"));
            }
        }
        return new Check(
                "secondaries",
                problems.isEmpty() ? Status.OK : Status.FAIL,
                secondaries.size() + " " + plural(secondaries.size(), "secondary", "secondaries") + ": "
                        + String.join(", ", listed),
                problems);
    }

    /** Which cluster each active worker is: Patroni sets cluster_name to its scope, the postgresql resource's name. */
    private static Map<String, String> workerClusters(Coordinator coordinator) throws SQLException {
        Map<String, String> clusters = new LinkedHashMap<>();
        for (WorkerResult result : coordinator.onWorkers("SELECT current_setting('cluster_name')")) {
            if (result.success()) {
                clusters.put(result.node(), result.result());
            }
        }
        return clusters;
    }

    /** The coordinator and every active worker are the chart's clusters, each worker once. */
    private static Check chartNodes(Coordinator coordinator, ChartIntent intent, Map<String, String> clusters)
            throws SQLException {
        List<String> problems = new ArrayList<>();
        String own = coordinator.queryString("SELECT current_setting('cluster_name')");
        if (!own.equals(intent.coordinator().name())) {
            problems.add("the coordinator is cluster " + shown(own) + ", the chart's is "
                    + intent.coordinator().name());
        }
        Map<String, List<String>> addresses = new TreeMap<>();
        clusters.forEach((address, cluster) ->
                addresses.computeIfAbsent(cluster, c -> new ArrayList<>()).add(address));
        for (String name : intent.workerNames()) {
            if (!addresses.containsKey(name)) {
                problems.add(name + ": not an active worker (no active worker runs cluster " + name + ")");
            } else if (addresses.get(name).size() > 1) {
                problems.add(name + " is registered more than once: " + String.join(", ", addresses.get(name)));
            }
        }
        clusters.forEach((address, cluster) -> {
            if (!intent.workerNames().contains(cluster)) {
                problems.add(address + " is cluster " + shown(cluster) + ", not one of the chart's workers");
            }
        });
        List<String> found = intent.workerNames().stream()
                .filter(addresses::containsKey)
                .map(n -> n + " (" + String.join(", ", addresses.get(n)) + ")")
                .toList();
        String summary = intent.coordinator().name() + " with " + found.size() + " of the chart's "
                + intent.workers().size() + " " + plural(intent.workers().size(), "worker")
                + (found.isEmpty() ? "" : ": " + String.join(", ", found));
        return new Check("chart nodes", problems.isEmpty() ? Status.OK : Status.FAIL, summary, problems);
    }

    /** Every parameter the chart renders for a node is what that node runs with. */
    private static Check chartSettings(Coordinator coordinator, ChartIntent intent, Map<String, String> clusters)
            throws SQLException {
        List<String> problems = new ArrayList<>();
        List<String> checked = new ArrayList<>();
        Set<String> names = new TreeSet<>(intent.coordinator().parameters().keySet());
        intent.workers().forEach(w -> names.addAll(w.parameters().keySet()));
        String query = "SELECT json_object_agg(name, current_setting(name, true)) FROM unnest(ARRAY["
                + String.join(", ", names.stream().map(ClusterSettings::literal).toList())
                + "]::text[]) AS name, (SELECT '[1]'::vector AS v) loaded";
        compare(
                intent.coordinator(),
                intent.coordinator().name(),
                ClusterSettings.parse(coordinator.queryString(query)),
                problems);
        checked.add(intent.coordinator().name());
        List<WorkerResult> results = coordinator.onWorkers(query);
        for (ChartIntent.Node node : intent.workers()) {
            for (WorkerResult result : results) {
                if (!node.name().equals(clusters.get(result.node()))) {
                    continue;
                }
                String label = node.name() + " (" + result.node() + ")";
                if (!result.success()) {
                    problems.add(label + ": cannot read its settings: " + firstLine(result.result()));
                    continue;
                }
                compare(node, label, ClusterSettings.parse(result.result()), problems);
                checked.add(node.name());
            }
        }
        String summary = names.size() + " settings as the chart renders them on " + String.join(", ", checked);
        return new Check("chart settings", problems.isEmpty() ? Status.OK : Status.FAIL, summary, problems);
    }

    private static void compare(ChartIntent.Node node, String label, Map<String, String> live, List<String> problems) {
        node.parameters().forEach((name, expected) -> {
            String value = live.get(name);
            if (!ClusterSettings.normalize(expected).equals(ClusterSettings.normalize(value))) {
                problems.add(label + ": " + name + " = " + (value == null ? "unset" : value) + ", the chart sets "
                        + expected);
            }
        });
    }

    private static String shown(String value) {
        return value == null || value.isEmpty() ? "(unnamed)" : value;
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }

    private static String plural(long count, String noun) {
        return plural(count, noun, noun + "s");
    }

    private static String plural(long count, String singular, String pluralForm) {
        return count == 1 ? singular : pluralForm;
    }
}
