package io.citus.pgvector.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.citus.pgvector.helm.HelmException;
import io.citus.pgvector.model.ManagedSetting;
import io.citus.pgvector.model.ManagedSetting.Purpose;
import io.citus.pgvector.render.RenderedChart;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The chart's Citus and pgvector parameters of one role, as {@code helm template} renders them into the
 * {@code postgresql} resources: what Patroni writes into each node's postgresql.conf. Only the settings a local
 * server can take are kept (not Spilo's libraries or socket folder).
 */
final class ChartParameters {

    /** Spilo's libraries and socket folder are the platform settings; a local server takes the tuning ones. */
    static final List<String> NAMES = ManagedSetting.gucs(ManagedSetting.of(Purpose.TUNING));

    private ChartParameters() {}

    /** The parameters of {@code citus-coordinator} or {@code citus-worker-1} for a release with this many workers. */
    static Map<String, String> of(Path chart, String resource, int workers) throws HelmException {
        JsonNode parameters = RenderedChart.render(
                        chart, "citus", List.of(), Map.of("workers.count", Integer.toString(workers)))
                .named("postgresql", resource)
                .at("/spec/postgresql/parameters");
        Map<String, String> chosen = new LinkedHashMap<>();
        for (String name : NAMES) {
            chosen.put(name, parameters.path(name).asText());
        }
        return chosen;
    }
}
