package io.citus.pgvector.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.citus.pgvector.chart.Charts;
import io.citus.pgvector.render.RenderedChart;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The metrics pieces of a rendered chart: the exporter sidecar, the dashboard and what its queries read. */
final class MetricsFiles {

    static final String QUERY_PATH_ENV = "PG_EXPORTER_EXTEND_QUERY_PATH";
    private static final Pattern QUOTED = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}|\\[[^]]*]");
    private static final Pattern GROUPING =
            Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*(\\s*\\()?");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([^,)]*)(,[^)]*)?\\)");
    private static final Set<String> KEYWORDS = Set.of(
            "and",
            "or",
            "unless",
            "bool",
            "offset",
            "by",
            "without",
            "on",
            "ignoring",
            "group_left",
            "group_right",
            "inf",
            "nan");

    private MetricsFiles() {}

    static JsonNode exporterSidecar(RenderedChart chart) {
        return Charts.sidecar(chart.named("postgresql", "citus-coordinator"), "postgres-exporter");
    }

    static JsonNode dashboard(RenderedChart chart) {
        try {
            return new ObjectMapper()
                    .readTree(chart.named("ConfigMap", "citus-dashboard")
                            .at("/data/citus-pgvector.json")
                            .asText());
        } catch (IOException e) {
            throw new UncheckedIOException("the dashboard is not JSON", e);
        }
    }

    /** Every PromQL expression of the dashboard: panel targets and template variable queries. */
    static List<String> dashboardQueries(RenderedChart chart) {
        JsonNode dashboard = dashboard(chart);
        List<String> queries = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                queries.add(target.path("expr").asText());
            }
        }
        for (JsonNode variable : dashboard.at("/templating/list")) {
            if (variable.path("type").asText().equals("query")) {
                queries.add(variable.at("/query/query").asText());
            }
        }
        return queries;
    }

    /** Names of the metrics the dashboard's queries read. */
    static Set<String> dashboardMetrics(RenderedChart chart) {
        Set<String> metrics = new TreeSet<>();
        dashboardQueries(chart).forEach(q -> metrics.addAll(metricNames(q)));
        return metrics;
    }

    /** Metric names in a PromQL expression (or a Grafana label_values query): what is left of identifiers once
     * strings, label matchers, ranges, grouping clauses, functions and keywords are taken out. */
    static Set<String> metricNames(String promql) {
        String expr = LABEL_VALUES.matcher(promql).replaceAll("$1");
        expr = QUOTED.matcher(expr).replaceAll("\"\"");
        expr = MATCHERS.matcher(expr).replaceAll(" ");
        expr = GROUPING.matcher(expr).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(expr);
        while (m.find()) {
            String token = m.group().replaceAll("\\s*\\($", "");
            boolean function = m.group(1) != null;
            if (!function && !KEYWORDS.contains(token.toLowerCase(java.util.Locale.ROOT))) {
                names.add(token);
            }
        }
        return names;
    }
}
