package io.citus.pgvector.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.citus.pgvector.Failure;
import io.citus.pgvector.Failure.Kind;
import io.citus.pgvector.chart.ChartJobs;
import io.citus.pgvector.chart.ChartTemplate;
import io.citus.pgvector.helm.ValueOverrides;
import io.citus.pgvector.render.RenderedChart;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a rendered chart means for a running cluster: its nodes by the name of their {@code postgresql} resource (which
 * Patroni, as the cluster's scope, also writes into each node's {@code cluster_name}), each with the parameters it
 * must run with, and the Citus version its image tag names.
 *
 * @param citusVersion major.minor of Citus when the image tag names it ({@code ...-citus13.2}), else empty
 */
public record ChartIntent(Node coordinator, List<Node> workers, Optional<String> citusVersion) {

    private static final Pattern CITUS_TAG = Pattern.compile(":[^/]*citus(\\d+\\.\\d+)[^/]*$");

    /** One {@code postgresql} resource: its name and {@code spec.postgresql.parameters}. */
    public record Node(String name, Map<String, String> parameters) {
        public Node {
            parameters = Map.copyOf(parameters);
        }
    }

    public ChartIntent {
        workers = List.copyOf(workers);
    }

    /**
     * Renders a chart folder with these values as {@code template} does, and reads what it means.
     *
     * @throws Failure (invalid input) when the folder is not a chart, a values file is missing, or Helm refuses the
     *     values
     */
    public static ChartIntent render(Path chart, String release, List<Path> valuesFiles, ValueOverrides overrides)
            throws Failure {
        RenderedChart rendered = RenderedChart.of(
                ChartJobs.template(ChartTemplate.Options.folder(chart, release, valuesFiles, overrides)));
        try {
            return of(rendered);
        } catch (IllegalArgumentException e) {
            throw new Failure(Kind.INVALID_INPUT, chart + ": " + e.getMessage(), e);
        }
    }

    /** @throws IllegalArgumentException when the objects are not one coordinator and its workers */
    public static ChartIntent of(RenderedChart chart) {
        List<JsonNode> coordinators = chart.postgresqls("coordinator");
        if (coordinators.size() != 1) {
            throw new IllegalArgumentException(
                    "the chart renders " + coordinators.size() + " coordinator postgresql resources, expected 1");
        }
        List<Node> workers = new ArrayList<>();
        for (JsonNode worker : chart.postgresqls("worker")) {
            workers.add(node(worker));
        }
        Matcher tag =
                CITUS_TAG.matcher(coordinators.get(0).at("/spec/dockerImage").asText());
        return new ChartIntent(
                node(coordinators.get(0)), workers, tag.find() ? Optional.of(tag.group(1)) : Optional.empty());
    }

    private static Node node(JsonNode resource) {
        Map<String, String> parameters = new LinkedHashMap<>();
        resource.at("/spec/postgresql/parameters")
                .fields()
                .forEachRemaining(e -> parameters.put(e.getKey(), e.getValue().asText()));
        return new Node(resource.at("/metadata/name").asText(), parameters);
    }

    public List<String> workerNames() {
        return workers.stream().map(Node::name).toList();
    }
}
