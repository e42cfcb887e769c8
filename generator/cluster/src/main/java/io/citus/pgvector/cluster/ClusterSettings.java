package io.citus.pgvector.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.citus.pgvector.cluster.Coordinator.Worker;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Settings applied on every node (coordinator and workers) with ALTER SYSTEM + reload, the way Patroni writes them
 * into postgresql.conf, and put back afterwards: what each node had in postgresql.auto.conf before is remembered and
 * restored, so a run leaves the configuration as it found it.
 */
final class ClusterSettings {

    private static final long WAIT_MILLIS = 10_000;
    private static final Pattern MEMORY = Pattern.compile("(\\d+)\\s*(kB|MB|GB|TB)?");

    private final Coordinator coordinator;
    private final List<Worker> workers;
    private final Set<String> names;
    private final Map<String, String> coordinatorBefore;
    private final Map<String, Map<String, String>> workersBefore;

    private ClusterSettings(
            Coordinator coordinator,
            List<Worker> workers,
            Set<String> names,
            Map<String, String> coordinatorBefore,
            Map<String, Map<String, String>> workersBefore) {
        this.coordinator = coordinator;
        this.workers = workers;
        this.names = names;
        this.coordinatorBefore = coordinatorBefore;
        this.workersBefore = workersBefore;
    }

    /** Remembers what every node has in postgresql.auto.conf for the given settings. */
    static ClusterSettings remember(Coordinator coordinator, List<Worker> workers, Set<String> names)
            throws SQLException {
        String query = "SELECT coalesce(json_object_agg(name, setting), '{}')::text FROM (SELECT DISTINCT ON (name)"
                + " name, setting FROM pg_file_settings WHERE sourcefile LIKE '%postgresql.auto.conf' AND name IN ("
                + String.join(", ", names.stream().map(ClusterSettings::literal).toList())
                + ") ORDER BY name, seqno DESC) s";
        Map<String, String> coordinatorBefore = names.isEmpty() ? Map.of() : parse(coordinator.queryString(query));
        Map<String, Map<String, String>> workersBefore = new HashMap<>();
        if (!names.isEmpty()) {
            for (Coordinator.WorkerResult result : coordinator.onWorkersOrFail(query)) {
                workersBefore.put(result.node(), parse(result.result()));
            }
        }
        return new ClusterSettings(coordinator, workers, new TreeSet<>(names), coordinatorBefore, workersBefore);
    }

    /** Sets the given values on every node, the others back to what they were, reloads, and waits until seen. */
    void apply(Map<String, String> values) throws SQLException {
        for (String name : names) {
            String value = values.get(name);
            coordinator.execute(alterSystem(name, value != null ? value : coordinatorBefore.get(name)));
            List<String> commands = new ArrayList<>();
            for (Worker worker : workers) {
                commands.add(alterSystem(
                        name,
                        value != null
                                ? value
                                : workersBefore
                                        .getOrDefault(worker.address(), Map.of())
                                        .get(name)));
            }
            coordinator.onEachWorker(workers, commands);
        }
        coordinator.queryString("SELECT pg_reload_conf()");
        coordinator.onWorkersOrFail("SELECT pg_reload_conf()");
        awaitValues(values);
    }

    /** Puts back what every node had. */
    void restore() throws SQLException {
        apply(Map.of());
    }

    /** Every node must show every value: a setting that does not reach the workers would falsify the figures. */
    private void awaitValues(Map<String, String> values) throws SQLException {
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        while (true) {
            List<String> wrong = new ArrayList<>();
            for (Map.Entry<String, String> entry : values.entrySet()) {
                String query = "SELECT current_setting(" + literal(entry.getKey()) + ", true)"
                        + " FROM (SELECT '[1]'::vector AS v) loaded";
                String expected = normalize(entry.getValue());
                String onCoordinator = coordinator.queryString(query);
                if (!expected.equals(normalize(onCoordinator))) {
                    wrong.add("coordinator: " + entry.getKey() + " = " + onCoordinator);
                }
                for (Coordinator.WorkerResult result : coordinator.onWorkersOrFail(query)) {
                    if (!expected.equals(normalize(result.result()))) {
                        wrong.add(result.node() + ": " + entry.getKey() + " = " + result.result());
                    }
                }
            }
            if (wrong.isEmpty()) {
                return;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new SQLException("settings did not take effect after reload (expected " + values + "): "
                        + String.join("; ", wrong));
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted", e);
            }
        }
    }

    /** Compares 1GB and 1024MB as equal, true and on, and enum values case-insensitively. */
    static String normalize(String value) {
        if (value == null) {
            return "";
        }
        switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "on", "true", "yes" -> {
                return "on";
            }
            case "off", "false", "no" -> {
                return "off";
            }
            default -> {
                // not a boolean
            }
        }
        Matcher m = MEMORY.matcher(value.strip());
        if (m.matches() && m.group(2) != null) {
            long factor = switch (m.group(2)) {
                case "kB" -> 1L;
                case "MB" -> 1024L;
                case "GB" -> 1024L * 1024;
                default -> 1024L * 1024 * 1024;
            };
            return Long.toString(Long.parseLong(m.group(1)) * factor) + "kB";
        }
        return value.strip().toLowerCase(Locale.ROOT);
    }

    private static String alterSystem(String name, String value) {
        return value == null ? "ALTER SYSTEM RESET " + name : "ALTER SYSTEM SET " + name + " = " + literal(value);
    }

    static String literal(String text) {
        return "'" + text.replace("'", "''") + "'";
    }

    /** A JSON object of setting names to values, as {@code json_object_agg} answers. */
    static Map<String, String> parse(String json) throws SQLException {
        try {
            return new LinkedHashMap<>(new ObjectMapper().readValue(json, new TypeReference<Map<String, String>>() {}));
        } catch (JsonProcessingException e) {
            throw new SQLException("unexpected answer, not a JSON object of settings: " + json, e);
        }
    }
}
