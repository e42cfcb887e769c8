package io.citus.pgvector.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A postgres_exporter query file (--extend.query-path) as the exporter reads it: every GAUGE or COUNTER column of query
 * Q is the metric {@code Q_column}, labelled with the query's LABEL columns.
 */
record QueryFile(List<Metric> metrics) {

    record Metric(String query, String name, Set<String> labels) {}

    static QueryFile read(Path file) throws IOException {
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        List<Metric> metrics = new ArrayList<>();
        for (Map.Entry<String, JsonNode> query : root.properties()) {
            Set<String> labels = new TreeSet<>();
            List<String> values = new ArrayList<>();
            for (JsonNode column : query.getValue().path("metrics")) {
                Map.Entry<String, JsonNode> entry =
                        column.properties().iterator().next();
                String usage = entry.getValue().path("usage").asText();
                if (usage.equals("LABEL")) {
                    labels.add(entry.getKey());
                } else if (usage.equals("GAUGE") || usage.equals("COUNTER")) {
                    values.add(entry.getKey());
                } else {
                    throw new IllegalArgumentException(query.getKey() + "." + entry.getKey() + ": usage " + usage);
                }
            }
            for (String value : values) {
                metrics.add(new Metric(query.getKey(), query.getKey() + "_" + value, labels));
            }
        }
        return new QueryFile(metrics);
    }

    Set<String> names() {
        Set<String> names = new TreeSet<>();
        metrics.forEach(m -> names.add(m.name()));
        return names;
    }
}
